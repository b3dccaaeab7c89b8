"""The OpenAPI schema's view of errors: every operation documents the error
answers the API really gives, with their JSON body, so a client (and the
schemathesis run in CI) can rely on the schema for failures too."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """``{"detail", "code"}``; a 400 on input names the fields instead:
    ``{"<field>": ["message", ...]}``."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


READ_ERRORS = {
    "400": _("Bad input: a filter, page or field is invalid (the message names it)."),
    "401": _("The token is missing, invalid, expired or revoked."),
    "403": _("Not allowed for you."),
    "404": _("No such object, or not visible to you."),
    "429": _("Too many requests; retry after the Retry-After header's seconds."),
    "503": _("The database is briefly unreachable; nothing was changed."),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "409": _("Not possible in the current state (e.g. the initiative's status)."),
}


class CicaAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = READ_ERRORS if self.method in ("GET", "HEAD", "OPTIONS") else WRITE_ERRORS
        for code, description in errors.items():
            documented = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            existing = responses.get(code)
            if existing is None:
                documented["description"] = str(description)
                responses[code] = documented
            elif "content" not in existing:
                existing["content"] = documented["content"]
        return responses
