"""Small real documents for upload tests, made in memory."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name="concept-paper.pdf", body=b""):
    return SimpleUploadedFile(name, PDF + body, content_type="application/pdf")


def _zip(members: dict[str, bytes], first: tuple[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, uncompressed
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(name="paper.docx"):
    data = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )
    return SimpleUploadedFile(name, data)


def odt(name="paper.odt"):
    data = _zip(
        {"content.xml": b"<office:document-content/>"},
        first=("mimetype", b"application/vnd.oasis.opendocument.text"),
    )
    return SimpleUploadedFile(name, data)


def not_a_paper(name="paper.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is an executable, not a paper" * 10)
