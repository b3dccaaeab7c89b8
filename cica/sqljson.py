"""JSON built by PostgreSQL inside a list page's own query (issue 18 target 1).

A lean list page (issue 8) read its rows, then the related rows of the page
by key: one query each (coordinators, papers, offers...). The columns built
here put the related rows in the page's statement instead, as correlated
subqueries that return JSON text, so a page is one round trip.

Written as SQL, not as ORM subqueries: Django took longer to resolve and
compile the four ``Subquery(OuterRef)`` annotations (~10 ms a page, more
under load) than PostgreSQL took to run them, which cost the page the round
trips it saved. The SQL names its tables from the models' ``_meta`` and
refers to the outer row by the outer table's name (Django never aliases the
base table of a query).

``json`` (not ``jsonb``) on purpose: ``json`` keeps an object's keys in the
order they were built, which is the order the API has always written them
(``jsonb`` reorders keys by length). ``ARRAY(subquery)`` keeps the
subquery's ORDER BY (an aggregate over a sorted subquery need not). Each
column is cast to text and decoded by the caller: psycopg decodes ``json``
itself but Django registers ``jsonb`` as text; one rule for both.

PostgreSQL only; the callers keep their several-query path elsewhere.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model, TextField
from django.db.models.expressions import RawSQL


def table(model: type[Model]) -> str:
    """The model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def json_array(select: str, params: Sequence[Any] = ()) -> RawSQL:
    """``select`` (one JSON value per row, ordered) as a JSON array, as
    text; ``[]`` when it has no row."""
    return RawSQL(f"ARRAY_TO_JSON(ARRAY({select}))::text", tuple(params), output_field=TextField())


def json_value(select: str, params: Sequence[Any] = ()) -> RawSQL:
    """``select``'s single JSON value (at most one row), as text; NULL when
    it has no row."""
    return RawSQL(f"(({select}))::text", tuple(params), output_field=TextField())
