"""The participation table as a spreadsheet (CSV or XLSX): one line per state
and area owed, in the reader's language, for the SOC's own figures."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from .participation import NIL, REPORT, ParticipationTable

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _answer(state: str) -> str:
    return {REPORT: _("Report"), NIL: _("Nil return")}.get(state, _("Missing"))


def participation_rows(table: ParticipationTable) -> list[list[str]]:
    head = [
        _("Year"),
        _("State code"),
        _("State"),
        _("Priority area"),
        _("Return"),
        _("Late"),
        _("Submitted on"),
    ]
    lines = [head]
    for row in table.rows:
        for cell in row.cells:
            lines.append(
                [
                    str(table.year),
                    row.code,
                    row.name,
                    cell.area,
                    _answer(cell.state),
                    _("yes") if cell.late else _("no"),
                    cell.submitted_on.isoformat() if cell.submitted_on else "",
                ]
            )
    return lines


def participation_file(table: ParticipationTable, kind: str) -> bytes:
    """The table as ``kind`` (csv: UTF-8 with a byte-order mark, so that a
    spreadsheet reads the Cyrillic; xlsx: one sheet)."""
    lines = participation_rows(table)
    if kind == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(lines)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    # Imported here: openpyxl is heavy and only this download needs it.
    import openpyxl  # noqa: PLC0415

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=str(table.year))
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
