"""A state's receipt of a circulation: read, acknowledged, and (member
states) its position, which may break a silence procedure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from cica.errors import NotFound as NotFoundError
from members.models import ParticipationStatus
from members.rules import acting_for

from ..models import (
    Circulation,
    CirculationKind,
    Position,
    Receipt,
    SilenceStatus,
)
from .outbox import notifications_clear
from .silence import _silence_break

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _own_receipt(actor: User, circulation: Circulation) -> Receipt:
    """The receipt of the state the actor acts for; a delegate answers for
    their own state only, and a circulation not addressed to it is not theirs."""
    participant = acting_for(actor)
    if participant is None:
        raise Forbidden(_("Only a delegate answers a circulation, for their own state."))
    receipt = (
        Receipt.objects.select_for_update()
        .select_related("participant")
        .filter(circulation=circulation, participant=participant)
        .first()
    )
    if receipt is None:
        raise NotFoundError(
            _("%(ref)s was not addressed to %(code)s.")
            % {"ref": circulation.reference, "code": participant.code}
        )
    return receipt


@transaction.atomic
def receipt_mark_read(*, actor: User, circulation: Circulation) -> Receipt | None:
    """Record the first reading by a delegate of the addressed state (once)."""
    participant = acting_for(actor)
    if participant is None:
        return None
    receipt = (
        Receipt.objects.select_for_update()
        .filter(circulation=circulation, participant=participant, first_read_at__isnull=True)
        .first()
    )
    if receipt is not None:
        receipt.first_read_at = timezone.now()
        receipt.first_read_by = actor
        receipt.save(update_fields=["first_read_at", "first_read_by"])
    return receipt


@transaction.atomic
def receipt_acknowledge(*, actor: User, circulation: Circulation) -> Receipt:
    """A delegate acknowledges receipt for their state (members and observers)."""
    receipt = _own_receipt(actor, circulation)
    now = timezone.now()
    changed = []
    if receipt.first_read_at is None:
        receipt.first_read_at, receipt.first_read_by = now, actor
        changed += ["first_read_at", "first_read_by"]
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor
        changed += ["acknowledged_at", "acknowledged_by"]
    if changed:
        receipt.save(update_fields=changed)
    if (
        circulation.kind == CirculationKind.INFORMATION
        or receipt.participant.status_on() != ParticipationStatus.MEMBER
    ):
        # Nothing more is asked of the state: its notices about it are done.
        notifications_clear(target_type="receipt", target_id=receipt.pk)
    return receipt


# A position that qualifies or opposes a paper says why: its text is part of the act.
POSITIONS_WITH_TEXT = frozenset({Position.COMMENT, Position.OBJECTION, Position.RESERVATION})


def receipt_answer_check(*, position: str, text: str) -> None:
    """A comment, an objection or a reservation comes with its text. The one
    copy of the rule: the delegate's form asks it before restating the
    position (so nobody is asked to confirm what would be refused), and
    ``receipt_answer`` asks it again before recording."""
    if position in POSITIONS_WITH_TEXT and not (text or "").strip():
        raise DomainError(
            _("Give the text that goes with “%(position)s”.")
            % {"position": Position(position).label}
        )


@transaction.atomic
def receipt_answer(
    *, actor: User, circulation: Circulation, position: str, text: str = ""
) -> Receipt:
    """A member state's position on a circulation, changeable until the
    deadline; every change is kept in the receipt's history. Observers take
    no part in decisions: they acknowledge, they do not take positions.

    On a draft decision under silence procedure, an objection breaks the
    silence and records the state that broke it.
    """
    if position not in Position.values:
        raise DomainError(_("Unknown position %(position)r.") % {"position": position})
    circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
    receipt = _own_receipt(actor, circulation)
    if circulation.kind == CirculationKind.INFORMATION:
        raise Conflict(_("Disseminated information is acknowledged, not answered."))
    # _own_receipt refused an actor acting for no state.
    if receipt.participant.status_on() != ParticipationStatus.MEMBER:
        raise Forbidden(_("Observers acknowledge circulations; only member states take positions."))
    if circulation.deadline and timezone.localdate() > circulation.deadline:
        raise Conflict(
            _("The deadline (%(deadline)s) has passed: positions can no longer change.")
            % {"deadline": circulation.deadline}
        )
    receipt_answer_check(position=position, text=text)
    now = timezone.now()
    receipt.position, receipt.position_text = position, text
    receipt.position_at, receipt.position_by = now, actor
    if receipt.first_read_at is None:
        receipt.first_read_at, receipt.first_read_by = now, actor
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor
    receipt.save()
    # The state has answered: none of its delegates is still asked to (issue 16).
    notifications_clear(target_type="receipt", target_id=receipt.pk)
    if position == Position.OBJECTION and circulation.silence_status == SilenceStatus.PENDING:
        _silence_break(circulation=circulation, receipt=receipt)
    return receipt
