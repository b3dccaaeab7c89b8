"""Checks on uploaded documents, shared by papers and information attachments."""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import DomainError, NotFound

DOCUMENT_TYPES = ("pdf", "docx", "odt")
# Their media types, as document_check finds them (filetype's names): what a
# stored paper's or attachment's ``content_type`` holds.
DOCUMENT_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
)

# What a request may carry besides its file: the multipart framing and the
# form's other fields (titles, texts of at most a few thousand characters).
REQUEST_OVERHEAD_BYTES = 64 * 1024


def request_limit() -> int:
    """The largest request body accepted: ``CICA_MAX_REQUEST_BYTES``, or by
    default one file at the limit and the form around it."""
    return settings.CICA_MAX_REQUEST_BYTES or (
        settings.CICA_MAX_UPLOAD_BYTES + REQUEST_OVERHEAD_BYTES
    )


def sizes(size: int, limit: int) -> dict[str, str]:
    """Both sizes for a message, never reading the same ("10.0 MB; the limit
    is 10.0 MB" for a file a few bytes over): in bytes when rounding would
    make them equal."""
    shown, allowed = filesizeformat(size), filesizeformat(limit)
    if shown == allowed:
        shown = _("%(n)s bytes") % {"n": size}
        allowed = _("%(n)s bytes") % {"n": limit}
    return {"size": shown, "limit": allowed}


def too_large_message(size: int, limit: int | None = None) -> str:
    """ "The file is 10.4 MB; the limit is 10.0 MB." The limit is
    ``CICA_MAX_UPLOAD_BYTES`` unless another is given (the imports' own)."""
    if limit is None:
        limit = settings.CICA_MAX_UPLOAD_BYTES
    return _("The file is %(size)s; the limit is %(limit)s.") % sizes(size, limit)


class UploadTooLarge(Exception):
    """A request body or one of its files is over the limit; nothing more of
    it is read. Answered 413 by ``cica.middleware.UploadLimitMiddleware``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UploadLimitHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts each file's bytes as they
    arrive and stops reading the body once one is over
    ``CICA_MAX_UPLOAD_BYTES`` (a body whose Content-Length did not give it
    away: several files, or a larger ``CICA_MAX_REQUEST_BYTES``)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.CICA_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(settings.CICA_MAX_UPLOAD_BYTES)}
            )
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file


# A view's gate: ``gate(request, *args, **kwargs)`` answers the refusal (a
# page with its reason, or the sign-in redirect), or None when the request may
# go on. It reads only the URL and the user, never the body.
UploadGate = Callable[..., HttpResponseBase | None]
_GATE_PASSED = "_cica_upload_gate_passed"


def refused_before_upload(gate: UploadGate) -> Callable[[Callable[..., HttpResponseBase]], Any]:
    """Decorate a page whose form takes a file: whoever may not use the form
    is refused before its body is read (issue 16 item 5) — by
    ``cica.middleware.UploadLimitMiddleware``, which runs the gate before it
    parses a multipart body (and before the CSRF check reads it), and by the
    view itself on a GET, where the form is then not shown at all. Nobody
    signed in is sent to sign in. The gate runs once per request."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Any:
        @wraps(view)
        def gated(request, *args, **kwargs):
            refusal = run_upload_gate(gated, request, args, kwargs)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        gated.upload_gate = gate  # type: ignore[attr-defined]
        return gated

    return decorate


def run_upload_gate(view, request, args, kwargs) -> HttpResponseBase | None:
    """The refusal of ``view``'s gate for this request, if it has one (the
    sign-in redirect for nobody signed in); None when it passed (then or
    earlier in this request) or the view has no gate."""
    gate = getattr(view, "upload_gate", None)
    if gate is None or getattr(request, _GATE_PASSED, False):
        return None
    if not request.user.is_authenticated:
        # Imported here: this module is imported while the apps load.
        from django.contrib.auth.views import redirect_to_login  # noqa: PLC0415

        return redirect_to_login(request.get_full_path())
    refusal = gate(request, *args, **kwargs)
    if refusal is None:
        setattr(request, _GATE_PASSED, True)
    return refusal


def document_check(upload) -> tuple[str, str]:
    """Refuse a file that is not a PDF, DOCX or ODT by its content (never by
    its name), or is empty or too large. Returns ``(extension, content type)``.
    Nothing is stored here."""
    limit = settings.CICA_MAX_UPLOAD_BYTES
    if upload is None:
        raise DomainError(_("Attach the document as a PDF, DOCX or ODT file."))
    if upload.size > limit:
        raise DomainError(too_large_message(upload.size))
    if upload.size == 0:
        raise DomainError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        found = kind.mime if kind else _("unknown")
        raise DomainError(
            _("The file is not a PDF, DOCX or ODT document (its content is %(found)s).")
            % {"found": found}
        )
    return kind.extension, kind.mime


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@contextmanager
def removed_on_failure() -> Iterator[list[str]]:
    """Delete the files stored inside the block if the block raises.

    A stored file is not part of the database transaction: when the rows that
    name it roll back, nothing else would ever remove it. Wrap the whole
    transaction in the block (its notices and its commit included) and append
    each stored file's name to the list it yields."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def open_stored(field):
    """Open a stored upload for reading; a file gone from storage is a clear
    404 ("missing"), not a server error."""
    try:
        return field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound(_("The file is missing from storage; tell the secretariat.")) from exc


def stored_download(field, *, filename: str, content_type: str):
    """The answer that hands a stored upload to someone the caller has already
    allowed to read it: always a download (``attachment``), never rendered
    inline from our origin, with ``nosniff`` and a sandboxing CSP in case a
    browser tries anyway.

    With ``CICA_SENDFILE_HEADER`` set (``X-Accel-Redirect`` for nginx,
    ``X-Sendfile`` for Apache) the web server sends the bytes from
    ``CICA_SENDFILE_PREFIX`` + the stored name; the permission check stays
    here. Otherwise Django streams the file."""
    header = settings.CICA_SENDFILE_HEADER
    if header:
        if not field.storage.exists(field.name):
            raise NotFound(_("The file is missing from storage; tell the secretariat."))
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        if header.lower() == "x-sendfile":
            response[header] = field.path
        else:
            response[header] = settings.CICA_SENDFILE_PREFIX + quote(field.name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    else:
        response = FileResponse(
            open_stored(field), as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
