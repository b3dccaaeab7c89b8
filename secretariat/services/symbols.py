"""Document symbols: the next running number for a prefix."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import (
    SymbolSequence,
)


@transaction.atomic
def symbol_next(*, prefix: str) -> str:
    """The next running number for a prefix (``CICA/SWG/DEC/2026/`` → ``…/4``).

    The sequence row is locked while it is incremented, so two decisions
    recorded at once never share a symbol.
    """
    try:
        with transaction.atomic():
            SymbolSequence.objects.get_or_create(prefix=prefix)
    except IntegrityError:
        pass  # created by a concurrent writer: use it
    seq = SymbolSequence.objects.select_for_update().get(prefix=prefix)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}{seq.last}"
