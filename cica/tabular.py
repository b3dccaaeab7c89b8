"""Reading CSV and XLSX uploads into rows of text, for the register imports.

The files are the ones a secretariat's spreadsheet writes: a CSV separated by
commas, semicolons (French and Russian locales) or tabs; line endings CRLF, LF
or CR alone (old Mac Excel); UTF-8 with or without a byte-order mark, or
Windows-1252 (Excel's "CSV" in Western Europe). The size and the number of
rows are capped (``CICA_IMPORT_MAX_BYTES``, ``CICA_IMPORT_MAX_ROWS``) so one
file cannot hold a worker for minutes.
"""

import csv
import datetime
import io
import re

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _

from .errors import DomainError
from .uploads import too_large_message

SEPARATORS = ",;\t"


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252; never text with NUL bytes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = None
    if text is None or "\x00" in text:
        raise DomainError(
            _("The CSV file must be text: UTF-8 (with or without BOM) or Windows-1252.")
        )
    return text


def _separator(text: str) -> str:
    """The separator the file uses: csv.Sniffer limited to comma, semicolon
    and tab; if it cannot tell, the one the header line holds most of."""
    sample = text[: 64 * 1024]
    header = sample.lstrip("\n").split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and counts[sniffed]:
        return sniffed
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_rows(upload) -> list[dict[str, str]]:
    """Rows as dicts keyed by the lower-cased header, from a CSV or XLSX file
    (recognised by content: an XLSX is a zip archive)."""
    limit = settings.CICA_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DomainError(too_large_message(upload.size, limit))
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise DomainError(
            _("The file is over the limit of %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    max_rows = settings.CICA_IMPORT_MAX_ROWS
    if data[:2] == b"PK":
        # Imported here: openpyxl is heavy and only an XLSX upload needs it.
        import openpyxl  # noqa: PLC0415

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            if sheet is None:
                raise ValueError("it has no sheet")
        except Exception as exc:  # a broken workbook is bad input, not a crash
            message = _("The XLSX file cannot be read: %(error)s") % {"error": exc}
            raise DomainError(message) from exc
        values = []
        for row in sheet.iter_rows(values_only=True):
            values.append(["" if v is None else str(v).strip() for v in row])
            if len(values) > max_rows + 1:
                break
    else:
        # CR alone, CRLF and LF all end a line (inside quotes too).
        text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
            values = [[c.strip() for c in row] for row in reader]
        except csv.Error as exc:
            message = _("The CSV file cannot be read: %(error)s") % {"error": exc}
            raise DomainError(message) from exc
    values = [row for row in values if any(row)]
    if not values:
        raise DomainError(_("The file holds no rows."))
    if len(values) - 1 > max_rows:
        raise DomainError(
            _("The file holds more than %(limit)s rows; import it in parts.") % {"limit": max_rows}
        )
    header = [h.lower() for h in values[0]]
    return [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in values[1:]
    ]


# --- dates as an officer types them -------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NUMERIC = re.compile(r"^\d{1,2}([./-])\d{1,2}\1\d{2,4}$")


def _day_first() -> bool:
    """Whether the active language writes the day before the month (fr, ru:
    02/11/2026 is 2 November), from Django's formats for that language
    (English: month first, unless ``FORMAT_MODULE_PATH`` says otherwise)."""
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        if "%d" in fmt and "%m" in fmt:
            return fmt.index("%d") < fmt.index("%m")
    return True


def expected_date() -> str:
    """What a date should look like, in the active language's order."""
    if _day_first():
        return _("DD/MM/YYYY or YYYY-MM-DD")
    return _("MM/DD/YYYY or YYYY-MM-DD")


def parse_date(value: str) -> datetime.date:
    """A date from a cell: ISO (YYYY-MM-DD, also what an XLSX date cell gives),
    the active language's input formats, or day and month separated by '/', '.'
    or '-' in the active language's order. ``ValueError`` otherwise."""
    value = value.strip()
    if _ISO.match(value):
        return datetime.date.fromisoformat(value[:10])
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    match = _NUMERIC.match(value)
    if match:
        sep = match.group(1)
        order = ("%d", "%m") if _day_first() else ("%m", "%d")
        for year in ("%Y", "%y"):
            try:
                return datetime.datetime.strptime(value, sep.join((*order, year))).date()
            except ValueError:
                continue
    raise ValueError(value)
