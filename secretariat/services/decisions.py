"""Decisions of the SWG and the SOC: the consensus rule, the decision's
symbol, and the notice to the states concerned.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError
from measures.models import Initiative, Paper
from measures.workflow import Outcome
from members.models import Participant, Participation, ParticipationStatus

from ..models import (
    Body,
    Circulation,
    Decision,
    DecisionProcedure,
    Meeting,
    NotificationKind,
    Position,
    SilenceStatus,
)
from .outbox import _active_delegates, _rendered, notify
from .symbols import symbol_next

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from implementation.models import ActionPlan


DECISION_BODIES = (Body.SWG, Body.SOC)


def _members_on(participants: Iterable[Participant], on: datetime.date) -> dict[str, str | None]:
    ids = [p.pk for p in participants]
    return dict(
        Participant.objects.with_status(on).filter(pk__in=ids).values_list("code", "status")
    )


def decision_check(
    *,
    body: str,
    meeting: Meeting | None,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
    silence: Circulation | None = None,
) -> list[Participant]:
    """The consensus rule (the source document: "le principe du consensus").

    Decisions are taken by consensus of the member states present: an
    approval stands only if no member state present objects. Observers may be
    present but never object or block. Under silence procedure there is no
    meeting: the draft is adopted when no member state objected by the
    deadline. Raises a :class:`DomainError` with the reason; returns the
    objecting member states.
    """
    if body not in DECISION_BODIES:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))
    if outcome not in Outcome.values:
        raise DomainError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
    objecting = list(dict.fromkeys(objecting))
    if meeting is None:
        if silence is None:
            raise DomainError(_("Name the meeting at which the decision was taken."))
        if silence.silence_status != SilenceStatus.PENDING or silence.body != body:
            raise Conflict(_("This silence procedure is not running."))
        if outcome != Outcome.APPROVED or objecting:
            raise DomainError(_("Silence adopts a draft decision only when nobody objects."))
        if silence.receipts.filter(position=Position.OBJECTION).exists():
            raise Conflict(_("A member state objected: the silence was broken."))
        return []
    if meeting.body != body:
        raise DomainError(
            _("This decision is the %(body)s's, but the meeting is of the %(other)s.")
            % {"body": Body(body).label, "other": meeting.get_body_display()}
        )
    if meeting.date > timezone.localdate():
        raise DomainError(
            _("The meeting of %(date)s has not taken place yet.") % {"date": meeting.date}
        )
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


def decision_meeting_exists(*, body: str) -> bool:
    """Whether a decision of ``body`` can be recorded at a meeting now: one has
    taken place with at least one state present that was a member state on
    its date (what :func:`decision_check` asks of the meeting named)."""
    member_then = Participation.objects.in_force(OuterRef("meeting__date")).filter(
        participant_id=OuterRef("participant_id"), status=ParticipationStatus.MEMBER
    )
    return (
        Meeting.present.through.objects.filter(
            meeting__body=body, meeting__date__lte=timezone.localdate()
        )
        .filter(Exists(member_then))
        .exists()
    )


def decision_create(
    *,
    actor: User | None,
    body: str,
    meeting: Meeting | None,
    initiative: Initiative,
    paper: Paper | None,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
    silence: Circulation | None = None,
    action_plan: ActionPlan | None = None,
) -> Decision:
    """Write a decision after :func:`decision_check` and notify it. Called by
    the initiative transition that records it, inside its transaction, or by
    the action plan's (issue 17: ``action_plan``, on the plan's initiative,
    with no paper)."""
    objecting = decision_check(
        body=body,
        meeting=meeting,
        outcome=outcome,
        text=text,
        objecting=objecting,
        silence=silence,
    )
    if meeting is not None and paper is not None:
        earlier = Decision.objects.filter(meeting=meeting, paper=paper).first()
        if earlier is not None:
            raise Conflict(
                _(
                    "%(decision)s already decided on %(symbol)s at this meeting: one meeting "
                    "takes one decision per paper."
                )
                % {"decision": earlier.symbol, "symbol": paper.symbol}
            )
    if meeting is not None and action_plan is not None:
        earlier = Decision.objects.filter(meeting=meeting, action_plan=action_plan).first()
        if earlier is not None:
            raise Conflict(
                _(
                    "%(decision)s already decided on %(symbol)s at this meeting: one meeting "
                    "takes one decision per action plan."
                )
                % {"decision": earlier.symbol, "symbol": action_plan.symbol}
            )
    year = meeting.date if meeting else timezone.localdate()
    symbol = symbol_next(prefix=f"CICA/{body.upper()}/DEC/{year:%Y}/")
    decision = Decision.objects.create(
        body=body,
        procedure=DecisionProcedure.SILENCE if meeting is None else DecisionProcedure.MEETING,
        meeting=meeting,
        initiative=initiative,
        paper=paper,
        action_plan=action_plan,
        outcome=outcome,
        text=text,
        symbol=symbol,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    decision.objecting.set(objecting)
    if silence is not None:
        # The circulation that adopted it and the decision point at each other.
        silence.silence_status = SilenceStatus.ADOPTED
        silence.decision = decision
        silence.save(update_fields=["silence_status", "decision"])
    notify_decision(decision=decision)
    return decision


def notify_decision(*, decision: Decision) -> None:
    """Delegates of the interested and coordinator states learn of a decision;
    for an SOC decision, every member state's. A decision on an action plan
    names the plan; its coordinators learn of it by the plan's own notice
    (``implementation.services.plans``), not twice."""
    initiative = decision.initiative
    plan = decision.action_plan
    if decision.body == Body.SOC:
        ids = Participant.objects.with_status_in(ParticipationStatus.MEMBER).values_list(
            "pk", flat=True
        )
    else:
        ids = set(initiative.declarations.values_list("participant_id", flat=True)) | set(
            initiative.designations.filter(ended_on__isnull=True).values_list(
                "participant_id", flat=True
            )
        )
    if plan is not None:
        # Imported here: implementation's services import this module.
        from implementation.services.plans import plan_coordinator_ids  # noqa: PLC0415

        ids = set(ids) - plan_coordinator_ids(plan)
    params = {
        "body": decision.body,
        "ref": plan.symbol if plan is not None else initiative.reference,
        "plan": plan is not None,
        "outcome": decision.outcome,
        "symbol": decision.symbol,
        "text": decision.text,
        "objecting": sorted(p.code for p in decision.objecting.all()),
        "silence_ref": decision.adopted_under.reference
        if decision.procedure == DecisionProcedure.SILENCE and decision.adopted_under
        else "",
    }
    notify(
        kind=NotificationKind.DECISION,
        event_key=f"decision:{decision.pk}",
        messages=_rendered(
            [
                (u, "decision", decision.pk)
                for u, _pid in _active_delegates(participant_ids=list(ids))
            ],
            kind=NotificationKind.DECISION,
            params=params,
        ),
        params=params,
        url=f"/api/v1/decisions/{decision.pk}/",
    )
