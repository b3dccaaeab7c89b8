"""The OpenAPI schema's view of errors: every operation documents the error
answers the API really gives, with their JSON body, so a client (and the
schemathesis run in CI) can rely on the schema for failures too."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions, serializers

from .errors import PROBLEM_CONTENT_TYPE
from .filters import takes_empty
from .input import IdFilter


class ErrorItemSerializer(serializers.Serializer):
    """One refused field of a request."""

    field = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The field, as a dotted path into the body or the query "
            "(`designations.0.participant`; list items by index); null when the "
            "error is about the input as a whole."
        ),
    )
    code = serializers.CharField(
        help_text=_("What is wrong, for programs: `required`, `invalid`, `does_not_exist`…")
    )
    detail = serializers.CharField(help_text=_("What is wrong, for people."))


class ErrorSerializer(serializers.Serializer):
    """Every error answer under /api/ (RFC 9457 problem details,
    `application/problem+json`), with two members of ours: `code`, what a
    program branches on, and `errors`, one entry per refused field (empty when
    the error is not about fields; a 400 on input lists each field there)."""

    type = serializers.CharField(
        help_text=_("Always `about:blank`: the problem is the status, refined by `code`.")
    )
    title = serializers.CharField(help_text=_("The HTTP status phrase, e.g. `Bad Request`."))
    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    detail = serializers.CharField(
        help_text=_("What happened, in the request's language (for a 400: each field's message).")
    )
    code = serializers.CharField(
        help_text=_(
            "Stable, for programs: `invalid` (bad input: see `errors`), `not_found`, "
            "`conflict`, `forbidden`, `not_authenticated`, `authentication_failed`, "
            "`invalid_credentials`, `unsupported_media_type`, `too_large`, `throttled`, "
            "`locked_out`, `unavailable`…"
        )
    )
    # A field named like Serializer.errors: the metaclass takes declared
    # fields off the class, so the property is not shadowed at run time.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


READ_ERRORS = {
    "400": _("Bad input: a filter, page or field is invalid (`errors` names it)."),
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
BODY_ERRORS = {
    "415": _(
        "The body is not in the operation's one content type (JSON, or multipart for an upload)."
    ),
}


class CicaAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        """Every error answer, documented or not by the view, as a problem
        (`Error`, `application/problem+json`): the view's description kept,
        the body always the one shape."""
        responses = super()._get_response_bodies(direction)
        errors = self._error_answers()
        problem = self._problem_content(direction)
        for code, description in errors.items():
            responses.setdefault(code, {"description": str(description)})
        for code, response in responses.items():
            if code.isdigit() and int(code) >= 400:
                response["content"] = dict(problem)
        return responses

    def _error_answers(self) -> dict:
        """The error answers this operation can give, and no other: a 404
        where something is looked up (a path parameter, a page or cursor
        past the end), a 403 where a permission or the CSRF check can refuse
        (a signed-in write; reads are public or one's own, where what is not
        yours is not found)."""
        read = self.method in ("GET", "HEAD", "OPTIONS")
        errors = dict(READ_ERRORS if read else WRITE_ERRORS)
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            errors.update(BODY_ERRORS)
        pages = self._is_list_view() and getattr(self.view, "paginator", None) is not None
        if "{" not in self.path and not pages:
            errors.pop("404")
        anyone = all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )
        if read or anyone:
            errors.pop("403")
        return errors

    def _problem_content(self, direction):
        documented = self._get_response_for_code(ErrorSerializer, "400", direction=direction)
        schema = next(iter(documented["content"].values()))["schema"]
        return {PROBLEM_CONTENT_TYPE: {"schema": schema}}


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


# --- conditional GETs -----------------------------------------------------------------

# Django's ConditionalGetMiddleware (settings.MIDDLEWARE) gives every GET answer
# with a body an ETag, and answers a matching If-None-Match with 304 and no
# body. A client generated from the schema must know both, or it raises on 304.
_ETAG_TEXT = _("The answer's version: send it back in If-None-Match to get 304 if nothing changed.")
_IF_NONE_MATCH_TEXT = _("An ETag from an earlier answer: 304 with no body if it is still current.")
_NOT_MODIFIED_TEXT = _("Not modified: the ETag sent in If-None-Match is current.")


def document_conditional_gets(result, generator, request, public):
    """drf-spectacular post-processing hook: on every GET answered with JSON,
    the If-None-Match request header, the ETag header of the 200 answer and a
    304 answer with no body (and the same ETag). File downloads are streamed,
    and the middleware gives a streamed answer no ETag: they get neither."""
    if_none_match = {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": str(_IF_NONE_MATCH_TEXT),
        "schema": {"type": "string"},
    }
    for operations in result.get("paths", {}).values():
        operation = operations.get("get")
        if not isinstance(operation, dict):
            continue
        responses = operation.setdefault("responses", {})
        if "application/json" not in responses.get("200", {}).get("content", {}):
            continue
        parameters = operation.setdefault("parameters", [])
        if if_none_match not in parameters:
            parameters.append(dict(if_none_match))
        etag = {"ETag": {"description": str(_ETAG_TEXT), "schema": {"type": "string"}}}
        responses["200"].setdefault("headers", {}).update(etag)
        responses["304"] = {"description": str(_NOT_MODIFIED_TEXT), "headers": etag}
    return result


# --- filters ----------------------------------------------------------------------------


class FilterBackendExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter parameters, with what our backend
    really accepts: no filter but free text takes an empty value (400,
    :func:`cica.filters.takes_empty`), so a code is ``minLength: 1``; an id
    filter is a whole number from 1."""

    target_class = "cica.filters.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if isinstance(filter_field, IdFilter):
                schema.clear()
                schema.update({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
            elif takes_empty(filter_field):
                continue
            elif schema.get("type") == "string" and not {"enum", "format"} & set(schema):
                schema["minLength"] = 1
        return parameters


# What a nullable nested object's null alternative says: OpenAPI 3.0.3 lets
# ``nullable`` act only beside a ``type`` in the same schema object.
_NULL = {"type": "object", "nullable": True, "enum": [None]}


def nullable_references(result, generator, request, public):
    """drf-spectacular post-processing hook: drf-spectacular writes a nullable
    nested object ``{"allOf": [{"$ref": …}], "nullable": true}``, which by
    OpenAPI 3.0.3 does not admit null (``nullable`` has no ``type`` beside
    it, and the referenced object refuses null), so strict validators
    (openapi-core) refuse the null the server sends. Write it as one of the
    object or null."""
    for component in result.get("components", {}).get("schemas", {}).values():
        for prop in component.get("properties", {}).values():
            if prop.get("nullable") and len(prop.get("allOf", ())) == 1 and "type" not in prop:
                prop["oneOf"] = [prop.pop("allOf")[0], dict(_NULL)]
                del prop["nullable"]
    return result
