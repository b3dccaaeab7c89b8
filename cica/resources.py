"""Shared pieces of the exports (issue 16 item 13): dates in ISO format and
datetimes in the secretariat's zone with their offset, and a sheet named for
what it holds."""

import datetime
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from import_export import fields, resources, widgets

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class IsoDateWidget(widgets.Widget):
    """A date as YYYY-MM-DD, the same text in CSV and XLSX."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if isinstance(value, datetime.datetime):
            return IsoDateTimeWidget().render(value)
        return value.isoformat() if isinstance(value, datetime.date) else ""


class IsoDateTimeWidget(widgets.Widget):
    """A moment as ISO 8601 in the secretariat's zone (``settings.TIME_ZONE``)
    with its offset, e.g. 2026-12-06T03:30:00+05:00: unambiguous whoever opens
    the file, where a spreadsheet's own date cells would drop the zone."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if not isinstance(value, datetime.datetime):
            return ""
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return value.astimezone(zone).isoformat(timespec="seconds")


def date_column(label: "StrPromise", attribute: str) -> fields.Field:
    """A date column headed in the reader's language."""
    return fields.Field(attribute=attribute, column_name=label, widget=IsoDateWidget())  # type: ignore[arg-type]


def datetime_column(label: "StrPromise", attribute: str) -> fields.Field:
    """A date-and-time column headed in the reader's language."""
    return fields.Field(attribute=attribute, column_name=label, widget=IsoDateTimeWidget())  # type: ignore[arg-type]


# Characters a spreadsheet refuses in a sheet's name; and its length limit.
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
SHEET_NAME_LENGTH = 31


def sheet_name(title: object) -> str:
    return str(title).translate(_NOT_IN_SHEET_NAMES)[:SHEET_NAME_LENGTH]


class NamedSheetResource(resources.ModelResource):
    """An export whose sheet is named for what it holds ("Measures",
    "Initiatives", in the reader's language), not "Sheet 1"."""

    sheet_title: "StrPromise | str" = ""

    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        dataset = super().export(queryset, **kwargs)
        if self.sheet_title:
            dataset.title = sheet_name(self.sheet_title)
        return dataset
