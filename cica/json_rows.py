"""Related rows read in their parent's statement, as a JSON array.

A detail page that prefetches each relation pays one round trip per
relation (issue 18: the initiative's detail took ten). :class:`JSONRows` is a
column of the parent's query holding the rows of a correlated queryset as a
JSON array, on PostgreSQL (``JSON_AGG``) and SQLite (``JSON_GROUP_ARRAY``)
alike, so the page reads everything in one statement.

The order of the rows is carried in each row (``"_n"``, numbered by
``ROW_NUMBER()`` over the wanted ordering) and :func:`json_rows` sorts by it:
neither database promises that an aggregate keeps the order of a sorted
subquery (SQLite 3.40 has no ``ORDER BY`` inside an aggregate). Values come
back as JSON gives them: :func:`json_rows` converts what JSON cannot carry
(booleans from SQLite's 0 and 1, dates and times from text).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db.models import F, Func, OrderBy, QuerySet, Subquery, TextField, Window
from django.db.models.expressions import BaseExpression
from django.db.models.functions import JSONObject, RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

ORDER_KEY = "_n"
_ROW = "json_row"


class JSONRows(Subquery):
    """The rows of ``queryset`` (filtered on an ``OuterRef``) as a JSON array
    of objects with the keys of ``fields`` (a column name, a lookup through
    relations or an expression each), numbered in the order of ``order_by``.

    At the top of a query the array is text, for :func:`json_rows`; inside
    another ``JSONObject`` (``nested=True``) it is a JSON value."""

    output_field = TextField()

    def __init__(
        self,
        queryset: QuerySet[Any],
        *,
        order_by: Sequence[str | OrderBy],
        nested: bool = False,
        **fields: str | BaseExpression | F,
    ) -> None:
        numbered = JSONObject(**{ORDER_KEY: Window(RowNumber(), order_by=list(order_by))}, **fields)
        self.nested = nested
        super().__init__(queryset.order_by().values(**{_ROW: numbered}))

    def as_postgresql(self, compiler, connection, **extra_context):
        rows = f"COALESCE(JSON_AGG(_r.\"{_ROW}\"), '[]'::json)"
        template = f"(SELECT {rows if self.nested else rows + '::text'} FROM (%(subquery)s) _r)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # A value read from a subquery loses its JSON subtype: JSON() gives it back.
        rows = (
            f"SELECT COALESCE(JSON_GROUP_ARRAY(JSON(_r.\"{_ROW}\")), '[]') FROM (%(subquery)s) _r"
        )
        template = f"JSON(({rows}))" if self.nested else f"({rows})"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class JSONColumn(Func):
    """A JSONField's column as a JSON value inside ``JSONObject``: SQLite
    keeps it as text, which ``JSON_OBJECT`` would otherwise quote as a string."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="JSON(%(expressions)s)", **extra_context)


def as_date(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def as_datetime(value: str | None) -> datetime.datetime | None:
    """A time as the database wrote it in JSON: ISO 8601 with its offset on
    PostgreSQL, the stored UTC text on SQLite (as Django's SQLite backend reads it)."""
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a date and time: {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def as_bool(value: Any) -> bool:
    return bool(value)


def json_rows(
    value: str | list[dict[str, Any]] | None,
    convert: Mapping[str, Callable[[Any], Any]] | None = None,
) -> list[dict[str, Any]]:
    """The rows of a :class:`JSONRows` column (text, or already a list when
    nested) in their order, with the keys named in ``convert`` converted
    (the order key dropped)."""
    rows: list[dict[str, Any]] = json.loads(value) if isinstance(value, str) else list(value or [])
    rows.sort(key=lambda row: row[ORDER_KEY])
    for row in rows:
        del row[ORDER_KEY]
        for key, to_python in (convert or {}).items():
            row[key] = to_python(row[key])
    return rows
