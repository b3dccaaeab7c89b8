"""Shared starting points of the issue 17 tests (reporting cycles), written
through the reporting services as a real year of reporting writes them.

``cycle_2027_with_returns()``: the 2027 cycle covering ECO-4 (so the area
ECO is owed by the 18 member states), due on 31 March 2028; Tajikistan files
a report on time, Azerbaijan a report late (10 April 2028), Kazakhstan a nil
return on time; everyone else nothing. The participation table then reads
"3 of 18" (2 reports, 1 nil return), 1 late.
"""

from __future__ import annotations

import datetime
import zoneinfo

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model

from implementation.models import ActionPlan, PlanStatus, ReportingCycle, ReturnKind
from implementation.services.reporting import (
    cycle_open,
    return_nil,
    return_save,
    return_submit,
)
from measures.models import CoordinatorDesignation, Initiative, Measure, PriorityArea
from members.models import Participant

YEAR = 2027
DUE_ON = datetime.date(2028, 3, 31)
TJK_FILED = datetime.date(2028, 3, 1)  # on time
KAZ_FILED = datetime.date(2028, 3, 15)  # on time
AZE_FILED = datetime.date(2028, 4, 10)  # late


def at_noon(day: datetime.date) -> datetime.datetime:
    """Noon of ``day`` in the secretariat's time zone (lateness is read there)."""
    return datetime.datetime.combine(
        day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def _user(name: str):
    return get_user_model().objects.get(username=name)


def _state(code: str) -> Participant:
    return Participant.objects.get(code=code)


def eco4_under_an_approved_plan() -> ActionPlan:
    """ECO-4 adopted, Tajikistan its coordinator, its action plan approved.
    Written directly: the action plan's services are issue 17 item 1's."""
    initiative = Initiative.objects.get(measure__code="ECO-4")
    Initiative.objects.filter(pk=initiative.pk).update(status="adopted")
    CoordinatorDesignation.objects.get_or_create(
        initiative=initiative,
        participant=_state("TJK"),
        defaults={"role": "coordinator", "started_on": datetime.date(2026, 1, 1)},
    )
    plan, _created = ActionPlan.objects.get_or_create(
        measure=initiative.measure,
        status=PlanStatus.APPROVED,
        defaults={
            "initiative": initiative,
            "number": 1,
            "symbol": "CICA/AP/ECO-4/1",
            "starts_in": 2027,
            "ends_in": 2029,
        },
    )
    return plan


def cycle_2027_with_returns(*, progress: bool = False) -> ReportingCycle:
    """The 2027 cycle on ECO-4: TJK and AZE reports (AZE's late), KAZ nil.
    With ``progress``, ECO-4 is under an approved plan and Tajikistan, its
    coordinator, files its progress report on time."""
    secretariat = _user("secretariat")
    if progress:
        eco4_under_an_approved_plan()
    with time_machine.travel(at_noon(datetime.date(2028, 1, 10)), tick=False):
        cycle = cycle_open(
            actor=secretariat,
            year=YEAR,
            due_on=DUE_ON,
            measures=[Measure.objects.get(code="ECO-4")],
        )
    eco = PriorityArea.objects.get(code="ECO")
    eco4 = Measure.objects.get(code="ECO-4")

    def report(code: str, day: datetime.date) -> None:
        delegate = _user(f"delegate-{code.lower()}")
        with time_machine.travel(at_noon(day), tick=False):
            draft = return_save(
                actor=delegate,
                cycle=cycle,
                participant=_state(code),
                kind=ReturnKind.NATIONAL_REPORT,
                area=eco,
                text=f"{code}'s national implementation report for {YEAR}.",
                measures=[eco4],
                visibility="public",
            )
            return_submit(actor=delegate, ret=draft)

    report("TJK", TJK_FILED)
    report("AZE", AZE_FILED)
    with time_machine.travel(at_noon(KAZ_FILED), tick=False):
        return_nil(actor=_user("delegate-kaz"), cycle=cycle, participant=_state("KAZ"), area=eco)
    if progress:
        tjk = _user("delegate-tjk")
        with time_machine.travel(at_noon(TJK_FILED), tick=False):
            draft = return_save(
                actor=tjk,
                cycle=cycle,
                participant=_state("TJK"),
                kind=ReturnKind.PROGRESS_REPORT,
                measure=eco4,
                text="Progress on ECO-4 in 2027.",
            )
            return_submit(actor=tjk, ret=draft)
    return cycle
