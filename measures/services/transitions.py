"""The one path that writes an initiative's status and its timeline
(:func:`_transition`), the one check of an action's preconditions
(:func:`initiative_refusal`), what a user may do now, and the single door
that runs an action by name from its registry entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.errors import Conflict, DomainError, Forbidden
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for

from .. import actions, signals, workflow
from ..models import (
    Initiative,
    InitiativeEvent,
    Measure,
    Modality,
    Paper,
)
from ..selectors import lead_initiative_pk_for
from ..workflow import OPEN_STATUSES, Action, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# What an action's own writes return: the timeline event's ``details``.
Details = dict[str, object]

# --- initiatives: the one path that writes a status ------------------------------


def _acting_for(actor: AnyUser) -> Participant | None:
    return acting_for(actor)


def _refuse_unless_allowed(actor: AnyUser, action: str, initiative: Initiative | None) -> None:
    refused = _role_refusal(actor, action, initiative)
    if refused is not None:
        raise refused


def _role_refusal(actor: AnyUser, action: str, initiative: Initiative | None) -> Forbidden | None:
    if actor.has_perm(f"measures.{action}", initiative):
        return None
    modality = getattr(initiative, "modality", Modality.CONCEPT_PAPER)
    return Forbidden(
        _("Not allowed: “%(action)s” — %(rule)s")
        % {
            "action": workflow.action_label(action, modality),
            "rule": actions.entry_for(action).rule_for(modality),
        }
    )


PAPER_NAME: dict[str, StrPromise] = {
    Modality.CONCEPT_PAPER: gettext_lazy("concept paper"),
    Modality.WORKING_PAPER: gettext_lazy("working paper"),
}


def initiative_refusal(
    *, actor: AnyUser | None, initiative: Initiative, action: str, by_silence: bool = False
) -> DomainError | None:
    """Why ``actor`` may not take ``action`` on ``initiative`` now, or ``None``.

    The one check of an action's preconditions (issue 13 item 5): the
    transition runs it on the locked row before its writes, and
    :func:`initiative_available_actions` runs it to say what is offered, so an
    action is offered exactly when a POST with valid input succeeds. Only the
    caller's input is left to the action itself. ``actor`` ``None`` is the
    system acting on a rule (a periodic task): no role check. A decision
    adopted ``by_silence`` needs no meeting.

    403 (:class:`Forbidden`) when the user's role may never take this action
    here; 409 (:class:`Conflict`) when it may, but not now.
    """
    modality = initiative.modality
    label = workflow.action_label(action, modality)
    if not workflow.applies(action, modality):
        return Conflict(
            _("“%(action)s” does not apply to an initiative of modality (%(modality)s).")
            % {"action": label, "modality": modality}
        )
    if actor is not None:
        refused = _role_refusal(actor, action, initiative)
        if refused is not None:
            return refused
    if action == Action.DECLARE_INTEREST:
        # Declaring interest is in the measure: it joins the open initiative of
        # this modality, or starts the next one when this one is closed.
        participant = _acting_for(actor) if actor is not None else None
        target = (
            initiative
            if initiative.is_open
            else Initiative.objects.filter(
                measure_id=initiative.measure_id,
                modality=modality,
                status__in=sorted(OPEN_STATUSES),
            ).first()
        )
        return _declaration_refusal(participant, target)
    if not workflow.allowed_from(action, initiative.status, modality):
        return Conflict(
            _("“%(action)s” is not possible now: the initiative %(ref)s is at “%(status)s”.")
            % {
                "action": label,
                "ref": initiative.reference,
                "status": Status(initiative.status).label,
            }
        )
    # The action's own preconditions, declared with its registry entry by the
    # app that carries the action out (circulations, meetings, decisions).
    entry = actions.REGISTRY.get(action)
    if entry is not None and entry.precondition:
        return entry.precondition_function()(initiative=initiative, by_silence=by_silence)
    return None


def _declaration_refusal(
    participant: Participant | None, target: Initiative | None
) -> DomainError | None:
    """A state declares interest once per initiative, and only a member state."""
    if participant is None:
        return None  # the role check has already refused a user with no state
    if participant.status_on() != ParticipationStatus.MEMBER:
        return DomainError(
            _("%(code)s is not a member state: %(what)s.")
            % {"code": participant.code, "what": _("only member states declare interest")}
        )
    if target is not None and target.declarations.filter(participant=participant).exists():
        return Conflict(
            _("%(code)s has already declared interest in %(ref)s.")
            % {"code": participant.code, "ref": target.reference}
        )
    return None


def _transition(
    *,
    actor: User | None,
    initiative: Initiative,
    action: str,
    effect: Callable[[Initiative], Details] | None = None,
    outcome: str | None = None,
    reason: str = "",
    by_silence: bool = False,
    acting_for: Participant | None = None,
    started: bool = False,
) -> tuple[Initiative, InitiativeEvent]:
    """Lock the initiative, check the table, run the action's own writes, set
    the status and write the timeline event — all or nothing. The one writer
    of the timeline: every :class:`InitiativeEvent` is created here.

    Refusals: 403 (:class:`Forbidden`) when the user's role may never take this
    action here; 409 (:class:`Conflict`) when it may, but not in this status.
    Of two conflicting transitions at once the second waits for the lock,
    then sees the new status and is refused.

    ``action`` may also be a :class:`workflow.TimelineEvent` (a silence
    procedure's step): no table row, so no check here (its service checked
    its own rules) and the status stays. ``acting_for`` is the state the
    event names when it is not the actor's (the annex's loader, a state whose
    objection broke a silence). ``started``: the initiative was created in
    this transaction by this action; its first event has no "from".
    """
    note = action in workflow.TimelineEvent.values
    with transaction.atomic():
        locked = (
            Initiative.objects.select_for_update()
            .select_related("measure__area")
            .get(pk=initiative.pk)
        )
        if not note:
            refused = initiative_refusal(
                actor=actor, initiative=locked, action=action, by_silence=by_silence
            )
            if refused is not None:
                raise refused
        from_status = locked.status
        details = effect(locked) if effect else {}
        to_status = (
            from_status
            if note
            else workflow.target_of(action, from_status, outcome, locked.modality)
        )
        # Saved even when the status stays (a new paper, a no-consensus decision,
        # a note): ``updated_at`` tells polling clients that something changed.
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        if acting_for is None and actor is not None:
            acting_for = _acting_for(actor)
        event = InitiativeEvent.objects.create(
            initiative=locked,
            action=action,
            from_status="" if started else from_status,
            to_status=to_status,
            actor=actor if getattr(actor, "pk", None) else None,
            acting_for=acting_for,
            reason=reason,
            details=details or {},
        )
        if not note:
            measure_refresh_lead(measure_id=locked.measure_id)
        # The apps above hear of it in this transaction (webhooks: outbox rows).
        signals.timeline_written.send(sender=Initiative, initiative=locked, event=event)
    return locked, event


def initiative_note(
    *,
    initiative: Initiative,
    kind: str,
    actor: User | None = None,
    acting_for: Participant | None = None,
    reason: str = "",
    details: Details | None = None,
) -> InitiativeEvent:
    """Write a timeline entry that changes no status (a ``TimelineEvent``:
    a silence procedure started, broken or closed), in the caller's
    transaction, through :func:`_transition` (the row lock, the event, the
    webhook, which a note does not fire)."""
    if kind not in workflow.TimelineEvent.values:
        raise DomainError(_("Unknown timeline event %(kind)r.") % {"kind": kind})
    _locked, event = _transition(
        actor=actor,
        initiative=initiative,
        action=kind,
        effect=lambda _locked: details or {},
        reason=reason,
        acting_for=acting_for,
    )
    return event


def measure_refresh_lead(*, measure_id: int) -> None:
    """Keep ``Measure.lead_initiative`` (its most advanced initiative) in step.
    Called in the transaction of every change of an initiative's status."""
    Measure.objects.filter(pk=measure_id).update(
        lead_initiative_id=lead_initiative_pk_for(measure_id)
    )


def _ensure_member_today(participant: Participant, what: str) -> None:
    if participant.status_on() != ParticipationStatus.MEMBER:
        raise DomainError(
            _("%(code)s is not a member state: %(what)s.")
            % {"code": participant.code, "what": what}
        )


def latest_paper(initiative: Initiative) -> Paper | None:
    return initiative.papers.order_by("-version").first()


def initiative_available_actions(
    *, user: AnyUser, initiative: Initiative
) -> list[dict[str, object]]:
    """Every action with whether this user may take it now, and why not.

    Deny by default: an action is available only when
    :func:`initiative_refusal` — the check the action itself runs — finds no
    reason to refuse it; the reason given is the refusal's message. The
    actions are the modality's table's, in its order; each one's label comes
    from its registry entry (the admin's buttons and ``actions/`` show it).
    """
    rows: list[dict[str, object]] = []
    for action in workflow.table(initiative.modality):
        refused = initiative_refusal(actor=user, initiative=initiative, action=action)
        rows.append(
            {
                "action": action,
                "label": actions.entry_for(action).label(initiative.modality),
                "available": refused is None,
                "reason": refused.message if refused is not None else "",
            }
        )
    return rows


def initiative_act(
    *, actor: User, initiative: Initiative, action: str, **kwargs: object
) -> actions.ActionResult:
    """Run one workflow action by name: the service its registry entry names
    (the admin's, the pages' and the API's single door)."""
    try:
        entry = actions.entry_for(action)
    except LookupError:
        raise DomainError(_("Unknown action %(action)r.") % {"action": action}) from None
    return entry.run(actor=actor, initiative=initiative, **kwargs)
