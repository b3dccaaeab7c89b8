"""Starting points of the reporting tests (helper v3): ECO-4 adopted with
Tajikistan coordinating under an approved action plan, and a 2027 cycle."""

import datetime

from django.utils import timezone

from implementation.models import ActionPlan, PlanStatus, ReportingCycle
from implementation.services.reporting import cycle_open
from measures.models import CoordinatorDesignation, Initiative, Measure, PriorityArea
from members.models import Participant

DUE = datetime.date(2027, 12, 31)


def eco4_adopted_with_plan(*, approved: bool = True) -> Measure:
    """ECO-4 adopted, Tajikistan its coordinator, its action plan approved."""
    initiative = Initiative.objects.get(measure__code="ECO-4")
    Initiative.objects.filter(pk=initiative.pk).update(status="adopted")
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    ActionPlan.objects.create(
        initiative=initiative,
        measure=initiative.measure,
        number=1,
        symbol="CICA/AP/ECO-4/1",
        starts_in=2027,
        ends_in=2029,
        status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
        approved_at=timezone.now() if approved else None,
    )
    return initiative.measure


def cycle_2027(people, *, areas=("ECO",), due=DUE, **kwargs) -> ReportingCycle:
    return cycle_open(
        actor=people.secretariat,
        year=2027,
        due_on=due,
        areas=PriorityArea.objects.filter(code__in=areas),
        **kwargs,
    )


def state(code: str) -> Participant:
    return Participant.objects.get(code=code)


def area(code: str) -> PriorityArea:
    return PriorityArea.objects.get(code=code)
