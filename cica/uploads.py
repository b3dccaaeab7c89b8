"""Checks on uploaded documents, shared by papers and information attachments."""

import hashlib

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import DomainError

DOCUMENT_TYPES = ("pdf", "docx", "odt")


def document_check(upload) -> tuple[str, str]:
    """Refuse a file that is not a PDF, DOCX or ODT by its content (never by
    its name), or is empty or too large. Returns ``(extension, content type)``.
    Nothing is stored here."""
    limit = settings.CICA_MAX_UPLOAD_BYTES
    if upload is None:
        raise DomainError(_("Attach the document as a PDF, DOCX or ODT file."))
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
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


def open_stored(field):
    """Open a stored upload for reading; a file gone from storage is a clear
    404 ("missing"), not a server error."""
    from .errors import NotFound

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
    from urllib.parse import quote

    from django.http import FileResponse, HttpResponse

    header = settings.CICA_SENDFILE_HEADER
    if header:
        if not field.storage.exists(field.name):
            from .errors import NotFound

            raise NotFound(_("The file is missing from storage; tell the secretariat."))
        response = HttpResponse(content_type=content_type)
        if header.lower() == "x-sendfile":
            response[header] = field.path
        else:
            response[header] = settings.CICA_SENDFILE_PREFIX + quote(field.name)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(filename)}"
        )
    else:
        response = FileResponse(
            open_stored(field), as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
