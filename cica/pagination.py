from functools import cached_property, partial
from typing import Any, cast

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from cica.sqljson import JSONArrayText


class _RowsPaginator(Paginator):
    """Pages rows (``.values()`` with joins) but counts the queryset they came
    from: COUNT(*) needs none of the joins (PostgreSQL keeps the inner ones)."""

    def __init__(self, object_list, per_page, *, counted, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._counted = counted

    @cached_property
    def count(self):
        return self._counted.count()


class _PageByIds:
    """The rows of a page whose columns include correlated subqueries (the
    JSON of issue 18), read in one statement by the ids of the page:
    ``WHERE id IN (SELECT id … ORDER BY … LIMIT n OFFSET m)``, in the
    queryset's own order. With a plain OFFSET PostgreSQL computes a row's
    columns before the LIMIT skips it, so page 20 of the measures ran the
    subqueries for 2,000 rows (58 ms against 10 ms for page 1, make bench
    data); by ids it runs them for the rows shown only. A COUNT(*) OVER ()
    window in the page's statement was tried too: it joined and counted every
    row before the limit (7 of the page's 10 ms at 2,026 measures), more than
    the separate COUNT(*) it saved."""

    ordered = True  # the queryset's order, which the paginator checks

    def __init__(self, queryset, unfiltered, fields, nested):
        self._queryset = queryset
        # The rows by their ids from the list's base, in its order: the
        # filters run once, in the ids' subquery (repeated in the outer
        # statement they doubled a filtered page's cost).
        self._unfiltered = unfiltered
        self._fields = fields
        self._nested = nested

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        ids = self._queryset.values("pk")[key]
        rows = self._unfiltered.filter(pk__in=ids).values(*self._fields, **self._nested)
        if not settings.CICA_DB_PREPARE:
            return list(rows)
        names = [*self._fields, *self._nested]
        return [dict(zip(names, row, strict=True)) for row in prepared_rows(rows)]


def prepared_rows(queryset) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` (PostgreSQL), through a cursor that binds its
    parameters on the server and runs the statement prepared: PostgreSQL
    plans a list page's statement once per connection instead of once per
    request (planning was ~1 of a measures page's ~3.5 ms, make bench data;
    issue 18). Django prepares nothing by default, for connection poolers
    in transaction mode (PgBouncer before 1.21): ``CICA_DB_PREPARE=false``
    for those. The statement goes through Django's cursor wrapper, so it is
    logged and counted like any other query."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # an empty page's ids: Django runs nothing either
        return []
    connection.ensure_connection()
    raw = _PreparingCursor(connection.connection)
    cursor = (
        _PreparedDebugWrapper(raw, connection)
        if connection.queries_logged
        else CursorWrapper(raw, connection)
    )
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Django's debug wrapper, logging the statement with its parameters in
    place (Django would log the server's ``$1``), as every other query is."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


class _PreparingCursor(psycopg.Cursor):
    """psycopg's server-side binding cursor, every statement prepared (Django's
    wrapper calls ``execute(sql, params)`` without psycopg's ``prepare``)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _ClientPageSize:
    """``page_size`` chosen by the client.

    A ``page_size`` above the cap is lowered to the cap; one that is not a
    positive whole number is a 400 naming the parameter rather than being
    silently replaced by the default.
    """

    page_size: int | None
    page_size_query_param: str
    max_page_size: int

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size <= 0:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Must be a positive whole number (at most {self.max_page_size})."
                    ]
                }
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        """DRF's parameters, with the bounds the server keeps: ``page_size``
        from 1 to the cap (``0`` is a 400; larger is lowered to the cap, and
        the schema documents the cap), ``page`` from 1."""
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]  # the paginator's own
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
            elif parameter["name"] == "page":
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class PageSizePagination(_ClientPageSize, PageNumberPagination):
    """Page-number pagination with ``page_size`` chosen by the client."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_rows(
        self, queryset, fields, request, view=None, *, nested=None, unfiltered=None
    ) -> list[dict[str, Any]]:
        """:meth:`paginate_queryset` for lean list pages: the page is read as
        ``queryset.values(*fields, **nested)`` in one query, and the count
        runs on the queryset as filtered. ``nested``: more columns
        (expressions) the page's rows carry, computed for the page's rows
        only (:class:`_PageByIds`); ``unfiltered``: the list's base before
        its filters, in the same order, from which those rows are read by id."""
        # DRF only calls the class with (rows, page size): a partial serves.
        self.django_paginator_class = cast(
            type[Paginator], partial(_RowsPaginator, counted=queryset)
        )
        # The paginator only slices it (the stubs want a QuerySet or a Sequence).
        rows: Any = (
            _PageByIds(queryset, unfiltered, fields, nested)
            if nested and unfiltered is not None and not queryset.query.distinct
            else queryset.values(*fields, **(nested or {}))
        )
        # None only when no page size is set; this class always has one.
        return self.paginate_queryset(rows, request, view) or []

    def paginate_json(self, queryset, request, view=None, *, row, unfiltered) -> JSONArrayText:
        """:meth:`paginate_rows` for a page whose rows PostgreSQL writes as
        the API's JSON (issue 18): ``row``, an expression over the list's
        base table, one JSON text per row; the page goes out as those texts."""
        rows = self.paginate_rows(
            queryset, (), request, view, nested={"json": row}, unfiltered=unfiltered
        )
        return JSONArrayText([r["json"] for r in rows])


class GrowingListPagination(_ClientPageSize, CursorPagination):
    """Cursor pagination for lists that grow while clients page through them
    (notifications, circulations, decisions): a new row never shifts a page,
    and no COUNT(*) is run over a growing table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-pk",)
