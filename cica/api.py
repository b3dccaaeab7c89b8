"""Shared API pieces: lookups by code with a clear 404, a code filter, and
the API's root."""

from typing import TYPE_CHECKING

from django import forms
from django.urls import URLPattern, reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import NotFound
from .input import as_id

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    _GenericView = generics.GenericAPIView
else:
    _GenericView = object


class CodeChoiceField(forms.ModelChoiceField):
    """Accepts a code in any case (``eco`` finds ``ECO``)."""

    default_error_messages = {
        "invalid_choice": _("Unknown code: %(value)s."),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().upper()
        return super().to_python(value)


class CodeRelatedField(serializers.SlugRelatedField):
    """A register entry by its code, in any case (``pak`` finds ``PAK``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(filters.ModelChoiceFilter):
    field_class = CodeChoiceField  # type: ignore[assignment]  # the stubs allow only the parent's field class

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class CodeLookupViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only viewset whose detail URL takes the object's code, in any case."""

    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    not_found_label = "object"

    def get_object(self):
        code = self.kwargs[self.lookup_field].upper()
        obj = self.get_detail_queryset().filter(code=code).first()
        if obj is None:
            raise NotFound(f"No {self.not_found_label} with code {code!r}.")
        self.check_object_permissions(self.request, obj)
        return obj

    def get_detail_queryset(self):
        return self.get_queryset()


class IdLookupMixin(_GenericView):
    """Detail by numeric id with a clear 404 (also for ``/abc/``), looked up in
    the view's own queryset, so what the caller may not see is not found."""

    not_found_message: "str | StrPromise" = "No object with id %(id)s."

    def get_object(self):
        pk = self.kwargs["pk"]
        pk_id = as_id(pk)
        obj = self.get_queryset().filter(pk=pk_id).first() if pk_id is not None else None
        if obj is None:
            raise NotFound(str(self.not_found_message) % {"id": pk})
        self.check_object_permissions(self.request, obj)
        return obj


# --- the API's root (issue 15 item 4) ---------------------------------------------------


class ApiRootSerializer(serializers.Serializer):
    resources = serializers.DictField(
        child=serializers.URLField(),
        help_text=_(
            "Each resource's list, by name (the path under /api/v1/): "
            '`{"measures": "https://…/api/v1/measures/", …}`.'
        ),
    )
    sign_in = serializers.URLField(
        help_text=_("POST a username and password here for a token (DELETE to sign out).")
    )
    schema = serializers.URLField(help_text=_("This API's OpenAPI 3 schema."))
    docs = serializers.URLField(help_text=_("The schema as a page (Swagger UI)."))
    redoc = serializers.URLField(help_text=_("The schema as a page (Redoc)."))


class ApiRoot(APIView):
    """What the API offers: the absolute URL of every resource's list, of the
    sign-in, of the schema and of its two documentation pages."""

    permission_classes = [permissions.AllowAny]
    # Given by the URLconf: the API's patterns (the lists are those named
    # ``<name>-list`` with no parameter) and their namespace.
    patterns: list = []
    namespace = "api"

    @extend_schema(
        responses=ApiRootSerializer,
        operation_id="api_root",
        summary="The API's root: its resources, schema and documentation",
    )
    def get(self, request):
        def absolute(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        resources = {}
        for pattern in self.patterns:
            name = getattr(pattern, "name", None) or ""
            if isinstance(pattern, URLPattern) and name.endswith("-list"):
                if pattern.pattern.regex.groups:
                    continue  # a list under an object: not a resource of its own
                url = absolute(f"{self.namespace}:{name}")
                resources[str(pattern.pattern).strip("^$/").rstrip("/")] = url
        data = {
            "resources": dict(sorted(resources.items())),
            "sign_in": absolute(f"{self.namespace}:api-token"),
            "schema": absolute("schema"),
            "docs": absolute("swagger-ui"),
            "redoc": absolute("redoc"),
        }
        return Response(ApiRootSerializer(data).data)
