"""The participation table (issue 17 item 4): for a reporting cycle, each
member state owing (rows) against each priority area owed (columns): a
report, a nil return or nothing yet, on time or late; the coordinators'
progress reports; the totals and the response rate the SOC reads; and the
same figures for every cycle, year by year (the dashboard's chart).

The rules are those of :mod:`implementation.services.reporting` — a state
owes when it is a member on the due date, an area is owed when the cycle
covers it or one of its measures, a return is late when first submitted
after the due date, a draft is nothing filed yet — read here in a fixed
number of queries whatever the number of states, areas, measures, returns
and years (the table is benchmarked at 28 states × 26 measures × 10 years):
each reading fetches rows once and works them out in Python (across the
years, the database counts the states owing each year).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures.inputs import name_sort_key
from measures.models import CoordinatorDesignation, Measure, PriorityArea
from measures.workflow import Status
from members.models import Participant, Participation, ParticipationStatus
from members.rules import AnyUser, acting_for, is_chair_office, is_secretariat

from .models import PlanStatus, ReportingCycle, Return, ReturnKind, ReturnStatus

REPORT = "report"
NIL = "nil"
MISSING = "missing"


@dataclass(frozen=True)
class Cell:
    """One state's return for one area: ``state`` is report, nil or missing
    (a draft is missing: nothing has been filed)."""

    area: str
    state: str
    late: bool = False
    submitted_on: datetime.date | None = None
    return_id: int | None = None


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    cells: list[Cell]
    # Every area owed answered, by a report or a nil return.
    responded: bool

    @property
    def late(self) -> bool:
        return any(c.late for c in self.cells)


@dataclass(frozen=True)
class ProgressRow:
    """A coordinator's progress report on a measure: report or missing."""

    measure: str
    code: str
    name: str
    state: str
    late: bool = False
    submitted_on: datetime.date | None = None
    return_id: int | None = None


@dataclass(frozen=True)
class AreaColumn:
    code: str
    name: str


@dataclass(frozen=True)
class Totals:
    owing: int
    responded: int
    reports: int
    nils: int
    missing: int
    late: int
    # Percent of the states owing that responded, rounded to a whole number.
    rate: int


@dataclass(frozen=True)
class ParticipationTable:
    year: int
    symbol: str
    due_on: datetime.date
    areas: list[AreaColumn]
    rows: list[Row]
    progress: list[ProgressRow]
    totals: Totals
    progress_owed: int = 0
    progress_submitted: int = 0
    progress_late: int = 0


@dataclass(frozen=True)
class YearPoint:
    year: int
    owing: int
    responded: int
    reports: int
    nils: int
    late: int
    rate: int


@dataclass
class _Filed:
    kind: str
    late: bool
    submitted_on: datetime.date | None
    pk: int


@dataclass
class _Cycle:
    cycle: ReportingCycle
    area_ids: set[int] = field(default_factory=set)


def totals_sentence(totals: Totals) -> str:
    """ "3 of 18 member states responded (2 reports, 1 nil return); 1 late"."""
    responded = ngettext(
        "%(responded)s of %(owing)s member state responded",
        "%(responded)s of %(owing)s member states responded",
        totals.owing,
    ) % {"responded": totals.responded, "owing": totals.owing}
    reports = ngettext("%(n)s report", "%(n)s reports", totals.reports) % {"n": totals.reports}
    nils = ngettext("%(n)s nil return", "%(n)s nil returns", totals.nils) % {"n": totals.nils}
    late = ngettext("%(n)s late", "%(n)s late", totals.late) % {"n": totals.late}
    return _("%(responded)s (%(reports)s, %(nils)s); %(late)s") % {
        "responded": responded,
        "reports": reports,
        "nils": nils,
        "late": late,
    }


# --- who reads it ---------------------------------------------------------------------


def may_read_participation(user: AnyUser) -> bool:
    """The SOC's document: the secretariat, the Chair's office and the
    delegates of member and observer states read it."""
    if is_secretariat(user) or is_chair_office(user):
        return True
    participant = acting_for(user)
    return participant is not None and participant.status_on() in (
        ParticipationStatus.MEMBER,
        ParticipationStatus.OBSERVER,
    )


# --- reading --------------------------------------------------------------------------


def _rate(responded: int, owing: int) -> int:
    return round(100 * responded / owing) if owing else 0


def _late(first_submitted_at: datetime.datetime | None, due_on: datetime.date) -> bool:
    # As services.reporting.return_is_late, on a row read as values.
    return first_submitted_at is not None and timezone.localdate(first_submitted_at) > due_on


def _submitted(row: dict[str, Any], due_on: datetime.date) -> _Filed:
    at = row["first_submitted_at"]
    return _Filed(
        kind=row["kind"],
        late=_late(at, due_on),
        submitted_on=timezone.localdate(at) if at else None,
        pk=row["pk"],
    )


_RETURN_FIELDS = ("pk", "cycle_id", "participant_id", "area_id", "measure_id", "kind")


def _submitted_returns(cycles: Q) -> list[dict[str, Any]]:
    return list(
        Return.objects.filter(cycles, status=ReturnStatus.SUBMITTED)
        .order_by()
        .values(*_RETURN_FIELDS, "first_submitted_at")
    )


def _state_rows(
    areas: list[PriorityArea],
    states: list[Participant],
    filed: dict[tuple[int, int], _Filed],
) -> list[Row]:
    rows = []
    for state in states:
        cells = []
        for area in areas:
            got = filed.get((state.pk, area.pk))
            if got is None:
                cells.append(Cell(area=area.code, state=MISSING))
                continue
            cells.append(
                Cell(
                    area=area.code,
                    state=NIL if got.kind == ReturnKind.NIL_RETURN else REPORT,
                    late=got.late,
                    submitted_on=got.submitted_on,
                    return_id=got.pk,
                )
            )
        rows.append(
            Row(
                code=state.code,
                name=state.name,
                cells=cells,
                responded=bool(cells) and all(c.state != MISSING for c in cells),
            )
        )
    rows.sort(key=lambda r: (name_sort_key(r.name), r.code))
    return rows


def _totals(rows: list[Row]) -> Totals:
    cells = [c for r in rows for c in r.cells]
    responded = sum(r.responded for r in rows)
    return Totals(
        owing=len(rows),
        responded=responded,
        reports=sum(c.state == REPORT for c in cells),
        nils=sum(c.state == NIL for c in cells),
        missing=sum(c.state == MISSING for c in cells),
        late=sum(c.late for c in cells),
        rate=_rate(responded, len(rows)),
    )


def participation_table(cycle: ReportingCycle) -> ParticipationTable:
    """The cycle's participation table, in seven queries whatever its size."""
    # 1. The areas owed: covered, or holding a measure covered.
    areas = list(
        PriorityArea.objects.filter(Q(reporting_cycles=cycle) | Q(measures__reporting_cycles=cycle))
        .distinct()
        .order_by("order", "code")
    )
    # 2. The member states on the due date (services.reporting.states_owing).
    states = list(
        Participant.objects.with_status_in(ParticipationStatus.MEMBER, cycle.due_on).order_by(
            "code"
        )
    )
    # 3. Every return submitted for the cycle (drafts are nothing filed).
    returns = _submitted_returns(Q(cycle=cycle))
    filed_areas: dict[tuple[int, int], _Filed] = {}
    filed_measures: dict[tuple[int, int], _Filed] = {}
    for row in returns:
        if row["area_id"] is not None:
            filed_areas[(row["participant_id"], row["area_id"])] = _submitted(row, cycle.due_on)
        elif row["measure_id"] is not None:
            filed_measures[(row["participant_id"], row["measure_id"])] = _submitted(
                row, cycle.due_on
            )
    rows = _state_rows(areas, states, filed_areas)

    # 4. The measures covered that have an approved action plan; 5. their
    # coordinators in force (services.reporting.progress_owed).
    measures = list(
        Measure.objects.filter(Q(reporting_cycles=cycle) | Q(area__reporting_cycles=cycle))
        .filter(action_plans__status=PlanStatus.APPROVED)
        .distinct()
        .order_by("sort_key")
    )
    designations = (
        CoordinatorDesignation.objects.filter(
            initiative__measure__in=[m.pk for m in measures],
            initiative__status=Status.ADOPTED,
            ended_on__isnull=True,
        )
        .select_related("participant", "initiative")
        .order_by("participant__code")
    )
    coordinators: dict[int, dict[int, Participant]] = defaultdict(dict)
    for d in designations:
        coordinators[d.initiative.measure_id][d.participant_id] = d.participant
    progress = []
    for measure in measures:
        for participant in coordinators.get(measure.pk, {}).values():
            got = filed_measures.get((participant.pk, measure.pk))
            progress.append(
                ProgressRow(
                    measure=measure.code,
                    code=participant.code,
                    name=participant.name,
                    state=REPORT if got else MISSING,
                    late=bool(got and got.late),
                    submitted_on=got.submitted_on if got else None,
                    return_id=got.pk if got else None,
                )
            )
    return ParticipationTable(
        year=cycle.year,
        symbol=cycle.symbol,
        due_on=cycle.due_on,
        areas=[AreaColumn(code=a.code, name=a.name) for a in areas],
        rows=rows,
        progress=progress,
        totals=_totals(rows),
        progress_owed=len(progress),
        progress_submitted=sum(p.state == REPORT for p in progress),
        progress_late=sum(p.late for p in progress),
    )


def participation_across_years() -> list[YearPoint]:
    """The totals of every cycle, oldest first, in two queries whatever the
    number of cycles, states, areas and returns (issue 18: the dashboard):
    the cycles with the areas they owe and the number of member states
    owing, and the returns submitted for an area, each marked whether its
    state was a member on the cycle's due date. The rules are the table's."""
    members = Participation.objects.filter(status=ParticipationStatus.MEMBER).order_by()
    # The states owing: members on the due date, each counted once.
    owing = Subquery(
        members.in_force(OuterRef("due_on"))
        .annotate(
            n=Func(
                F("participant_id"),
                template="COUNT(DISTINCT %(expressions)s)",
                output_field=IntegerField(),
            )
        )
        .values("n")
    )
    cycles = ReportingCycle.objects.order_by().annotate(owing=owing)
    rows = cycles.values_list("pk", "year", "due_on", "owing", "areas").union(
        cycles.filter(measures__isnull=False).values_list(
            "pk", "year", "due_on", "owing", "measures__area"
        )
    )
    owed: dict[int, set[int]] = defaultdict(set)
    points_of: dict[int, tuple[int, datetime.date, int]] = {}
    for pk, year, due_on, n, area in rows:
        points_of[pk] = (year, due_on, n)
        if area is not None:
            owed[pk].add(area)
    if not points_of:
        return []
    owed_by_members = (
        Return.objects.filter(area__isnull=False, status=ReturnStatus.SUBMITTED)
        .filter(
            Exists(
                members.in_force(OuterRef("cycle__due_on")).filter(
                    participant=OuterRef("participant")
                )
            )
        )
        .order_by()
        .values(*_RETURN_FIELDS, "first_submitted_at")
    )
    by_cycle: dict[int, dict[tuple[int, int], _Filed]] = defaultdict(dict)
    for row in owed_by_members:
        by_cycle[row["cycle_id"]][(row["participant_id"], row["area_id"])] = _submitted(
            row, points_of[row["cycle_id"]][1]
        )
    points = []
    for pk, (year, _due_on, n) in sorted(points_of.items(), key=lambda item: item[1][0]):
        areas = owed[pk]
        filed = by_cycle[pk]
        responded = reports = nils = late = 0
        for state in {state for state, _area in filed}:
            got = [filed.get((state, area)) for area in areas]
            if areas and all(got):
                responded += 1
            for g in got:
                if g is None:
                    continue
                nils += g.kind == ReturnKind.NIL_RETURN
                reports += g.kind != ReturnKind.NIL_RETURN
                late += g.late
        points.append(
            YearPoint(
                year=year,
                owing=n,
                responded=responded,
                reports=reports,
                nils=nils,
                late=late,
                rate=_rate(responded, n),
            )
        )
    return points


# --- the dashboard's chart across years -----------------------------------------------

# Reports and nil returns: each at least 3:1 against the white background and
# against each other (tests/implementation/test_v4_dashboard.py measures it).
PARTICIPATION_COLOURS = {"reports": "#0b1f4d", "nils": "#e6550d"}


def participation_chart(points: list[YearPoint]) -> dict[str, Any]:
    """A horizontal bar per cycle, as long as its response rate, split
    between the states' reports and nil returns in proportion to their
    numbers; laid out here so the template only draws rectangles (one
    viewBox unit is one CSS pixel, so the 13 px labels stay 13 px)."""
    from secretariat.selectors import CHART_BACKGROUND, CHART_INK, _ink_on  # noqa: PLC0415

    width, left, bar, spacing, least, gap, font = 400, 56, 28, 14, 26, 2, 13
    bars: list[dict[str, Any]] = []
    right = left
    for index, p in enumerate(points):
        y = 10 + index * (bar + spacing)
        length = round(p.rate / 100 * width)
        filed = p.reports + p.nils
        segments = []
        if length and filed:
            report_w = round(length * p.reports / filed)
            parts = [("reports", p.reports, report_w), ("nils", p.nils, length - report_w)]
            x = left
            for key, n, w in parts:
                if not n:
                    continue
                w = max(w, least)
                colour = PARTICIPATION_COLOURS[key]
                segments.append(
                    {
                        "key": key,
                        "x": x,
                        "w": w,
                        "mid": x + w // 2,
                        "n": n,
                        "colour": colour,
                        "ink": _ink_on(colour),
                    }
                )
                x += w + gap
            end = x - gap
        else:
            end = left
        right = max(right, end)
        bars.append(
            {"point": p, "y": y, "text_y": y + bar // 2 + 5, "segments": segments, "end": end}
        )
    return {
        "bars": bars,
        "height": 10 + len(points) * (bar + spacing),
        "width": max(right + 60, left + width + 60),
        "bar": bar,
        "font": font,
        "background": CHART_BACKGROUND,
        "ink": CHART_INK,
        "colours": PARTICIPATION_COLOURS,
    }
