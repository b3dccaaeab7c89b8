"""The consolidated report of a reporting cycle (issue 17 item 5).

One document for the Senior Officials Committee, bearing the cycle's symbol
(``CICA/IMPL/2027``): per priority area and measure, the action plan in
force, the activities held in the year, the coordinators' progress reports,
the national reports' submitted text and the nil returns; then the
participation table.

The report is read, never stored: each reader gets the items *they* may see
(``implementation.selectors``: the public the public items, member and
observer delegates also the members-and-observers ones and their own
state's, the secretariat everything). A draft is never in it, not even for
its own state: the report holds what was submitted.

Who may open it (:func:`report_refusal`): anyone signed in, each with their
visibility; nobody signed in only once the cycle is closed (the public
version: public items only). While the cycle is open a return can still
change, and a half-filled table is no public document.

The queries are a fixed number whatever the size of the cycle (the areas,
the measures, the plans, the activities, the returns, the states, the
participation), measured by ``tests/implementation/test_v5_consolidated.py``.
"""

from __future__ import annotations

import datetime
import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cica.errors import DomainError
from measures.models import Measure, PriorityArea
from members.rules import AnyUser

from .models import (
    ActionPlan,
    ActivityStatus,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
)
from .selectors import activities_visible, returns_visible
from .services.reporting import return_is_late, states_owing

HELD = (ActivityStatus.HELD, ActivityStatus.REPORT_FILED)


# --- the report's structure -----------------------------------------------------------


@dataclass
class PlanItem:
    symbol: str
    starts_in: int
    ends_in: int


@dataclass
class ActivityItem:
    id: int
    title: str
    kind: str
    kind_label: str
    host: str
    host_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    venue: str
    status: str
    status_label: str


@dataclass
class ReturnItem:
    id: int
    state: str
    state_name: str
    text: str
    version: int
    submitted_at: datetime.datetime | None
    late: bool


@dataclass
class StateItem:
    state: str
    state_name: str
    late: bool


@dataclass
class MeasureSection:
    code: str
    title: str
    plan: PlanItem | None
    activities: list[ActivityItem] = field(default_factory=list)
    progress_reports: list[ReturnItem] = field(default_factory=list)


@dataclass
class AreaSection:
    code: str
    name: str
    measures: list[MeasureSection] = field(default_factory=list)
    national_reports: list[ReturnItem] = field(default_factory=list)
    nil_returns: list[StateItem] = field(default_factory=list)


@dataclass
class ParticipationCell:
    area: str
    answer: str  # "report", "nil" or "missing"
    late: bool


@dataclass
class ParticipationRow:
    state: str
    state_name: str
    cells: list[ParticipationCell]
    responded: bool


@dataclass
class ParticipationSection:
    """State × area: report, nil return or missing, and late or on time.
    Who filed is no secret (the SOC reads it): a return counts here whatever
    its visibility; only submitted returns count."""

    areas: list[str]
    rows: list[ParticipationRow]
    owed: int
    responded: int
    reports: int
    nil_returns: int

    @property
    def rate(self) -> float:
        return self.responded / self.owed if self.owed else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)


@dataclass
class ConsolidatedReport:
    symbol: str
    year: int
    due_on: datetime.date
    closed: bool
    generated_at: datetime.datetime
    language: str
    areas: list[AreaSection]
    participation: ParticipationSection


# --- who may read it ------------------------------------------------------------------


def report_refusal(*, cycle: ReportingCycle, user: AnyUser) -> DomainError | None:
    """Anyone signed in reads the report (each with their visibility); the
    public reads it only once the cycle is closed. ``None`` when allowed."""
    if getattr(user, "is_authenticated", False) or cycle.closed_at is not None:
        return None
    return DomainError(
        _("The %(year)s report is public once its cycle is closed: sign in to read it now.")
        % {"year": cycle.year},
        code="not_authenticated",
    )


# --- building it ----------------------------------------------------------------------


def _covered(cycle: ReportingCycle) -> tuple[list[PriorityArea], list[Measure]]:
    """The areas owed and the measures covered, in two queries: the cycle's
    own areas and measures are read with them (subqueries)."""
    named_areas = cycle.areas.values("pk")
    named_measures = cycle.measures.values("pk")
    measures = list(
        Measure.objects.filter(Q(area__in=named_areas) | Q(pk__in=named_measures))
        .only("pk", "code", "title", "area_id", "sort_key")
        .order_by("sort_key")
    )
    areas = list(
        PriorityArea.objects.filter(
            Q(pk__in=named_areas) | Q(pk__in=cycle.measures.values("area_id"))
        ).order_by("order", "code")
    )
    return areas, measures


def _plans(measure_ids: list[int], year: int) -> dict[int, PlanItem]:
    """The plan in force for the year: the approved one if its period covers
    the year, else the latest superseded plan that covered it."""
    plans: dict[int, PlanItem] = {}
    rows = (
        ActionPlan.objects.filter(
            measure_id__in=measure_ids,
            status__in=[PlanStatus.APPROVED, PlanStatus.SUPERSEDED],
            starts_in__lte=year,
            ends_in__gte=year,
        )
        .order_by("measure_id", "status", "-number")  # "approved" sorts before "superseded"
        .values_list("measure_id", "symbol", "starts_in", "ends_in")
    )
    for measure_id, symbol, starts_in, ends_in in rows:
        plans.setdefault(measure_id, PlanItem(symbol, starts_in, ends_in))
    return plans


def _return_item(ret: Return) -> ReturnItem:
    return ReturnItem(
        id=ret.pk,
        state=ret.participant.code,
        state_name=ret.participant.name,
        text=ret.text,
        version=ret.version,
        submitted_at=ret.submitted_at,
        late=return_is_late(ret),
    )


def participation_section(cycle: ReportingCycle, areas: list[PriorityArea]) -> ParticipationSection:
    """The participation table: issue 17 item 4's reading
    (``implementation.participation.participation_table``) when that module
    is installed, read into this report's shape; until then the same reading
    computed here (:func:`_participation_here`)."""
    try:
        # Imported by name: the module is another part of issue 17 (v4).
        participation = importlib.import_module("implementation.participation")
    except ImportError:
        return _participation_here(cycle, areas)
    table = participation.participation_table(cycle)
    return ParticipationSection(
        areas=[a.code for a in table.areas],
        rows=[
            ParticipationRow(
                state=row.code,
                state_name=row.name,
                cells=[ParticipationCell(c.area, c.state, c.late) for c in row.cells],
                responded=row.responded,
            )
            for row in table.rows
        ],
        owed=table.totals.owing,
        responded=table.totals.responded,
        reports=table.totals.reports,
        nil_returns=table.totals.nils,
    )


def _participation_here(cycle: ReportingCycle, areas: list[PriorityArea]) -> ParticipationSection:
    """State × area from the submitted returns (drafts are nothing filed); a
    state responded when it answered every area owed (as item 4 reads it)."""
    area_codes = [a.code for a in areas]
    answers: dict[tuple[int, str], tuple[str, bool]] = {}
    submitted = (
        Return.objects.filter(
            cycle=cycle,
            status=ReturnStatus.SUBMITTED,
            kind__in=[ReturnKind.NATIONAL_REPORT, ReturnKind.NIL_RETURN],
        )
        .select_related("cycle", "area")
        .only("participant_id", "area__code", "kind", "first_submitted_at", "cycle__due_on")
    )
    for ret in submitted:
        answer = "nil" if ret.kind == ReturnKind.NIL_RETURN else "report"
        assert ret.area is not None  # a report or a nil return is for an area
        answers[(ret.participant_id, ret.area.code)] = (answer, return_is_late(ret))
    rows = []
    reports = nils = responded = 0
    for state in states_owing(cycle):
        cells = []
        for code in area_codes:
            answer, late = answers.get((state.pk, code), ("missing", False))
            reports += answer == "report"
            nils += answer == "nil"
            cells.append(ParticipationCell(code, answer, late))
        answered = bool(cells) and all(cell.answer != "missing" for cell in cells)
        responded += answered
        rows.append(ParticipationRow(state.code, state.name, cells, answered))
    return ParticipationSection(
        areas=area_codes,
        rows=rows,
        owed=len(rows),
        responded=responded,
        reports=reports,
        nil_returns=nils,
    )


def consolidated_report(*, cycle: ReportingCycle, user: AnyUser) -> ConsolidatedReport:
    """The cycle's report as ``user`` may read it (the caller checks
    :func:`report_refusal` first). Texts in the active language."""
    areas, measures = _covered(cycle)
    measure_ids = [m.pk for m in measures]
    plans = _plans(measure_ids, cycle.year)

    activities: dict[int, list[ActivityItem]] = defaultdict(list)
    held = (
        activities_visible(user)
        .filter(measure_id__in=measure_ids, status__in=HELD, starts_on__year=cycle.year)
        .order_by("starts_on", "pk")
    )
    for activity in held:
        activities[activity.measure_id].append(
            ActivityItem(
                id=activity.pk,
                title=activity.title,
                kind=activity.kind,
                kind_label=activity.get_kind_display(),
                host=activity.host.code,
                host_name=activity.host.name,
                starts_on=activity.starts_on,
                ends_on=activity.ends_on,
                venue=activity.venue,
                status=activity.status,
                status_label=activity.get_status_display(),
            )
        )

    progress: dict[int, list[ReturnItem]] = defaultdict(list)
    national: dict[int, list[ReturnItem]] = defaultdict(list)
    nil: dict[int, list[StateItem]] = defaultdict(list)
    returns = returns_visible(user).filter(cycle=cycle, status=ReturnStatus.SUBMITTED)
    for ret in returns.order_by("participant__code", "pk"):
        if ret.kind == ReturnKind.PROGRESS_REPORT and ret.measure_id is not None:
            progress[ret.measure_id].append(_return_item(ret))
        elif ret.kind == ReturnKind.NATIONAL_REPORT and ret.area_id is not None:
            national[ret.area_id].append(_return_item(ret))
        elif ret.kind == ReturnKind.NIL_RETURN and ret.area_id is not None:
            nil[ret.area_id].append(
                StateItem(ret.participant.code, ret.participant.name, return_is_late(ret))
            )

    sections = []
    for area in areas:
        section = AreaSection(
            code=area.code,
            name=area.name,
            national_reports=national.get(area.pk, []),
            nil_returns=nil.get(area.pk, []),
        )
        for measure in measures:
            if measure.area_id != area.pk:
                continue
            section.measures.append(
                MeasureSection(
                    code=measure.code,
                    title=measure.title,
                    plan=plans.get(measure.pk),
                    activities=activities.get(measure.pk, []),
                    progress_reports=progress.get(measure.pk, []),
                )
            )
        sections.append(section)

    return ConsolidatedReport(
        symbol=cycle.symbol,
        year=cycle.year,
        due_on=cycle.due_on,
        closed=cycle.closed_at is not None,
        generated_at=timezone.now(),
        language=translation.get_language() or "en",
        areas=sections,
        participation=participation_section(cycle, areas),
    )


# --- the printed document -------------------------------------------------------------

PRINT_TEMPLATE = "cica/consolidated_report_print.html"


def report_context(report: ConsolidatedReport) -> dict[str, Any]:
    return {"report": report}


def consolidated_pdf(*, cycle: ReportingCycle, user: AnyUser, language: str) -> bytes:
    """The report as a PDF (WeasyPrint), in ``language``: the same report
    body as the page (``cica/_consolidated_report.html``), in a document of
    its own with the print styles (``cica/report.css``) and DejaVu Sans, which
    has the Cyrillic letters. Pango must be installed (it is on the servers)."""
    from django.contrib.staticfiles import finders  # noqa: PLC0415
    from django.template.loader import render_to_string  # noqa: PLC0415
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # noqa: PLC0415

    with translation.override(language):
        report = consolidated_report(cycle=cycle, user=user)
        html = render_to_string(PRINT_TEMPLATE, report_context(report))
    sheets = [CSS(filename=finders.find(name)) for name in ("cica/report.css",)]
    document = HTML(string=html, base_url=None)
    pdf: bytes = document.write_pdf(stylesheets=sheets)
    return pdf
