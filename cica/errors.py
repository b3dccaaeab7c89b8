"""Domain errors and their translation into HTTP answers.

Services raise :class:`DomainError` subclasses when a business rule refuses an
action; the API exception handler (and later the delegate views) turn them
into a 400/403/404/409 with the message, so no rule violation reaches a 500.

Every error answer under /api/ — a view's, and the site's own 404, 500, 503,
CSRF, size and lock-out answers — has one shape, an RFC 9457 problem
(``application/problem+json``, :func:`problem`)::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "designations.0.participant: Unknown code: XXX.", "code": "invalid",
     "errors": [{"field": "designations.0.participant", "code": "does_not_exist",
                 "detail": "Unknown code: XXX."}]}
"""

import sys
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.defaults import page_not_found as django_404
from django.views.defaults import server_error as django_500
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from .problems import PROBLEM_CONTENT_TYPE, problem, problem_response

__all__ = ["PROBLEM_CONTENT_TYPE", "problem", "problem_response"]

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class DomainError(Exception):
    """A business rule refused the action. Nothing was changed."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: "str | StrPromise", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    """The action does not fit the current state (e.g. an illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"


# --- one error shape: RFC 9457 problem details (issue 15 item 3) -------------------------


def field_errors(detail, path: tuple[str, ...] = ()) -> list[dict]:
    """DRF's nested validation detail as a flat list of
    ``{"field", "code", "detail"}``: ``field`` is the dotted path of the
    input (``designations.0.participant``; list items by index), ``None``
    for an error about the input as a whole (DRF's ``non_field_errors``)."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            inner = path if key == api_settings.NON_FIELD_ERRORS_KEY else (*path, str(key))
            found.extend(field_errors(value, inner))
        return found
    if isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            return [_field_error(item, path) for item in detail]
        found = []
        for index, item in enumerate(detail):
            if isinstance(item, str):
                found.append(_field_error(item, path))
            else:  # an item of a list of objects; a valid one is {}
                found.extend(field_errors(item, (*path, str(index))))
        return found
    return [_field_error(detail, path)]


def _field_error(message, path: tuple[str, ...]) -> dict:
    return {
        "field": ".".join(path) if path else None,
        "code": getattr(message, "code", None) or "invalid",
        "detail": str(message),
    }


def _summary(errors: list[dict]) -> str:
    """A one-line ``detail`` for a validation error: each message, after the
    field it is about."""
    return " ".join(
        f"{error['field']}: {error['detail']}" if error["field"] else error["detail"]
        for error in errors
    )


def api_exception_handler(exc, context):
    """Every error of an API view as a problem (:func:`problem`): domain
    errors, DRF's own (validation, authentication, permission, not found,
    415, 429...) with their headers (``WWW-Authenticate``, ``Retry-After``)."""
    if isinstance(exc, DomainError):
        return problem_response(exc.status_code, exc.message, exc.code)
    # As DRF's handler does: Django's 404 and 403 become DRF's.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # not an API error: a 500, answered by server_error
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        message = _summary(errors) or _("Invalid input.")
        answer = problem_response(response.status_code, message, "invalid", errors)
    elif isinstance(exc.detail, dict | list):  # an APIException raised with a structure
        errors = field_errors(exc.detail)
        answer = problem_response(response.status_code, _summary(errors), _code(exc), errors)
    else:
        answer = problem_response(response.status_code, exc.detail, _code(exc))
    for header, value in response.headers.items():
        if header.lower() not in ("content-type", "content-length"):
            answer[header] = value
    return answer


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404 for the whole site: JSON under /api/, Django's page elsewhere."""
    if _wants_json(request):
        return problem_response(
            404, _("Nothing here: %(path)s") % {"path": request.path}, "not_found"
        )
    return django_404(request, exception)


def csrf_failure(request, reason=""):
    """A refused CSRF check: JSON under /api/ (a client sent a session cookie
    without the token), Django's page elsewhere."""
    if _wants_json(request):
        return problem_response(
            403,
            _(
                "CSRF check failed: send the X-CSRFToken header with a session, "
                "or use a token (Authorization: Token …)."
            ),
            "csrf_failed",
        )
    return django_csrf_failure(request, reason=reason)


def _database_unreachable() -> bool:
    """Whether the exception being handled means the database did not answer
    (connection refused, dropped, timed out), not a bug of ours."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def service_unavailable(request):
    """503 while the database is unreachable: a clear message and a hint to
    retry, instead of a server error. Nothing was changed (the request's
    transaction, if any, did not commit)."""
    message = _(
        "The service is briefly unavailable (the database does not answer). "
        "Nothing was changed; please try again in a minute."
    )
    response: HttpResponse
    if _wants_json(request):
        response = problem_response(503, message, "unavailable")
    else:
        # No template and no database: this page must render while both are down.
        response = HttpResponse(
            f"<!doctype html><title>503</title><h1>503</h1><p>{escape(message)}</p>",
            status=503,
        )
    response["Retry-After"] = "30"
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: 429 with the wait, as JSON
    under /api/, as a page elsewhere."""
    # Not at the top: a cycle. cica.pages imports this module, and this module
    # is imported while DRF's settings load (the exception handler), which
    # import cica.input, which imports cica.pages.
    from .pages import refused  # noqa: PLC0415

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts. This account is locked for %(minutes)s minutes "
        "from this address; try again later or ask the secretariat."
    ) % {"minutes": minutes}
    response: HttpResponse
    if _wants_json(request):
        response = problem_response(429, message, "locked_out")
    else:
        response = refused(request, message, 429)
    response["Retry-After"] = str(minutes * 60)
    return response


def server_error(request):
    """500 for the whole site: a JSON body under /api/ so clients can parse it;
    503 when the cause is an unreachable database."""
    if _database_unreachable():
        return service_unavailable(request)
    if _wants_json(request):
        return problem_response(500, _("Internal server error."), "server_error")
    return django_500(request)
