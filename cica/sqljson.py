"""JSON built by PostgreSQL inside a list page's own query (issue 18 target 1).

A lean list page (issue 8) read its rows, then the related rows of the page
by key: one query each (coordinators, papers, offers...). These expressions
put the related rows in the page's statement instead, as correlated
subqueries that return JSON text, so a page is one round trip.

``json`` (not ``jsonb``) on purpose: ``json`` keeps an object's keys in the
order they were built, which is the order the API has always written them
(``jsonb`` reorders keys by length). The text is returned as text (``::text``
and a ``TextField``) and decoded by the caller: psycopg would decode a
``json`` column itself, but Django registers ``jsonb`` as text, and one rule
for both keeps the reader simple.

PostgreSQL only; the callers keep their several-query path elsewhere.
"""

import re
from typing import Any

from django.db.models import Expression, Func, Subquery, TextField

_KEY = re.compile(r"^[a-z_]+$")


class JsonObject(Func):
    """``JSON_BUILD_OBJECT('key', value, ...)``, keys in the order given.

    The keys are written into the SQL (they are names in our code, checked
    below), not passed as parameters: PostgreSQL cannot type a bare parameter
    of ``JSON_BUILD_OBJECT(VARIADIC "any")``, and 100 rows of parameters
    cost more than the query (see ``cica.lookups.AnyOf``)."""

    function = "JSON_BUILD_OBJECT"
    # JSON inside SQL only: what reaches Python is the enclosing JsonArray's
    # or JsonText's text.
    output_field = TextField()

    def __init__(self, **fields: Expression | Any) -> None:
        for key in fields:
            if not _KEY.match(key):
                raise ValueError(f"JSON key {key!r}: lower-case letters and _ only")
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, part_params = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(part_params)
        return f"JSON_BUILD_OBJECT({', '.join(parts)})", params


class JsonArray(Subquery):
    """The subquery's rows, each one JSON value (its single column), as a
    JSON array in the subquery's ORDER BY, as text; ``[]`` when none.

    ``ARRAY(subquery)`` keeps the subquery's order (an aggregate over a
    sorted subquery need not)."""

    template = "ARRAY_TO_JSON(ARRAY(%(subquery)s))::text"
    output_field = TextField()


class JsonText(Subquery):
    """The subquery's single JSON value as text; NULL when it has no row."""

    template = "((%(subquery)s))::text"
    output_field = TextField()
