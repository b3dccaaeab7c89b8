"""Reading CSV and XLSX uploads into rows of text, for the register imports."""

import csv
import io

from django.utils.translation import gettext as _

from .errors import DomainError


def read_rows(upload) -> list[dict[str, str]]:
    """Rows as dicts keyed by the lower-cased header, from a CSV or XLSX file
    (recognised by content: an XLSX is a zip archive)."""
    data = upload.read()
    upload.seek(0)
    if data[:2] == b"PK":
        import openpyxl

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # a broken workbook is bad input, not a crash
            message = _("The XLSX file cannot be read: %(error)s") % {"error": exc}
            raise DomainError(message) from exc
        values = [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DomainError(_("The CSV file must be UTF-8 text.")) from exc
        values = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    values = [row for row in values if any(row)]
    if not values:
        raise DomainError(_("The file holds no rows."))
    header = [h.lower() for h in values[0]]
    return [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in values[1:]
    ]
