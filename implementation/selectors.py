"""Reads of the implementation years: who may see which activity and which
return (one rule, asked by the API, the pages, the calendar, the landing
page and the consolidated report), and who coordinates a measure."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cica.sqljson import record, table
from measures.models import CoordinatorDesignation, Measure
from measures.workflow import Status
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for, is_chair_office, is_secretariat

from .models import (
    ActionPlan,
    Activity,
    ActivityStatus,
    PlanStatus,
    Return,
    ReturnStatus,
    Visibility,
)


def coordinator_ids(measure: Measure) -> set[int]:
    """The states coordinating (or co-coordinating) an adopted measure: the
    designations in force on its adopted initiatives."""
    return set(
        CoordinatorDesignation.objects.filter(
            initiative__measure=measure,
            initiative__status=Status.ADOPTED,
            ended_on__isnull=True,
        ).values_list("participant_id", flat=True)
    )


def measures_coordinated_by(participant: Participant) -> QuerySet[Measure]:
    """Measures whose adopted initiative the state (co-)coordinates."""
    return Measure.objects.filter(
        initiatives__status=Status.ADOPTED,
        initiatives__designations__participant=participant,
        initiatives__designations__ended_on__isnull=True,
    ).distinct()


def _reader_opens(user: AnyUser) -> list[str]:
    """The visibilities a reader who is not the secretariat may read."""
    if is_chair_office(user):
        return [Visibility.PUBLIC, Visibility.MEMBERS_AND_OBSERVERS]
    participant = acting_for(user)
    if participant is not None and participant.status_on() in (
        ParticipationStatus.MEMBER,
        ParticipationStatus.OBSERVER,
    ):
        return [Visibility.PUBLIC, Visibility.MEMBERS_AND_OBSERVERS]
    return [Visibility.PUBLIC]


def activities_visible(user: AnyUser) -> QuerySet[Activity]:
    """The secretariat sees every activity; a delegate sees the public ones,
    those for members and observers, and those of its own state (host,
    co-organiser, participating state, or coordinator of the measure)
    whatever their visibility — a state invited to an activity is told of it
    (its confirmation, cancellation) and reads what it is told of;
    the public sees the public ones."""
    qs = Activity.objects.select_related("measure", "host")
    if is_secretariat(user):
        return qs
    open_to = Q(visibility__in=_reader_opens(user))
    participant = acting_for(user)
    if participant is None:
        return qs.filter(open_to)
    own = (
        Q(host=participant)
        | Q(co_organisers=participant)
        | Q(participants=participant)
        | Q(measure__in=measures_coordinated_by(participant))
    )
    return qs.filter(pk__in=Activity.objects.filter(open_to | own).values("pk"))


def returns_visible(user: AnyUser) -> QuerySet[Return]:
    """The secretariat sees every return; a state's delegates see their own
    state's returns (drafts too) and the submitted returns open to them;
    the public sees submitted public returns. A draft is never read
    outside its state and the secretariat."""
    qs = Return.objects.select_related("cycle", "participant", "area", "measure")
    if is_secretariat(user):
        return qs
    open_to = Q(status=ReturnStatus.SUBMITTED, visibility__in=_reader_opens(user))
    participant = acting_for(user)
    if participant is None:
        return qs.filter(open_to)
    return qs.filter(open_to | Q(participant=participant))


# --- action plans (issue 17 item 1, v1) ------------------------------------------------


def plans_visible(user: AnyUser) -> QuerySet[ActionPlan]:
    """Approved and superseded plans are public. Drafts are read by the
    secretariat, the Chair's office and the plan's coordinator states'
    delegates; a plan before the SWG or the SOC (or rejected there) also by
    the member states' delegates, who decide on it."""
    qs = ActionPlan.objects.select_related("measure", "initiative__measure", "amends")
    if is_secretariat(user) or is_chair_office(user):
        return qs
    open_to = Q(status__in=PUBLIC_PLAN_STATUSES)
    participant = acting_for(user)
    if participant is None:
        return qs.filter(open_to)
    if participant.status_on() == ParticipationStatus.MEMBER:
        open_to |= Q(status__in=REVIEWED_PLAN_STATUSES)
    own = Q(coordinators__participant=participant) | Q(
        initiative__designations__participant=participant,
        initiative__designations__ended_on__isnull=True,
    )
    return qs.filter(pk__in=ActionPlan.objects.filter(open_to | own).values("pk"))


PUBLIC_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)
REVIEWED_PLAN_STATUSES = (PlanStatus.SWG_REVIEW, PlanStatus.SOC_REVIEW, PlanStatus.REJECTED)


def plan_in_force(measure: Measure) -> ActionPlan | None:
    """The measure's approved plan, the one it is being implemented under."""
    return ActionPlan.objects.filter(measure=measure, status=PlanStatus.APPROVED).first()


def plans_in_force_by_measure(measure_ids: list[int]) -> dict[int, ActionPlan]:
    """The plan in force of each measure, in one query (lists)."""
    rows = ActionPlan.objects.filter(measure_id__in=measure_ids, status=PlanStatus.APPROVED)
    return {plan.measure_id: plan for plan in rows}


def plan_in_force_record() -> tuple[str, list[str]]:
    """A measure list row's ``action_plan`` (PostgreSQL, issue 18): SQL of the
    plan in force of the row's measure as a JSON object, in the shape of
    ``measures.api._plan_in_force_data``; NULL when none; and its
    parameters. At most one plan is approved per measure (``plan_one_in_force``)."""
    a = table(ActionPlan)
    plan = record(
        [
            ("id", f"{a}.id"),
            ("symbol", f"{a}.symbol"),
            ("starts_in", f"{a}.starts_in"),
            ("ends_in", f"{a}.ends_in"),
            ("url", f"'/api/v1/action-plans/' || {a}.id || '/'"),
            ("page", f"'/action-plans/' || {a}.id || '/'"),
        ]
    )
    sql = f"""(SELECT {plan} FROM {a}
        WHERE {a}.measure_id = {table(Measure)}.id AND {a}.status = %s)"""
    return sql, [PlanStatus.APPROVED.value]


def plan_detail() -> QuerySet[ActionPlan]:
    """A plan with what its page and its API detail show."""
    return ActionPlan.objects.select_related(
        "measure", "initiative__measure", "amends"
    ).prefetch_related(
        "coordinators__participant",
        "planned_activities",
        "events__actor",
        "decisions__meeting",
        "amendments",
    )


def activities_held_public(limit: int = 10) -> list[Activity]:
    """The public landing page's "held" list: the latest public activities
    held or reported on (one query)."""
    return list(
        Activity.objects.filter(
            visibility=Visibility.PUBLIC,
            status__in=[ActivityStatus.HELD, ActivityStatus.REPORT_FILED],
        )
        .select_related("measure", "host")
        .order_by("-ends_on", "-pk")[:limit]
    )
