"""Save-only-when-changed, so loading the registers twice writes nothing twice
(no duplicate rows and no empty history entries)."""

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], *, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, str]:
    """Create the row matching ``lookup`` or bring it to ``values``.

    Returns ``(obj, outcome)`` with outcome ``"created"``, ``"updated"`` or
    ``"unchanged"``. The row is locked while compared, so two loads at once
    cannot both create it.
    """
    obj = model._default_manager.select_for_update().filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return obj, "updated"
