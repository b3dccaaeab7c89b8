"""The one shape of every error answer under /api/ (issue 15 item 3): an
RFC 9457 problem, ``application/problem+json``. Apart from
:mod:`cica.errors` (which imports DRF's views) so that the input checks and
middleware, which DRF's settings import, can answer with it too."""

from http import HTTPStatus
from typing import TYPE_CHECKING

from django.http import JsonResponse

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    status_code: int,
    detail: "str | StrPromise",
    code: str,
    errors: list[dict] | None = None,
) -> dict:
    """The body of every error answer under /api/: RFC 9457's ``type``,
    ``title``, ``status`` and ``detail``, with our ``code`` (what a client
    branches on) and ``errors`` (one entry per refused field, ``[]`` when the
    error is not about fields). ``type`` is ``about:blank``: the kind of
    problem is the HTTP status, refined by ``code``."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": str(detail),
        "code": code,
        "errors": errors or [],
    }


def problem_response(
    status_code: int,
    detail: "str | StrPromise",
    code: str,
    errors: list[dict] | None = None,
) -> JsonResponse:
    return JsonResponse(
        problem(status_code, detail, code, errors),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
