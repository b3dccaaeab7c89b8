"""Domain errors and their translation into HTTP answers.

Services raise :class:`DomainError` subclasses when a business rule refuses an
action; the API exception handler (and later the delegate views) turn them
into a 400/403/404/409 with the message, so no rule violation reaches a 500.
"""

import sys
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.defaults import page_not_found as django_404
from django.views.defaults import server_error as django_500
from rest_framework import status
from rest_framework.views import exception_handler

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


def api_exception_handler(exc, context):
    """DRF's handler, plus domain errors as JSON ``{"detail", "code"}``."""
    if isinstance(exc, DomainError):
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(exc, "default_code", "error"))
    return response


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404 for the whole site: JSON under /api/, Django's page elsewhere."""
    if _wants_json(request):
        return JsonResponse(
            {"detail": _("Nothing here: %(path)s") % {"path": request.path}, "code": "not_found"},
            status=404,
        )
    return django_404(request, exception)


def csrf_failure(request, reason=""):
    """A refused CSRF check: JSON under /api/ (a client sent a session cookie
    without the token), Django's page elsewhere."""
    if _wants_json(request):
        return JsonResponse(
            {
                "detail": _(
                    "CSRF check failed: send the X-CSRFToken header with a session, "
                    "or use a token (Authorization: Token …)."
                ),
                "code": "csrf_failed",
            },
            status=403,
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
        response = JsonResponse({"detail": message, "code": "unavailable"}, status=503)
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
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
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
        return JsonResponse(
            {"detail": _("Internal server error."), "code": "server_error"}, status=500
        )
    return django_500(request)
