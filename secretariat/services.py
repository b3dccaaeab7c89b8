"""The secretariat's writes: meetings, decisions (the consensus rule),
circulations, and document symbols."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import DomainError, Forbidden
from measures.models import Initiative, Paper
from measures.workflow import Outcome
from members.models import Participant, ParticipationStatus
from members.rules import is_secretariat

from .models import Audience, Body, Circulation, Decision, Meeting, SymbolSequence

DECISION_BODIES = (Body.SWG, Body.SOC)


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


def _members_on(participants: Iterable[Participant], on: datetime.date) -> dict[str, str | None]:
    ids = [p.pk for p in participants]
    statuses = dict(
        Participant.objects.with_status(on).filter(pk__in=ids).values_list("code", "status")
    )
    return statuses


@transaction.atomic
def meeting_create(
    *,
    actor,
    body: str,
    date: datetime.date,
    place: str = "",
    title: str = "",
    host: Participant | None = None,
    present: Iterable[Participant] = (),
) -> Meeting:
    """Schedule or record a meeting. The secretariat keeps the calendar.

    Rule: a meeting is hosted by a state (seed: specialised meetings "dans les
    États membres ou observateurs"); those present are participants.
    """
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat schedules meetings."))
    meeting_check(body=body, host=host)
    meeting = Meeting.objects.create(
        body=body, date=date, place=place, title=title, host=host, created_by=actor
    )
    meeting.present.set(list(present))
    return meeting


def meeting_check(*, body: str | None, host: Participant | None) -> None:
    """A meeting has a known body and, if hosted, is hosted by a state."""
    if body not in Body.values:
        raise DomainError(_("Unknown body %(body)r.") % {"body": body})
    if host is not None and host.kind != "state":
        raise DomainError(_("A meeting is hosted by a member or observer state."))


@transaction.atomic
def meeting_set_present(*, actor, meeting: Meeting, present: Iterable[Participant]) -> Meeting:
    """Record who attended (the basis of the consensus check)."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat records attendance."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.present.set(list(present))
    return meeting


def decision_check(
    *,
    body: str,
    meeting: Meeting,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
) -> list[Participant]:
    """The consensus rule (DESIGN §3; seed: "le principe du consensus").

    Decisions are taken by consensus of the member states present: an
    approval stands only if no member state present objects. Observers may be
    present but never object or block. Raises a :class:`DomainError` with the
    reason; returns the objecting member states.
    """
    if body not in DECISION_BODIES:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))
    if meeting.body != body:
        raise DomainError(
            _("This decision is the %(body)s's, but the meeting is of the %(other)s.")
            % {"body": Body(body).label, "other": meeting.get_body_display()}
        )
    if meeting.date > timezone.localdate():
        raise DomainError(
            _("The meeting of %(date)s has not taken place yet.") % {"date": meeting.date}
        )
    if outcome not in Outcome.values:
        raise DomainError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
    objecting = list(dict.fromkeys(objecting))
    present = set(meeting.present.values_list("pk", flat=True))
    statuses = _members_on([*objecting], meeting.date)
    present_members = Participant.objects.with_status_in(
        ParticipationStatus.MEMBER, meeting.date
    ).filter(pk__in=present)
    if not present_members.exists():
        raise DomainError(_("No member state is recorded as present at this meeting."))
    for state in objecting:
        if statuses.get(state.code) != ParticipationStatus.MEMBER:
            raise DomainError(
                _("%(code)s is not a member state: observers take no part in decisions.")
                % {"code": state.code}
            )
        if state.pk not in present:
            raise DomainError(
                _("%(code)s was not present at the meeting and cannot object.")
                % {"code": state.code}
            )
    if outcome == Outcome.APPROVED and objecting:
        raise DomainError(
            _(
                "No consensus: %(codes)s objected. An approval needs no objection from "
                "the member states present; record 'no consensus' instead."
            )
            % {"codes": ", ".join(s.code for s in objecting)}
        )
    if outcome == Outcome.NO_CONSENSUS and not objecting:
        raise DomainError(_("'No consensus' needs at least one objecting member state."))
    if outcome in (Outcome.RETURNED, Outcome.REJECTED) and not text.strip():
        raise DomainError(_("Give the reasons in the decision's text."))
    return objecting


def decision_create(
    *,
    actor,
    body: str,
    meeting: Meeting,
    initiative: Initiative,
    paper: Paper | None,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
) -> Decision:
    """Write a decision after :func:`decision_check`. Called by the initiative
    transition that records it, inside its transaction."""
    objecting = decision_check(
        body=body, meeting=meeting, outcome=outcome, text=text, objecting=objecting
    )
    symbol = symbol_next(prefix=f"CICA/{body.upper()}/DEC/{meeting.date:%Y}/")
    decision = Decision.objects.create(
        body=body,
        meeting=meeting,
        initiative=initiative,
        paper=paper,
        outcome=outcome,
        text=text,
        symbol=symbol,
        recorded_by=actor,
    )
    decision.objecting.set(objecting)
    return decision


def circulation_create(
    *, actor, initiative: Initiative, paper: Paper, deadline: datetime.date, audience: str
) -> Circulation:
    """Record a circulation of a paper with its comment deadline. Called by the
    initiative transition ``circulate``, inside its transaction."""
    if audience not in Audience.values:
        raise DomainError(_("Unknown audience %(audience)r.") % {"audience": audience})
    today = timezone.localdate()
    if deadline < today:
        raise DomainError(_("The comment deadline cannot be in the past."))
    if deadline > today + datetime.timedelta(days=365):
        raise DomainError(_("The comment deadline must be within a year."))
    reference = symbol_next(prefix=f"CICA/CIRC/{today:%Y}/")
    return Circulation.objects.create(
        initiative=initiative,
        paper=paper,
        reference=reference,
        audience=audience,
        deadline=deadline,
        circulated_by=actor,
    )
