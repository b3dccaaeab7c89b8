"""Circulating a paper, a draft decision or disseminated information: one
receipt per addressed state and one notification per active delegate.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cica.errors import DomainError
from measures.models import Initiative, Paper
from members.models import Participant, ParticipationStatus

from ..models import (
    Audience,
    Circulation,
    CirculationKind,
    NotificationKind,
    Receipt,
    SilenceStatus,
)
from .notices import RENDERERS, Params
from .outbox import _active_delegates, _in_their_language, _rendered, notify
from .symbols import symbol_next

# ``notice(circulation)``: a notice's ``(subject, text)`` in the active language.
if TYPE_CHECKING:
    from django.contrib.auth.models import User


Notice: TypeAlias = Callable[[Circulation], tuple[str, str]]


def circulation_create(
    *,
    actor: User,
    initiative: Initiative,
    paper: Paper | None,
    deadline: datetime.date,
    audience: str,
    kind: str = CirculationKind.PAPER,
    body: str = "",
    draft_text: str = "",
    silence: bool = False,
    notice: Notice | None = None,
) -> Circulation:
    """Circulate a paper (or a draft decision) with a comment deadline: one
    receipt per addressed participant and one notification per active
    delegate of each, written in this transaction in a fixed number of
    queries whatever the number of states and delegates. The e-mails leave
    after commit (``notify``). ``notice(circulation)``, when given, returns the
    notice's ``(subject, text)`` and is called in each recipient's language."""
    if audience not in Audience.values:
        raise DomainError(_("Unknown audience %(audience)r.") % {"audience": audience})
    today = timezone.localdate()
    if deadline < today:
        raise DomainError(_("The comment deadline cannot be in the past."))
    if deadline > today + datetime.timedelta(days=365):
        raise DomainError(_("The comment deadline must be within a year."))
    reference = symbol_next(prefix=f"CICA/CIRC/{today:%Y}/")
    circulation = Circulation(
        kind=kind,
        initiative=initiative,
        paper=paper,
        reference=reference,
        audience=audience,
        deadline=deadline,
        circulated_by=actor if getattr(actor, "pk", None) else None,
        body=body,
        draft_text=draft_text,
        silence_status=SilenceStatus.PENDING if silence else SilenceStatus.NONE,
    )
    circulation.save()
    kind_ = NotificationKind.SILENCE if silence else NotificationKind.CIRCULATION
    params = {
        "what": paper.symbol if paper else "",
        "ref": reference,
        "measure": initiative.measure.code,
        "deadline": deadline.isoformat(),
    }
    _fan_out(circulation=circulation, actor=actor, kind=kind_, params=params, notice=notice)
    return circulation


def _fan_out(
    *,
    circulation: Circulation,
    actor: User,
    kind: str,
    params: Params,
    notice: Notice | None = None,
) -> None:
    """One receipt per addressed participant and one notification per active
    delegate of each, in a fixed number of queries, each delegate's copy in
    their language: from ``params`` (the circulation notice, written again in
    the reader's language when shown), or from ``notice`` when given."""
    today = timezone.localdate()
    statuses = [ParticipationStatus.MEMBER]
    if circulation.audience == Audience.MEMBERS_AND_OBSERVERS:
        statuses.append(ParticipationStatus.OBSERVER)
    addressed = list(
        Participant.objects.with_status(today).filter(status__in=statuses).order_by("code")
    )
    receipts = bulk_create_with_history(
        [Receipt(circulation=circulation, participant=p) for p in addressed],
        Receipt,
        default_user=actor if getattr(actor, "pk", None) else None,
    )
    if any(r.pk is None for r in receipts):  # backends that return no ids
        receipts = list(circulation.receipts.all())
    by_participant = {r.participant_id: r for r in receipts}
    delegates = _active_delegates(participant_ids=list(by_participant))
    targets = [(user, "receipt", by_participant[pid].pk) for user, pid in delegates]
    if notice is None:
        render = kind if kind in RENDERERS else NotificationKind.CIRCULATION
        messages = _rendered(targets, kind=render, params=params)
    else:
        rendered: dict[str, tuple[str, str]] = {}

        def in_language(_user: User) -> tuple[str, str]:
            language = translation.get_language()
            if language not in rendered:
                rendered[language] = notice(circulation)
            return rendered[language]

        messages = _in_their_language(targets, in_language)
    notify(
        kind=kind,
        event_key=f"circulation:{circulation.pk}",
        messages=messages,
        url=f"/api/v1/circulations/{circulation.pk}/",
        params=params if notice is None and kind in RENDERERS else None,
    )


def _initiative_of(circulation: Circulation) -> Initiative:
    """The initiative a paper or draft-decision circulation concerns. Only
    disseminated information has none, and it has no deadline and takes no
    positions, so reminders and silence procedures never meet it."""
    initiative = circulation.initiative
    assert initiative is not None, f"{circulation.reference} concerns no initiative"
    return initiative


def circulation_all_answered(circulation: Circulation) -> bool:
    """Every addressed member state has given a position."""
    members = Participant.objects.with_status_in(ParticipationStatus.MEMBER)
    return not circulation.receipts.filter(participant__in=members, position="").exists()
