"""The API's filter backend (a module of its own: DRF imports it while
``rest_framework.generics`` is still loading)."""

from functools import lru_cache
from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


def takes_empty(filter_field) -> bool:
    """Whether ``?name=`` (given, but empty) is a value this filter accepts.

    Free text (a search) may be empty: it then searches for nothing. Every
    other filter (a choice, a code, a yes/no, a number, a date) has no empty
    value, and django-filter would silently drop it: the client asked for a
    filter and got the whole list. Those are a 400 naming the parameter, and
    the schema says so (an enum without "", ``minLength: 1``, a type)."""
    return type(filter_field) is django_filters.CharFilter


class FilterBackend(DjangoFilterBackend):
    """django-filter, but a request that names none of the view's filters is
    not filtered at all: building and validating the filter form for nothing
    cost a list page about a tenth of its time (make bench). An absent filter
    filters nothing in django-filter either, so the answer is the same.

    A filter given with an empty value is a 400 naming it (see
    :func:`takes_empty`)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        named = frozenset(
            name
            for name in filterset_class.base_filters
            for param in request.query_params
            # name_after, name_min...: the parameters of a range filter's widgets
            if param == name or param.startswith(f"{name}_")
        )
        if not named:
            return queryset
        empty = sorted(
            name
            for name, filter_field in filterset_class.base_filters.items()
            if not takes_empty(filter_field)
            and any(value == "" for value in request.query_params.getlist(name))
        )
        if empty:
            raise ValidationError(
                {
                    name: [_("Must not be empty: leave the parameter out to not filter by it.")]
                    for name in empty
                }
            )
        filterset = _named_only(filterset_class, named)(
            **self.get_filterset_kwargs(request, queryset, view)
        )
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)  # type: ignore[misc]  # untyped: a ValidationError
        return filterset.qs


@lru_cache(maxsize=512)
def _named_only(filterset_class, named: frozenset[str]):
    """``filterset_class`` with only the filters the request names: a
    FilterSet deep-copies every filter and builds every form field (with its
    label) at each request (0.8 ms for the initiatives' six filters, 0.2 ms
    for the one ``?status=`` names; issue 18). The others, absent, would
    filter nothing. One class per set of names (at most 2**filters each)."""
    narrowed: Any = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: filter_field
        for name, filter_field in filterset_class.base_filters.items()
        if name in named
    }
    return narrowed
