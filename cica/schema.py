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
    "413": _("The request body is over the size limit (the message says both sizes)."),
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


# An initiative's answer (to its creation and to each action) carries its id,
# which every action on it takes: the schema says so with OpenAPI links, so
# clients — and the fuzzer's stateful phase — can chain them.
_INITIATIVE_ID = {"id": "$response.body#/id"}


def add_initiative_links(result, generator, request, public):
    """drf-spectacular post-processing hook: links from POST /initiatives/ and
    from each POST /initiatives/{id}/<action>/ to every operation on
    /initiatives/{id}/…, with the id taken from the answer's body."""
    prefix = "/api/v1/initiatives/{id}/"
    paths = result.get("paths", {})
    targets = [
        (operation["operationId"], path)
        for path, operations in paths.items()
        if path.startswith(prefix)
        for operation in operations.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    sources = [("/api/v1/initiatives/", "post", ("200", "201"))] + [
        (path, "post", ("200",)) for path in paths if path.startswith(prefix) and path != prefix
    ]
    for path, method, codes in sources:
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        for code in codes:
            response = operation.get("responses", {}).get(code)
            if response is None:
                continue
            response["links"] = {
                operation_id: {"operationId": operation_id, "parameters": dict(_INITIATIVE_ID)}
                for operation_id, _target in targets
            }
    return result
