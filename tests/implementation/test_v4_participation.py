"""Issue 17 item 4: the participation table of a cycle and across years.

Built through the reporting services: the 2027 cycle on ECO-4 (area ECO
owed by the 18 member states), Tajikistan and Azerbaijan report (Azerbaijan
late), Kazakhstan files a nil return; Iran's draft counts as missing; a
state that joined after the due date does not owe; an observer never owes.
"""

import datetime

import pytest
import time_machine
from django.utils import translation

from implementation.models import ReportingCycle, ReturnKind
from implementation.participation import (
    MISSING,
    NIL,
    REPORT,
    participation_across_years,
    participation_table,
)
from implementation.services.reporting import cycle_open, return_nil, return_save
from measures.inputs import name_sort_key
from measures.models import Measure, PriorityArea
from members.models import Participant, Participation
from tests.implementation.scenarios17 import (
    AZE_FILED,
    DUE_ON,
    TJK_FILED,
    at_noon,
    cycle_2027_with_returns,
)

pytestmark = pytest.mark.django_db


def _joins_after(due_on: datetime.date) -> Participant:
    state = Participant.objects.create(code="TKM", kind="state", name="Turkmenistan")
    Participation.objects.create(
        participant=state, status="member", started_on=due_on + datetime.timedelta(days=1)
    )
    return state


@pytest.fixture
def cycle(people):
    cycle = cycle_2027_with_returns(progress=True)
    with time_machine.travel(at_noon(TJK_FILED), tick=False):
        return_save(
            actor=people["delegate-irn"],
            cycle=cycle,
            participant=Participant.objects.get(code="IRN"),
            kind=ReturnKind.NATIONAL_REPORT,
            area=PriorityArea.objects.get(code="ECO"),
            text="Iran's draft, not submitted.",
        )
    _joins_after(DUE_ON)
    return cycle


def _row(table, code):
    return next(r for r in table.rows if r.code == code)


def test_the_table_reads_3_of_18_with_the_late_one_marked(cycle):
    table = participation_table(cycle)
    assert [a.code for a in table.areas] == ["ECO"]
    assert len(table.rows) == 18
    t = table.totals
    assert (t.owing, t.responded, t.reports, t.nils, t.missing, t.late) == (18, 3, 2, 1, 15, 1)
    assert t.rate == 17  # 3 / 18
    tjk, aze, kaz = _row(table, "TJK"), _row(table, "AZE"), _row(table, "KAZ")
    assert (tjk.cells[0].state, tjk.cells[0].late) == (REPORT, False)
    assert tjk.cells[0].submitted_on == TJK_FILED
    assert (aze.cells[0].state, aze.cells[0].late) == (REPORT, True)
    assert aze.cells[0].submitted_on == AZE_FILED
    assert aze.late
    assert not tjk.late
    assert (kaz.cells[0].state, kaz.cells[0].late) == (NIL, False)
    assert all(r.responded for r in (tjk, aze, kaz))


def test_a_draft_is_missing(cycle):
    irn = _row(participation_table(cycle), "IRN")
    assert irn.cells[0].state == MISSING
    assert irn.cells[0].return_id is None
    assert not irn.responded


def test_a_state_that_joined_after_the_due_date_and_observers_do_not_owe(cycle):
    codes = {r.code for r in participation_table(cycle).rows}
    assert "TKM" not in codes
    assert not codes & {"USA", "JPN", "IDN", "MYS", "UKR", "VNM", "UN", "OSCE", "LAS"}


def test_rows_are_sorted_by_name_in_the_readers_language(cycle):
    for language in ("en", "ru", "fr"):
        with translation.override(language):
            names = [r.name for r in participation_table(cycle).rows]
        assert names == sorted(names, key=name_sort_key), language
    with translation.override("ru"):
        assert participation_table(cycle).rows[0].name.startswith("Азербайджан")


def test_progress_reports_owed_by_the_coordinators(cycle):
    table = participation_table(cycle)
    assert [(p.measure, p.code, p.state, p.late) for p in table.progress] == [
        ("ECO-4", "TJK", REPORT, False)
    ]
    assert (table.progress_owed, table.progress_submitted, table.progress_late) == (1, 1, 0)


def test_a_covered_measure_without_an_approved_plan_owes_no_progress_report(people):
    cycle = cycle_2027_with_returns()
    assert participation_table(cycle).progress == []


def test_every_area_must_be_answered_to_have_responded(people):
    sec, kaz = people["secretariat"], people["delegate-kaz"]
    eco, env = PriorityArea.objects.get(code="ECO"), PriorityArea.objects.get(code="ENV")
    cycle = cycle_open(actor=sec, year=2030, due_on=datetime.date(2031, 3, 31), areas=[eco, env])
    state = Participant.objects.get(code="KAZ")
    return_nil(actor=kaz, cycle=cycle, participant=state, area=eco)
    table = participation_table(cycle)
    assert [a.code for a in table.areas] == ["ECO", "ENV"]
    row = _row(table, "KAZ")
    assert [c.state for c in row.cells] == [NIL, MISSING]
    assert not row.responded
    assert table.totals.responded == 0
    return_nil(actor=kaz, cycle=cycle, participant=state, area=env)
    assert _row(participation_table(cycle), "KAZ").responded


def test_across_years(people):
    sec = people["secretariat"]
    cycle_2027_with_returns()
    _joins_after(DUE_ON)  # a member for 2028's cycle, not 2027's
    eco = PriorityArea.objects.get(code="ECO")
    later = cycle_open(actor=sec, year=2028, due_on=datetime.date(2029, 3, 31), areas=[eco])
    return_nil(
        actor=people["delegate-kaz"],
        cycle=later,
        participant=Participant.objects.get(code="KAZ"),
        area=eco,
    )
    points = participation_across_years()
    assert [(p.year, p.owing, p.responded, p.reports, p.nils, p.late, p.rate) for p in points] == [
        (2027, 18, 3, 2, 1, 1, 17),
        (2028, 19, 1, 0, 1, 0, 5),
    ]


def test_no_cycle_no_point(db):
    assert participation_across_years() == []


def _more_data(people, year: int) -> None:
    """Another cycle on two areas with a report or a nil from ten states."""
    sec = people["secretariat"]
    areas = list(PriorityArea.objects.filter(code__in=["HUM", "NCT"]))
    cycle = cycle_open(
        actor=sec,
        year=year,
        due_on=datetime.date(year + 1, 3, 31),
        areas=areas,
        measures=[Measure.objects.get(code="ECO-1")],
    )
    for code in ["AFG", "CHN", "EGY", "IND", "IRN", "ISR", "KGZ", "MNG", "PAK", "THA"]:
        state = Participant.objects.get(code=code)
        for area in [*areas, PriorityArea.objects.get(code="ECO")]:
            return_nil(
                actor=people[f"delegate-{code.lower()}"], cycle=cycle, participant=state, area=area
            )


def test_the_table_takes_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    small = cycle_2027_with_returns(progress=True)
    with django_assert_max_num_queries(7):
        participation_table(small)
    _more_data(people, 2031)
    big = ReportingCycle.objects.get(year=2031)
    with django_assert_max_num_queries(7):
        table = participation_table(big)
    assert table.totals.responded == 10
    assert {a.code for a in table.areas} == {"ECO", "HUM", "NCT"}


def test_across_years_takes_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    cycle_2027_with_returns()
    with django_assert_max_num_queries(2):  # issue 18: two (five before)
        participation_across_years()
    for year in (2031, 2032, 2033):
        _more_data(people, year)
    with django_assert_max_num_queries(2):
        points = participation_across_years()
    assert len(points) == 4
