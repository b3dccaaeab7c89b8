from functools import cached_property, partial
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Window
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

# The name of the window count a page's rows carry (see _RowsPaginator).
ROWS_TOTAL = "rows_total"


class _RowsPaginator(Paginator):
    """Pages rows (``.values()`` with joins) but counts the queryset they came
    from: COUNT(*) needs none of the joins (PostgreSQL keeps the inner ones).

    With ``windowed``, the rows carry the count (``COUNT(*) OVER ()``, named
    :data:`ROWS_TOTAL`): a page that has rows is one query, count included
    (issue 18). Only an empty page (past the end, or an empty list) runs the
    COUNT(*) as before, which raises the same errors as before."""

    def __init__(self, object_list, per_page, *, counted, windowed=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._counted = counted
        self._windowed = windowed

    @cached_property
    def count(self):
        return self._counted.count()

    def page(self, number):
        if not self._windowed or isinstance(number, float):
            return super().page(number)
        try:
            first = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # PageNotAnInteger, before any query
        if first < 1:
            return super().page(number)  # EmptyPage, before any query
        bottom = (first - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + self.orphans])
        if not rows:
            # Counts: an empty first page, or past the end (EmptyPage).
            return Page(rows, self.validate_number(first), self)
        self.__dict__["count"] = rows[0][ROWS_TOTAL]  # the cached_property's value
        # Paginator.page from here on, its count known.
        number = self.validate_number(first)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(rows[: top - bottom], number, self)


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
        self, queryset, fields, request, view=None, *, nested=None
    ) -> list[dict[str, Any]]:
        """:meth:`paginate_queryset` for lean list pages: the page is read as
        ``queryset.values(*fields, **nested)`` in one query, with the count
        of the queryset as filtered (a window in the same query where the
        database has windows; its own query otherwise, or for an empty page).
        ``nested``: more columns (expressions) the page's rows carry."""
        # A DISTINCT page would count the rows before DISTINCT (the window
        # runs first): it keeps its own COUNT(*) query.
        windowed = connection.features.supports_over_clause and not queryset.query.distinct
        # DRF only calls the class with (rows, page size): a partial serves.
        self.django_paginator_class = cast(
            type[Paginator], partial(_RowsPaginator, counted=queryset, windowed=windowed)
        )
        rows = queryset.values(*fields, **(nested or {}))
        if windowed:
            rows = rows.annotate(**{ROWS_TOTAL: Window(Count("*"))})
        # None only when no page size is set; this class always has one.
        return self.paginate_queryset(rows, request, view) or []


class GrowingListPagination(_ClientPageSize, CursorPagination):
    """Cursor pagination for lists that grow while clients page through them
    (notifications, circulations, decisions): a new row never shifts a page,
    and no COUNT(*) is run over a growing table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-pk",)
