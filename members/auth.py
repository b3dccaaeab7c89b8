"""How API clients prove who they are: expiring, revocable bearer tokens
(``Authorization: Token <secret>``), looked up by the digest of the secret."""

import datetime

from axes.backends import AxesStandaloneBackend
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken

# Writing "last used" on every request would turn each read into a write;
# once every few minutes is enough to see which tokens are still in use.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        # Imported here: DRF loads this class while cica.errors is importing.
        from .services import api_token_digest  # noqa: PLC0415

        token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This token expired; ask for a new one at /api/v1/auth/token/.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every sign-in that comes with a request
    (the login page, the admin, the API token endpoint). Code that calls
    ``authenticate()`` without a request — management commands, the test
    client's ``login()`` — is not a sign-in from outside and is not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
