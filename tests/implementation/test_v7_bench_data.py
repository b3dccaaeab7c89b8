"""The bench's implementation years (issue 17, Must show "make bench
extended"): ``ops/bench_implementation.py`` draws 28 member states x 26
measures x ten reporting cycles from a seed and writes them with
bulk_create, on PostgreSQL and SQLite alike (``manage.py
bench_implementation_data``). Built here at a tiny size (two cycles, one
activity a year per measure); the proportions are checked on the full-size
plan, which needs no database."""

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from implementation.models import (
    ActionPlan,
    Activity,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
)
from implementation.selectors import coordinator_ids
from implementation.services.reporting import cycle_areas, return_is_late, states_owing
from measures.models import Measure
from measures.workflow import Status
from ops import bench_implementation as bench

SEED_MEMBERS = {
    "AFG", "AZE", "CHN", "EGY", "IND", "IRN", "ISR", "KAZ", "KGZ",
    "MNG", "PAK", "PSE", "KOR", "RUS", "TJK", "THA", "TUR", "UZB",
}  # fmt: skip
LATER = {"JOR", "ARE", "IRQ", "VNM", "BHR", "KHM", "BGD", "QAT", "LKA", "KWT"}
STATES = sorted(SEED_MEMBERS | LATER)
SIZES = (("ECO", 8), ("ENV", 6), ("HUM", 6), ("NCT", 6))
MEASURES = {f"{area}-{n}": area for area, size in SIZES for n in range(1, size + 1)}


def full_plan(seed: int = 2017) -> bench.Plan:
    return bench.plan(states=STATES, measures=MEASURES, volunteers={"ECO-2": ["AZE"]}, seed=seed)


def test_v7_the_plan_is_drawn_from_its_seed():
    assert full_plan(7) == full_plan(7)
    assert full_plan(7).returns != full_plan(8).returns


def test_v7_full_size_plan_has_the_shares_asked():
    """28 states x 4 areas x 10 cycles: ~70 % reports, ~15 % nil, the rest
    missing (half of those with a draft); some late, some corrected; each
    measure with about four activities a year of mixed visibility and
    status; a progress report from most coordinators."""
    p = full_plan()
    assert len(p.states) == 28
    assert len(p.measures) == 26
    assert p.years == list(range(2016, 2026))
    cells = p.cells()
    assert sum(cells.values()) == 28 * 4 * 10
    share = {k: v / 1120 for k, v in cells.items()}
    assert 0.65 < share["report"] < 0.75
    assert 0.11 < share["nil"] < 0.19
    assert 0.10 < share["missing"] < 0.20
    area_returns = [r for r in p.returns if r.area is not None]
    # One return at most per state, area and cycle (the model's constraint).
    assert len({(r.year, r.state, r.area) for r in area_returns}) == len(area_returns)
    drafts = [r for r in area_returns if r.status == ReturnStatus.DRAFT]
    assert 0.3 < len(drafts) / cells["missing"] < 0.7
    submitted = [r for r in p.returns if r.status == ReturnStatus.SUBMITTED]
    late = sum(r.late for r in submitted) / len(submitted)
    assert 0.07 < late < 0.17
    corrected = [r for r in submitted if len(r.versions) > 1]
    assert corrected
    assert all(r.kind != ReturnKind.NIL_RETURN for r in corrected)
    assert any(len(r.versions) == 3 for r in corrected)
    assert len(p.activities) == 26 * 10 * 4
    assert {a.visibility for a in p.activities} == {
        "public",
        "members_and_observers",
        "secretariat",
    }
    assert {"held", "report_filed", "cancelled", "postponed"} <= {a.status for a in p.activities}
    assert all(a.reason for a in p.activities if a.status in ("cancelled", "postponed"))
    progress = [r for r in p.returns if r.kind == ReturnKind.PROGRESS_REPORT]
    owed = sum(len(pairs) for pairs in p.coordinators.values()) * 10
    assert 0.75 < sum(r.status == "submitted" for r in progress) / owed < 0.85
    # The registers' offer names the coordinator.
    assert p.coordinators["ECO-2"][0] == ("AZE", "coordinator")


def _cells_in_db() -> Counter:
    """Per cycle, each member state x area owed: report, nil or missing."""
    counts: Counter = Counter()
    for cycle in ReportingCycle.objects.all():
        filed = {
            (code, area): kind
            for code, area, kind in Return.objects.filter(
                cycle=cycle, area__isnull=False, status=ReturnStatus.SUBMITTED
            ).values_list("participant__code", "area__code", "kind")
        }
        for state in states_owing(cycle):
            for area in cycle_areas(cycle):
                kind = filed.get((state.code, area.code))
                counts[bench.OUTCOME.get(kind or "", "missing")] += 1
    return counts


@pytest.mark.django_db
def test_v7_builds_two_tiny_cycles_on_this_database(capsys):
    call_command("bench_implementation_data", years=2, activities_per_year=1, seed=11)
    assert '"cycles": 2' in capsys.readouterr().out
    cycles = list(ReportingCycle.objects.order_by("year"))
    assert [c.year for c in cycles] == [2016, 2017]
    assert [c.due_on for c in cycles] == [datetime.date(2017, 3, 31), datetime.date(2018, 3, 31)]
    assert cycles[0].closed_at is not None
    assert cycles[1].closed_at is None
    for cycle in cycles:
        owing = {p.code for p in states_owing(cycle)}
        assert owing == SEED_MEMBERS | LATER  # 28 members on the due date
        assert [a.code for a in cycle_areas(cycle)] == ["ECO", "ENV", "HUM", "NCT"]
    measures = Measure.objects.filter(area__code__in=bench.AREAS)
    assert measures.count() == 26
    for measure in measures:
        assert measure.lead_initiative is not None
        assert measure.lead_initiative.status == Status.ADOPTED
        assert coordinator_ids(measure)
        plan = ActionPlan.objects.get(measure=measure, status=PlanStatus.APPROVED)
        assert plan.coordinators.count() == len(coordinator_ids(measure))
        assert plan.symbol == f"CICA/AP/{measure.code}/1"
    assert Activity.objects.count() == 26 * 2
    # Every state x area cell is a report, a nil return or missing, as planned.
    expected = bench.plan(
        states=sorted(SEED_MEMBERS | LATER),
        measures={m.code: m.area.code for m in measures.select_related("area")},
        volunteers=_volunteers(),
        seed=11,
        years=2,
        activities_per_year=1,
    )
    cells = _cells_in_db()
    assert sum(cells.values()) == 28 * 4 * 2
    assert cells["report"] > cells["nil"] > 0
    assert cells["missing"] > 0
    returns = Return.objects.all()
    assert returns.filter(status="draft").exists()
    submitted = returns.filter(status="submitted").prefetch_related("versions")
    assert any(return_is_late(r) for r in submitted.select_related("cycle"))
    for ret in submitted:
        assert [v.version for v in ret.versions.all()] == list(range(1, ret.version + 1))
        assert ret.first_submitted_at is not None
        assert ret.submitted_at is not None
        assert ret.first_submitted_at <= ret.submitted_at
    assert returns.filter(version__gte=2).exists()
    assert returns.filter(kind="progress_report", status="submitted").exists()
    assert cells == expected.cells()


@pytest.mark.django_db
def test_v7_the_same_seed_writes_the_same_returns():
    call_command("bench_implementation_data", years=1, activities_per_year=1, seed=5)
    rows = {
        (
            r.cycle.year,
            r.participant.code,
            r.area.code if r.area else None,
            r.measure.code if r.measure else None,
            r.kind,
            r.status,
            r.version,
            r.visibility,
        )
        for r in Return.objects.select_related("cycle", "participant", "area", "measure")
    }
    plan = bench.plan(
        states=sorted(SEED_MEMBERS | LATER),
        measures={
            m.code: m.area.code
            for m in Measure.objects.filter(area__code__in=bench.AREAS).select_related("area")
        },
        volunteers=_volunteers(),
        seed=5,
        years=1,
        activities_per_year=1,
    )
    assert rows == {
        (r.year, r.state, r.area, r.measure, r.kind, r.status, len(r.versions), r.visibility)
        for r in plan.returns
    }


def _volunteers() -> dict[str, list[str]]:
    from measures.models import InterestDeclaration  # noqa: PLC0415

    found: dict[str, list[str]] = {}
    for code, state in InterestDeclaration.objects.filter(
        volunteers_as_coordinator=True, initiative__measure__area__code__in=bench.AREAS
    ).values_list("initiative__measure__code", "participant__code"):
        found.setdefault(code, []).append(state)
    return found


@pytest.mark.django_db
def test_v7_builds_once():
    call_command("bench_implementation_data", years=1, activities_per_year=0)
    with pytest.raises(CommandError, match="exist already"):
        call_command("bench_implementation_data", years=1, activities_per_year=0)


@pytest.mark.django_db
def test_v7_bench_section_runs_on_the_tiny_dataset(capsys):
    """`manage.py bench --only implementation` prints section 6 (each reader
    measured, or "not available" when its part is not on the branch) and
    writes no docs/benchmarks.md."""
    call_command("bench_implementation_data", years=2, activities_per_year=1)
    call_command("bench", only="implementation", repeat=2, pdf_repeat=0)  # no PDF: seconds each
    out = capsys.readouterr().out
    assert "## 6. Implementation years" in out
    assert "28 member states on the due date x 4 areas, 26 measures, 2 cycles (2016–2017)" in out
    for name in (
        "participation_table(2017)",
        "participation_across_years() (2 cycles)",
        "consolidated_report(2017), secretariat",
        "consolidated_report(2017), member delegate KAZ",
        "participation page (secretariat) `/reporting/2017/participation/`",
        "report page (delegate KAZ) `/reporting/2017/report/`",
    ):
        line = next(line for line in out.splitlines() if line.startswith(f"| {name} |"))
        assert "failed" not in line, line
    assert "PDF (consolidated_pdf): not measured" in out
    assert "written to" not in out
