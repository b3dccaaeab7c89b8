"""List pages written as JSON by PostgreSQL (issue 18, target 1).

A lean list page (issue 8) read its rows, then the related rows of the page
by key: one query each (coordinators, papers, offers...). Issue 18 first put
the related rows in the page's statement as JSON columns that Python decoded
and encoded again; decoding 300 columns and writing 82 KB then took most of
a measures page's time in Python. The builders here write each row of a
page whole, as the API writes it, and the page goes out as PostgreSQL wrote
it (:class:`JSONArrayText`, ``cica.renderers.JSONRenderer``).

Written as SQL, not as ORM subqueries: Django took longer to resolve and
compile ``Subquery(OuterRef)`` annotations (~10 ms a page, more under load)
than PostgreSQL took to run them. The SQL names its tables from the models'
``_meta`` and refers to the outer row by the outer table's name (Django
never aliases the base table of a query).

``json``, not ``jsonb``: ``json`` keeps an object's keys in the order they
were built, which is the order the API has always written them (``jsonb``
reorders keys by length). ``ROW_TO_JSON`` and ``ARRAY_TO_JSON`` write
compact JSON, as DRF's renderer does (no space after ``,`` or ``:``;
``JSON_BUILD_OBJECT`` and ``JSON_AGG`` put spaces in), and escape strings as
Python's ``json`` does with ``ensure_ascii=False``; the renderer escapes
U+2028 and U+2029 over the whole page, as DRF. tests/api/test_lean_lists.py
and tests/api/test_written_pages.py hold the bytes equal to the several-query
path's, in three languages, with hostile text and dates.

PostgreSQL only; the callers keep their several-query path elsewhere.
"""

import json
from collections import UserList
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def _columns(columns: Sequence[tuple[str, str]]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{sql} AS {quote(key)}" for key, sql in columns)


def record(columns: Sequence[tuple[str, str]], from_: str = "") -> str:
    """SQL of one JSON object whose keys are ``columns``' keys, in order, and
    whose values are their SQL expressions (which may refer to the outer
    row, and to ``from_``: ``FROM … WHERE …`` of at most one row, read once
    for all the columns): type ``json``, so another record embeds it as it is."""
    return f"(SELECT ROW_TO_JSON(o) FROM (SELECT {_columns(columns)} {from_}) o)"


def records(from_: str, where: str, columns: Sequence[tuple[str, str]], order_by: str) -> str:
    """SQL of a JSON array of :func:`record`-shaped objects, one for each row
    of ``FROM from_ WHERE where``, in ``order_by``'s order (``[]`` when none).
    The object is a LATERAL row of the same level as the ORDER BY, so the
    order is the statement's own, not a subquery's that may be lost;
    ``order_by`` may name the object's keys as ``o.key``."""
    return (
        f"ARRAY_TO_JSON(ARRAY(SELECT ROW_TO_JSON(o) FROM {from_} "
        f"CROSS JOIN LATERAL (SELECT {_columns(columns)}) o "
        f"WHERE {where} ORDER BY {order_by}))"
    )


def isoformat(column: str, zone: str) -> str:
    """SQL of a ``timestamptz`` column as DRF writes a datetime in ``zone``
    (the current time zone): ``datetime.isoformat()`` — microseconds only
    when there are some, the offset as ``+05:00`` (``+05:07:48`` for an
    offset with seconds) — with ``Z`` for UTC. ``zone`` is a time zone name
    from the settings, quoted here as an SQL literal."""
    zone = "'" + zone.replace("'", "''") + "'"
    local = f"({column} AT TIME ZONE {zone})"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    magnitude = f"GREATEST({offset}, -{offset})"
    return f"""(CASE WHEN {column} IS NULL THEN NULL ELSE
        TO_CHAR({local}, 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN MOD(EXTRACT(MICROSECONDS FROM {local})::bigint, 1000000) = 0 THEN ''
                ELSE TO_CHAR({local}, '.US') END
        || CASE WHEN {offset} = INTERVAL '0' THEN 'Z'
                ELSE CASE WHEN {offset} < INTERVAL '0' THEN '-' ELSE '+' END
                     || TO_CHAR({magnitude}, 'HH24:MI')
                     || CASE WHEN EXTRACT(SECOND FROM {offset}) = 0 THEN ''
                             ELSE TO_CHAR({magnitude}, ':SS') END
           END
    END)"""


class JSONArrayText(UserList):
    """A JSON array as PostgreSQL wrote it, one text per item: the renderer
    writes the texts as they are; anything else that reads the list (the
    browsable API, a test's ``response.data``) gets the items decoded, once."""

    def __init__(self, items: list[str]):
        # Not UserList's __init__, which would set .data (decoded on demand).
        self.items = items

    @cached_property
    def data(self) -> list[Any]:  # type: ignore[override]  # UserList's, decoded on first read
        return [json.loads(item) for item in self.items]

    def __getitem__(self, key):
        # UserList would build a JSONArrayText from decoded items for a slice.
        return self.data[key]

    def text(self) -> str:
        return "[" + ",".join(self.items) + "]"
