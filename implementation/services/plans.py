"""Action plans (issue 17 item 1): the plan under which the coordinators of an
adopted measure carry it out.

The coordinators' delegates (the designations in force on the adopted
initiative) or the secretariat draw up a draft plan; the coordinators submit
it to the Special Working Group; the secretariat records the SWG's decision
and then the SOC's, with the same consensus rule as for papers
(``secretariat.services.decisions``). Approved by the SOC, the plan is in force
and the one in force before it is superseded (the database holds one approved
plan per measure). An approved plan is changed by an amendment: the next
number, a draft again, that goes the same way.

Every transition goes through :func:`_transition`: it locks the plan, asks
:func:`plan_refusal` (403 for the wrong role, 409 for the wrong status), sets
the status, writes a :class:`PlanEvent` and schedules the webhook after commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.errors import Conflict, DomainError, Forbidden
from measures.models import CoordinatorDesignation, Initiative, Measure
from measures.workflow import Outcome
from measures.workflow import Status as InitiativeStatus
from members.models import Participant
from members.rules import AnyUser, acting_for, is_secretariat

from ..models import (
    ActionPlan,
    ActivityKind,
    PlanCoordinator,
    PlanEvent,
    PlannedActivity,
    PlanStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrPromise

    from secretariat.models import Circulation, Decision, Meeting

# A plan covers at most ten years, within a sane calendar.
FIRST_YEAR, LAST_YEAR, MAX_YEARS = 2000, 2200, 10
MAX_PLANNED = 200
MAX_TEXT = 100_000
MAX_TITLE = 300


class PlanAction:
    """What can be done to a plan (the transition table's rows)."""

    UPDATE = "update"
    SUBMIT = "submit"
    AMEND = "amend"
    RECORD_SWG_DECISION = "record_swg_decision"
    RECORD_SOC_DECISION = "record_soc_decision"


# Who may take each action: the plan's coordinators' delegates, the secretariat.
COORDINATORS, SECRETARIAT = "coordinators", "secretariat"


@dataclass(frozen=True)
class PlanTransition:
    label: StrPromise
    sources: frozenset[str]
    roles: frozenset[str]
    # One target, or one per decision outcome; ``None``: the status stays.
    target: str | Mapping[str, str] | None = None


_DECIDED_BACK: dict[str, str] = {
    Outcome.RETURNED: PlanStatus.DRAFT,
    Outcome.NO_CONSENSUS: PlanStatus.DRAFT,
    Outcome.REJECTED: PlanStatus.REJECTED,
}

TABLE: dict[str, PlanTransition] = {
    PlanAction.UPDATE: PlanTransition(
        gettext_lazy("Edit the draft"),
        frozenset({PlanStatus.DRAFT}),
        frozenset({COORDINATORS, SECRETARIAT}),
    ),
    PlanAction.SUBMIT: PlanTransition(
        gettext_lazy("Submit to the SWG"),
        frozenset({PlanStatus.DRAFT}),
        frozenset({COORDINATORS, SECRETARIAT}),
        PlanStatus.SWG_REVIEW,
    ),
    # An amendment is a new plan: the amended one keeps its status until the
    # SOC approves the amendment.
    PlanAction.AMEND: PlanTransition(
        gettext_lazy("Amend the plan"),
        frozenset({PlanStatus.APPROVED}),
        frozenset({COORDINATORS, SECRETARIAT}),
    ),
    PlanAction.RECORD_SWG_DECISION: PlanTransition(
        gettext_lazy("Record the SWG's decision"),
        frozenset({PlanStatus.SWG_REVIEW}),
        frozenset({SECRETARIAT}),
        {Outcome.APPROVED: PlanStatus.SOC_REVIEW, **_DECIDED_BACK},
    ),
    PlanAction.RECORD_SOC_DECISION: PlanTransition(
        gettext_lazy("Record the SOC's decision"),
        frozenset({PlanStatus.SOC_REVIEW}),
        frozenset({SECRETARIAT}),
        {Outcome.APPROVED: PlanStatus.APPROVED, **_DECIDED_BACK},
    ),
}

# The actions as a closed set (the API's enum "PlanActionEnum").
PLAN_ACTION_CHOICES = [(action, row.label) for action, row in TABLE.items()]

_ROLE_RULE: dict[frozenset[str], StrPromise] = {
    frozenset({COORDINATORS, SECRETARIAT}): gettext_lazy(
        "only the delegates of the plan's coordinator states and the secretariat may."
    ),
    frozenset({SECRETARIAT}): gettext_lazy("only the secretariat may."),
}

DECISION_ACTION = {
    "swg": PlanAction.RECORD_SWG_DECISION,
    "soc": PlanAction.RECORD_SOC_DECISION,
}


# --- who is who ---------------------------------------------------------------------


def designated_ids(initiative: Initiative) -> set[int]:
    """States whose designation on the initiative is in force."""
    return set(
        CoordinatorDesignation.objects.filter(
            initiative=initiative, ended_on__isnull=True
        ).values_list("participant_id", flat=True)
    )


def plan_coordinator_ids(plan: ActionPlan) -> set[int]:
    """The plan's coordinator states: those it names, and those designated
    now on its initiative (a designation may change during the plan)."""
    return set(plan.coordinators.values_list("participant_id", flat=True)) | designated_ids(
        plan.initiative
    )


def _roles(user: AnyUser, plan: ActionPlan) -> set[str]:
    roles = set()
    if is_secretariat(user):
        roles.add(SECRETARIAT)
    participant = acting_for(user)
    if participant is not None and participant.pk in plan_coordinator_ids(plan):
        roles.add(COORDINATORS)
    return roles


def plan_refusal(*, actor: AnyUser | None, plan: ActionPlan, action: str) -> DomainError | None:
    """Why ``actor`` may not take ``action`` on ``plan`` now, or ``None``:
    :class:`Forbidden` (403) when their role may never take it,
    :class:`Conflict` (409) when it may, but not at the plan's status. The
    transitions ask it on the locked row; the API and the pages ask it to say
    what is offered."""
    row = TABLE.get(action)
    if row is None:
        return DomainError(_("Unknown action %(action)r.") % {"action": action})
    # ``actor`` None: the system acting on a rule, no role to check.
    if actor is not None and not (_roles(actor, plan) & row.roles):
        return Forbidden(
            _("Not allowed: “%(action)s” on %(symbol)s — %(rule)s")
            % {"action": row.label, "symbol": plan.symbol, "rule": _ROLE_RULE[row.roles]}
        )
    if plan.status not in row.sources:
        return Conflict(
            _("“%(action)s” is not possible now: %(symbol)s is at “%(status)s”.")
            % {
                "action": row.label,
                "symbol": plan.symbol,
                "status": PlanStatus(plan.status).label,
            }
        )
    if action == PlanAction.AMEND:
        return _open_plan_refusal(plan.measure)
    return None


def plan_available_actions(*, user: AnyUser, plan: ActionPlan) -> list[dict[str, Any]]:
    """Every action on the plan, whether ``user`` may take it now, and if not why."""
    rows = []
    for action, row in TABLE.items():
        refusal = plan_refusal(actor=user, plan=plan, action=action)
        rows.append(
            {
                "action": action,
                "label": str(row.label),
                "available": refusal is None,
                "reason": "" if refusal is None else str(refusal.message),
            }
        )
    return rows


def plan_create_refusal(*, actor: AnyUser, initiative: Initiative) -> DomainError | None:
    """Who may draw up a plan, and when: the coordinators' delegates of an
    adopted initiative or the secretariat; only one plan open at a time per
    measure, and an amendment, not a new plan, once one is in force."""
    participant = acting_for(actor)
    if not is_secretariat(actor) and (
        participant is None or participant.pk not in designated_ids(initiative)
    ):
        return Forbidden(
            _(
                "Not allowed: only the delegates of the coordinator states of %(ref)s "
                "and the secretariat draw up its action plan."
            )
            % {"ref": initiative.reference}
        )
    if initiative.status != InitiativeStatus.ADOPTED:
        return Conflict(
            _("%(ref)s is at “%(status)s”: an action plan carries out an adopted measure.")
            % {"ref": initiative.reference, "status": InitiativeStatus(initiative.status).label}
        )
    in_force = plan_in_force_of(initiative.measure_id)
    if in_force is not None:
        return Conflict(
            _("%(symbol)s is in force for %(measure)s: amend it rather than start another plan.")
            % {"symbol": in_force.symbol, "measure": initiative.measure.code}
        )
    return _open_plan_refusal(initiative.measure)


def _open_plan_refusal(measure: Measure) -> Conflict | None:
    open_plan = ActionPlan.objects.filter(
        measure=measure,
        status__in=[PlanStatus.DRAFT, PlanStatus.SWG_REVIEW, PlanStatus.SOC_REVIEW],
    ).first()
    if open_plan is None:
        return None
    return Conflict(
        _("%(symbol)s is already being drawn up or reviewed (“%(status)s”): one plan at a time.")
        % {"symbol": open_plan.symbol, "status": PlanStatus(open_plan.status).label}
    )


def plan_in_force_of(measure_id: int) -> ActionPlan | None:
    return ActionPlan.objects.filter(measure_id=measure_id, status=PlanStatus.APPROVED).first()


# --- input checks -------------------------------------------------------------------


def _check_text(text: str) -> str:
    if "\x00" in text:
        raise DomainError(_("The text contains a NUL character."))
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("The text is too long: at most %(max)s characters.") % {"max": MAX_TEXT}
        )
    return text.strip()


def plan_period_check(*, starts_in: int, ends_in: int) -> None:
    """A plan covers whole years: sane ones, in order, ten at most."""
    for year in (starts_in, ends_in):
        if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
            raise DomainError(
                _("A plan's years lie between %(first)s and %(last)s, not %(year)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR, "year": year}
            )
    if ends_in < starts_in:
        raise DomainError(
            _("The plan ends (%(ends)s) before it starts (%(starts)s).")
            % {"ends": ends_in, "starts": starts_in}
        )
    if ends_in - starts_in + 1 > MAX_YEARS:
        raise DomainError(
            _("A plan covers at most %(max)s years; %(starts)s–%(ends)s is longer.")
            % {"max": MAX_YEARS, "starts": starts_in, "ends": ends_in}
        )


def _check_planned(
    planned: Iterable[Mapping[str, Any]], *, starts_in: int, ends_in: int
) -> list[dict[str, Any]]:
    rows = []
    for index, item in enumerate(planned):
        if index >= MAX_PLANNED:
            raise DomainError(
                _("At most %(max)s planned activities per plan.") % {"max": MAX_PLANNED}
            )
        kind, title, year = item.get("kind"), item.get("title"), item.get("target_year")
        if kind not in ActivityKind.values:
            raise DomainError(_("Unknown kind of activity %(kind)r.") % {"kind": kind})
        title = str(title or "").strip()
        if not title or len(title) > MAX_TITLE or any(c in title for c in "\x00\r\n"):
            raise DomainError(
                _("Each planned activity needs a title on one line of at most %(max)s characters.")
                % {"max": MAX_TITLE}
            )
        if not isinstance(year, int) or not starts_in <= year <= ends_in:
            raise DomainError(
                _("“%(title)s” aims at %(year)s, outside the plan's years %(starts)s–%(ends)s.")
                % {"title": title, "year": year, "starts": starts_in, "ends": ends_in}
            )
        rows.append({"kind": kind, "title": title, "target_year": year, "order": index})
    return rows


def _write_planned(plan: ActionPlan, rows: list[dict[str, Any]]) -> None:
    plan.planned_activities.all().delete()
    PlannedActivity.objects.bulk_create(PlannedActivity(plan=plan, **row) for row in rows)


def _event(
    *,
    plan: ActionPlan,
    actor: User | None,
    action: str,
    from_status: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> PlanEvent:
    event = PlanEvent.objects.create(
        plan=plan,
        action=action,
        from_status=from_status,
        to_status=plan.status,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        details=details or {},
    )
    if from_status and from_status != plan.status:
        _emit_status_changed(plan=plan, event=event)
    return event


def _emit_status_changed(*, plan: ActionPlan, event: PlanEvent) -> None:
    """``action_plan.status_changed`` to webhook subscribers, after commit."""
    # Imported here: secretariat imports implementation's models (a cycle at load).
    from secretariat.models import WebhookEvent  # noqa: PLC0415
    from secretariat.services.webhooks import webhooks_emit  # noqa: PLC0415

    webhooks_emit(
        event=WebhookEvent.ACTION_PLAN_STATUS_CHANGED,
        event_key=f"plan-event:{event.pk}",
        payload={
            "action_plan": plan.pk,
            "symbol": plan.symbol,
            "measure": plan.measure.code,
            "initiative": plan.initiative_id,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "at": timezone.localtime(event.created_at).isoformat(),
        },
    )


def _coordinator_rows(initiative: Initiative) -> list[tuple[int, str]]:
    return list(
        CoordinatorDesignation.objects.filter(initiative=initiative, ended_on__isnull=True)
        .order_by("role", "participant__code")
        .values_list("participant_id", "role")
    )


def _new_plan(
    *,
    actor: User,
    initiative: Initiative,
    starts_in: int,
    ends_in: int,
    text: str,
    planned: list[dict[str, Any]],
    amends: ActionPlan | None,
    coordinators: list[tuple[int, str]],
) -> ActionPlan:
    # The measure's row is the lock that numbers its plans one after another.
    measure = Measure.objects.select_for_update().get(pk=initiative.measure_id)
    number = (ActionPlan.objects.filter(measure=measure).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            plan = ActionPlan.objects.create(
                initiative=initiative,
                measure=measure,
                number=number,
                symbol=f"CICA/AP/{measure.code}/{number}",
                amends=amends,
                starts_in=starts_in,
                ends_in=ends_in,
                text=text,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise Conflict(_("Another plan was numbered at the same time: try again.")) from exc
    PlanCoordinator.objects.bulk_create(
        PlanCoordinator(plan=plan, participant_id=pid, role=role) for pid, role in coordinators
    )
    _write_planned(plan, planned)
    return plan


# --- the services -------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: User,
    initiative: Initiative,
    starts_in: int,
    ends_in: int,
    text: str = "",
    planned: Iterable[Mapping[str, Any]] = (),
) -> ActionPlan:
    """Draw up an adopted measure's action plan (a draft). By the delegates
    of the initiative's coordinator states (designations in force) or the
    secretariat; it names those states, coordinator and co-coordinators, and
    is numbered in the measure (``CICA/AP/ECO-4/1``)."""
    initiative = (
        Initiative.objects.select_for_update().select_related("measure").get(pk=initiative.pk)
    )
    refusal = plan_create_refusal(actor=actor, initiative=initiative)
    if refusal is not None:
        raise refusal
    plan_period_check(starts_in=starts_in, ends_in=ends_in)
    rows = _check_planned(planned, starts_in=starts_in, ends_in=ends_in)
    plan = _new_plan(
        actor=actor,
        initiative=initiative,
        starts_in=starts_in,
        ends_in=ends_in,
        text=_check_text(text),
        planned=rows,
        amends=None,
        coordinators=_coordinator_rows(initiative),
    )
    _event(plan=plan, actor=actor, action="create", from_status="")
    return plan


def _locked(plan: ActionPlan) -> ActionPlan:
    return (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("measure", "initiative__measure")
        .get(pk=plan.pk)
    )


def _refuse(actor: AnyUser | None, plan: ActionPlan, action: str) -> None:
    refusal = plan_refusal(actor=actor, plan=plan, action=action)
    if refusal is not None:
        raise refusal


_UNSET: Any = object()


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: ActionPlan,
    text: str = _UNSET,
    starts_in: int = _UNSET,
    ends_in: int = _UNSET,
    planned: Iterable[Mapping[str, Any]] = _UNSET,
) -> ActionPlan:
    """Change a draft: its text, its years, its planned activities (each
    aiming at a year inside the plan's). What is not given stays; the
    planned activities given replace the plan's."""
    locked = _locked(plan)
    _refuse(actor, locked, PlanAction.UPDATE)
    starts = locked.starts_in if starts_in is _UNSET else starts_in
    ends = locked.ends_in if ends_in is _UNSET else ends_in
    plan_period_check(starts_in=starts, ends_in=ends)
    if planned is _UNSET:
        current = list(locked.planned_activities.values("kind", "title", "target_year"))
        rows = _check_planned(current, starts_in=starts, ends_in=ends)
        replace = False
    else:
        rows = _check_planned(planned, starts_in=starts, ends_in=ends)
        replace = True
    changed = []
    if text is not _UNSET:
        locked.text = _check_text(text)
        changed.append("text")
    if (starts, ends) != (locked.starts_in, locked.ends_in):
        locked.starts_in, locked.ends_in = starts, ends
        changed.append("period")
    locked.save()
    if replace:
        _write_planned(locked, rows)
        changed.append("planned")
    _event(
        plan=locked,
        actor=actor,
        action=PlanAction.UPDATE,
        from_status=locked.status,
        details={"changed": changed},
    )
    return locked


def _transition(
    *,
    actor: User | None,
    plan: ActionPlan,
    action: str,
    outcome: str | None = None,
    reason: str = "",
    effect: Callable[[ActionPlan], dict[str, Any]] | None = None,
) -> ActionPlan:
    """The one path that writes a plan's status (see the module's docstring)."""
    with transaction.atomic():
        locked = _locked(plan)
        _refuse(actor, locked, action)
        row = TABLE[action]
        target = row.target
        if isinstance(target, Mapping):
            if outcome is None or outcome not in target:
                raise DomainError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
            target = target[outcome]
        details = effect(locked) if effect else {}
        before = locked.status
        if target == PlanStatus.APPROVED:
            _supersede(actor=actor, measure_id=locked.measure_id, by=locked)
            locked.approved_at = timezone.now()
        if target is not None:
            locked.status = target
        locked.save()
        _event(
            plan=locked,
            actor=actor,
            action=action,
            from_status=before,
            reason=reason,
            details=details,
        )
        if outcome is not None:
            _notify_decided(plan=locked, details=details)
        return locked


def _supersede(*, actor: User | None, measure_id: int, by: ActionPlan) -> None:
    """The plan in force gives way to the one the SOC approves."""
    for old in ActionPlan.objects.select_for_update().filter(
        measure_id=measure_id, status=PlanStatus.APPROVED
    ):
        old.status = PlanStatus.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        _event(
            plan=old,
            actor=actor,
            action="supersede",
            from_status=PlanStatus.APPROVED,
            details={"by": by.symbol},
        )


def plan_submit(*, actor: User, plan: ActionPlan, reason: str = "") -> ActionPlan:
    """The coordinators (or the secretariat for them) submit the draft to the
    Special Working Group."""
    return _transition(actor=actor, plan=plan, action=PlanAction.SUBMIT, reason=reason)


@transaction.atomic
def plan_amend(*, actor: User, plan: ActionPlan) -> ActionPlan:
    """Start an amendment of the plan in force: the next number, a draft,
    with the plan's years, text and planned activities to change. The plan
    amended stays in force until the SOC approves the amendment."""
    locked = _locked(plan)
    Measure.objects.select_for_update().get(pk=locked.measure_id)
    _refuse(actor, locked, PlanAction.AMEND)
    coordinators = _coordinator_rows(locked.initiative) or list(
        locked.coordinators.values_list("participant_id", "role")
    )
    planned = list(locked.planned_activities.values("kind", "title", "target_year"))
    amendment = _new_plan(
        actor=actor,
        initiative=locked.initiative,
        starts_in=locked.starts_in,
        ends_in=locked.ends_in,
        text=locked.text,
        planned=_check_planned(planned, starts_in=locked.starts_in, ends_in=locked.ends_in),
        amends=locked,
        coordinators=coordinators,
    )
    _event(
        plan=amendment,
        actor=actor,
        action=PlanAction.AMEND,
        from_status="",
        details={"amends": locked.symbol},
    )
    _event(
        plan=locked,
        actor=actor,
        action=PlanAction.AMEND,
        from_status=locked.status,
        details={"amendment": amendment.symbol},
    )
    return amendment


def plan_record_decision(
    *,
    actor: User | None,
    plan: ActionPlan,
    body: str,
    meeting: Meeting | None = None,
    outcome: str,
    text: str = "",
    objecting: Iterable[Participant] = (),
    silence: Circulation | None = None,
) -> ActionPlan:
    """Record the SWG's or the SOC's decision on the plan before it, by the
    consensus of the member states present (the rule of
    ``secretariat.services.decisions.decision_check``). Approved by the SWG,
    the plan goes to the SOC; approved by the SOC, it is in force and the
    one in force before it is superseded; returned or without consensus, it
    goes back to its coordinators as a draft; rejected, it closes."""
    # Imported here: secretariat imports implementation's models (a cycle at load).
    from secretariat.services.decisions import decision_create  # noqa: PLC0415

    action = DECISION_ACTION.get(body)
    if action is None:
        raise DomainError(_("Only the SWG and the SOC take decisions on action plans."))
    if outcome not in Outcome.values:
        raise DomainError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
    text = _check_text(text)

    def decide(locked: ActionPlan) -> dict[str, Any]:
        decision: Decision = decision_create(
            actor=actor,
            body=body,
            meeting=meeting,
            initiative=locked.initiative,
            paper=None,
            action_plan=locked,
            outcome=outcome,
            text=text,
            objecting=objecting,
            silence=silence,
        )
        return {
            "decision": decision.symbol,
            "decision_id": decision.pk,
            "body": body,
            "outcome": outcome,
        }

    return _transition(
        actor=actor, plan=plan, action=action, outcome=outcome, reason=text, effect=decide
    )


def _notify_decided(*, plan: ActionPlan, details: dict[str, Any]) -> None:
    """The plan's coordinators' delegates learn that their plan was decided
    and where it stands now, each in their language."""
    from secretariat.models import NotificationKind  # noqa: PLC0415
    from secretariat.services.outbox import _active_delegates, _rendered, notify  # noqa: PLC0415

    params = {
        "symbol": plan.symbol,
        "measure": plan.measure.code,
        "body": details.get("body", ""),
        "outcome": details.get("outcome", ""),
        "decision": details.get("decision", ""),
        "status": plan.status,
    }
    recipients = [
        (user, "action_plan", plan.pk)
        for user, _pid in _active_delegates(participant_ids=plan_coordinator_ids(plan))
    ]
    notify(
        kind=NotificationKind.ACTION_PLAN,
        event_key=f"action-plan-decided:{details.get('decision_id')}",
        messages=_rendered(recipients, kind=NotificationKind.ACTION_PLAN, params=params),
        params=params,
        url=f"/api/v1/action-plans/{plan.pk}/",
    )


def plan_years_now() -> tuple[int, int]:
    """A default period for a new plan's form: this year and the next four."""
    year = timezone.localdate().year
    return year, year + 4
