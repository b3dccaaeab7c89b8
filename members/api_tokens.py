"""Sign-in for REST clients: issue, list and revoke API tokens."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cica.errors import NotFound
from cica.throttling import SignInThrottle

from . import selectors, services
from .auth import ExpiringTokenAuthentication
from .models import ApiToken


class SignInInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("What the token is for.")
    )
    days = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Lifetime in days (at most the site's limit).")
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Shown once; send it as 'Authorization: Token …'."))
    id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", read_only=True)
    state = serializers.ChoiceField(
        choices=[("active", "active"), ("expired", "expired"), ("revoked", "revoked")],
        read_only=True,
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "name",
            "prefix",
            "state",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]


class TokenSignIn(APIView):
    """Exchange a username and password for a token. Repeated failures lock
    the account and address out for a while (django-axes)."""

    # No authentication on sign-in: an expired token still sent by a client
    # must not stop it from getting a new one. Sign-out reads the token itself.
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [SignInThrottle]

    def get_authenticate_header(self, request):
        return "Token"  # a refused sign-out is a 401 that names the scheme

    @extend_schema(
        request=SignInInput,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(description="Bad input (a field missing or invalid)."),
            401: OpenApiResponse(
                description='Wrong username or password (code "invalid_credentials").'
            ),
            429: OpenApiResponse(description="Too many attempts; locked out for a while."),
        },
    )
    def post(self, request):
        data = SignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        # django-axes counts failures on (and answers for) the Django request.
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            # A 401 like every other refused credential (issue 15): the input
            # was well formed; the credentials are what is refused.
            raise AuthenticationFailed(
                _("Unable to sign in with these credentials."), code="invalid_credentials"
            )
        token, secret = services.api_token_issue(
            user=user,
            name=data.validated_data.get("name", ""),
            ttl_days=data.validated_data.get("days"),
        )
        return Response({"token": secret, "id": token.pk, "expires_at": token.expires_at})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token used for this request is revoked."),
            401: OpenApiResponse(description="Not signed in with a token."),
        },
    )
    def delete(self, request):
        """Sign out: revoke the token this request was made with."""
        found = ExpiringTokenAuthentication().authenticate(request._request)
        if found is None:
            raise NotAuthenticated(_("Send the token to revoke as 'Authorization: Token …'."))
        user, token = found
        services.api_token_revoke(actor=user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenList(generics.ListAPIView):
    """Your tokens (the secretariat sees everyone's), newest first; secrets are
    never shown again."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer
    filterset_fields: list[str] = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ApiToken.objects.none()
        return selectors.api_tokens_visible_to(self.request.user)


class TokenDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _token(self, request, pk):
        # Someone else's token is "not found", not "forbidden": ids of other
        # people's tokens are nobody's business.
        token = selectors.api_tokens_visible_to(request.user).filter(pk=pk).first()
        if token is None:
            raise NotFound(_("No token with id %(id)s.") % {"id": pk})
        return token

    @extend_schema(responses={200: ApiTokenSerializer})
    def get(self, request, pk: int):
        return Response(ApiTokenSerializer(self._token(request, pk)).data)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Revoked (or already revoked).")},
    )
    def delete(self, request, pk: int):
        """Revoke a token now: requests made with it are refused from then on."""
        services.api_token_revoke(actor=request.user, token=self._token(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
