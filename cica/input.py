"""Input that the database would refuse, refused where it enters
(issue 13 item 17).

PostgreSQL refuses a NUL character in any text and a time-zone offset beyond
±15:59; Python's JSON decoder recurses once per level of nesting; a body is
read into memory. Each of these used to reach a query (or the recursion
limit) and answer a 500. They are checked once, here:

* :class:`InputCheckMiddleware` — the path, the query string, the headers
  (cookies included), the size of a body that is not a file upload, and the
  fields of a page's form;
* the API's parsers (:class:`JSONParser`, :class:`MultiPartParser`) — every
  key and string of a JSON body, however deep, nesting beyond
  ``CICA_MAX_JSON_DEPTH``, a JSON body over the memory limit, and the fields
  and file names of an upload;
* :class:`IsoDateTimeFilter` — a date-time query parameter whose offset the
  database cannot hold.

Under /api/ a refusal is a problem (``cica.errors.problem``: 400, or 413 for
the size); elsewhere it is a page with the message. Nothing is written.
"""

from __future__ import annotations

import datetime
import json

from django import forms as django_forms
from django.conf import settings
from django.core import exceptions as django_exceptions
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import bad_request as django_400
from django_filters import filters as django_filters
from django_filters.fields import IsoDateTimeField as _IsoDateTimeField
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # not in the stubs
from rest_framework.utils import json as drf_json

from .pages import refused
from .problems import problem_response

NUL = "\x00"
# PostgreSQL's limit for a time-zone displacement is 15:59:59.
MAX_OFFSET = datetime.timedelta(hours=16)


def nul_message() -> str:
    return _(
        "The request contains a NUL character (U+0000), which is allowed in no path, "
        "parameter, header or field."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def too_big_message(size: int | None) -> str:
    limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    if size is None:
        return _("The request body is over the limit of %(limit)s MB.") % {"limit": limit}
    return _("The request body is %(size)s MB; the limit is %(limit)s MB.") % {
        "size": _megabytes(size),
        "limit": limit,
    }


def too_deep_message() -> str:
    return _("The JSON body is nested more than %(depth)s levels deep.") % {
        "depth": settings.CICA_MAX_JSON_DEPTH
    }


def contains_nul(value) -> bool:
    """Whether a NUL is in the string, or in any key or string of the
    (possibly nested) dicts and lists. Iterative: the depth is the caller's."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def depth_of(value) -> int:
    """How deep lists and dicts nest in a decoded JSON value (a scalar is 0)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in item)
    return deepest


def refusal(request, message: str, code: str = "invalid_input", status_code: int = 400, bare=False):
    """The answer to refused input: JSON under /api/, a page elsewhere.
    ``bare``: a page that reads neither the session nor the database (when
    the cookies themselves are what is refused)."""
    if request.path.startswith("/api/"):
        return problem_response(status_code, message, code)
    if bare:
        return HttpResponse(
            f'<!doctype html><html><meta charset="utf-8"><title>{status_code}</title>'
            f"<h1>{status_code}</h1>"
            f"<p>{escape(message)}</p></html>",
            status=status_code,
        )
    return refused(request, message, status_code)


def _form_has_nul(query_dict) -> bool:
    return any(NUL in key or contains_nul(values) for key, values in query_dict.lists())


def _files_have_nul(files) -> bool:
    return any(
        NUL in key or any(NUL in (f.name or "") for f in uploaded)
        for key, uploaded in files.lists()
    )


def _is_upload(request) -> bool:
    return request.META.get("CONTENT_TYPE", "").startswith("multipart/")


class InputCheckMiddleware:
    """Refuses a request whose path, query string or headers hold a NUL, a
    body other than a file upload over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413;
    file uploads have their own limit), and a page form with a NUL in a field.
    API bodies are checked by the API's parsers (below), as DRF reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(NUL in str(v) for k, v in request.META.items() if k.startswith("HTTP_")):
            return refusal(request, nul_message(), bare=True)
        if NUL in request.path or NUL in request.path_info or _form_has_nul(request.GET):
            return refusal(request, nul_message())
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and not _is_upload(request):
            return refusal(request, too_big_message(length), "too_large", 413)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A page's form (the API's parsers check the API's). By now every
        middleware has prepared the request, so reading the form here is what
        the CSRF check would do next anyway."""
        if request.path.startswith("/api/") or request.method != "POST":
            return None
        if _form_has_nul(request.POST) or _files_have_nul(request.FILES):
            return refusal(request, nul_message())
        return None


def bad_request(request, exception=None):
    """handler400: Django's refusals of a request (a body over the memory
    limit, too many fields, a suspicious operation) with their message, as JSON
    under /api/ and as a page elsewhere."""
    if isinstance(exception, django_exceptions.RequestDataTooBig):
        return refusal(request, too_big_message(None), "too_large", 413)
    too_many = django_exceptions.TooManyFieldsSent | django_exceptions.TooManyFilesSent
    if isinstance(exception, too_many):
        return refusal(request, _("The request has too many fields."))
    if request.path.startswith("/api/"):
        return refusal(request, _("The request could not be understood."), "bad_request")
    # Anything else (a host not allowed, ...): Django's own page, which reads
    # nothing more of the request.
    return django_400(request, exception)


# --- the API's parsers ------------------------------------------------------------------


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class InputRefused(ParseError):
    default_code = "invalid_input"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body over the memory limit (413), nesting
    beyond ``CICA_MAX_JSON_DEPTH`` and a NUL in any key or string."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = get_encoding(parser_context)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(too_big_message(None))
        try:
            parse_constant = drf_json.strict_constant if self.strict else None
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except RecursionError:
            raise InputRefused(too_deep_message()) from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if depth_of(data) > settings.CICA_MAX_JSON_DEPTH:
            raise InputRefused(too_deep_message())
        if contains_nul(data):
            raise InputRefused(nul_message())
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if _form_has_nul(parsed.data) or _files_have_nul(parsed.files):
            raise InputRefused(nul_message())
        return parsed


# One content type per operation body (issue 15 item 1): JSON, except an
# upload, which is multipart only. Offering both (or form-encoded too) with
# one model is what generated clients cannot express; pages post their forms
# to the pages, never to the API.


def takes_files(serializer_class) -> bool:
    """Whether a body's serializer has a file (or a list of files) among its fields."""
    if serializer_class is None:
        return False
    for field in serializer_class().fields.values():
        if isinstance(field, serializers.ListField):
            field = field.child
        if isinstance(field, serializers.FileField):
            return True
    return False


def parsers_for(serializer_class) -> list[type[parsers.BaseParser]]:
    """The parsers of an operation whose body ``serializer_class`` reads:
    multipart for an upload, JSON for anything else."""
    return [MultiPartParser] if takes_files(serializer_class) else [JSONParser]


# --- date-time filters ------------------------------------------------------------------


class IsoDateTimeField(_IsoDateTimeField):
    """django-filter's ISO 8601 field, refusing what the database cannot
    compare with: an offset beyond ±15:59 (PostgreSQL) or a moment outside
    the years 1-9999 once in UTC (SQLite, Python)."""

    default_error_messages = {
        "offset": gettext_lazy("The time-zone offset must lie between -15:59 and +15:59."),
        "range": gettext_lazy("The date and time must lie within the years 1 to 9999 (UTC)."),
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and abs(offset) >= MAX_OFFSET:
            raise django_exceptions.ValidationError(self.error_messages["offset"], code="offset")
        try:
            moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise django_exceptions.ValidationError(
                self.error_messages["range"], code="range"
            ) from None
        return moment


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = IsoDateTimeField


# --- ids ----------------------------------------------------------------------------------

# The largest id a database column holds (a signed 64-bit integer): a larger
# one overflows SQLite's integers and Python's conversions, and is no row.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """A path's or parameter's id as an int, or None if it cannot be one
    (not digits, too long, zero or beyond any column)."""
    text = str(value)
    if not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdField(django_forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A filter by id: a whole number from 1 to 2^63-1, or a 400 naming it."""

    field_class = IdField  # type: ignore[assignment]  # the stubs allow only the parent's field class
