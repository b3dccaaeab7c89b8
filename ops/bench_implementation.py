"""The implementation years for the bench (issue 17, ``make bench``).

28 member states on every due date, the 26 measures of the Catalogue each
with an adopted initiative, its coordinators (designations), an approved
action plan and about four activities a year (mixed visibility and
statuses), and ten annual reporting cycles covering the four priority areas,
each with its returns: about 70 % of the member states report per area,
15 % file a nil return, the rest nothing (some of them a draft); some
returns late, some corrected (versions 2 and 3); the coordinators' progress
reports.

Two steps. :func:`plan` draws everything from a seeded generator on codes
alone (no database: the same seed gives the same dataset, which the tests
check); :func:`build` writes it with ``bulk_create`` (PostgreSQL and SQLite
alike: a few thousand rows, written in seconds). Bench data is not audited
and skips the services, as ``bench_data`` does: it measures reads.

The registers (``load_cica``) hold the 18 member states of 2007; the ten
later members come from ``/work/shared/reference/cica-history.md`` (joined on
1 January of the year given, the month not being known). Sri Lanka (2018)
and Kuwait (2022) are made members from the first cycle on, bench only, so
that 28 states owe every cycle; any other state that is a member in those
years (``bench_data``'s bench states) becomes an observer from then, so that
the participation table is CICA's 28 states. Each such row names its
reason in ``Participation.source``.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from django.db import models, transaction
from django.db.models import Q

from implementation.models import (
    ActionPlan,
    Activity,
    ActivityKind,
    ActivityStatus,
    PlanCoordinator,
    PlanEvent,
    PlannedActivity,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
    ReturnVersion,
    Visibility,
)
from measures.models import (
    CoordinatorDesignation,
    Initiative,
    InterestDeclaration,
    Measure,
    PriorityArea,
)
from measures.services.transitions import measure_refresh_lead
from measures.workflow import OPEN_STATUSES, Status
from members.models import Delegate, Participant, ParticipantKind, Participation

AREAS = ("ECO", "ENV", "HUM", "NCT")
FIRST_YEAR = 2016
YEARS = 10
ACTIVITIES_PER_YEAR = 4
STATES = 28
# Shares of the state x area cells (per cycle, drawn per cell).
REPORT_SHARE, NIL_SHARE = 0.70, 0.15
LATE_SHARE = 0.12
CORRECTED_SHARE = 0.10
DRAFT_SHARE_OF_MISSING = 0.5
BENCH_SOURCE = "bench (issue 17)"

# The members that joined after the seed's registers (cica-history.md):
# code, names (en, fr, ru), observer since, member since.
LATER_MEMBERS: list[tuple[str, tuple[str, str, str], int | None, int]] = [
    ("JOR", ("Jordan", "Jordanie", "Иордания"), None, 2008),
    (
        "ARE",
        ("United Arab Emirates", "Émirats arabes unis", "Объединённые Арабские Эмираты"),
        None,
        2008,
    ),
    ("IRQ", ("Iraq", "Iraq", "Ирак"), None, 2010),
    ("VNM", ("Viet Nam", "Viet Nam", "Вьетнам"), None, 2010),
    ("BHR", ("Bahrain", "Bahreïn", "Бахрейн"), None, 2011),
    ("KHM", ("Cambodia", "Cambodge", "Камбоджа"), None, 2011),
    ("BGD", ("Bangladesh", "Bangladesh", "Бангладеш"), 2010, 2014),
    ("QAT", ("Qatar", "Qatar", "Катар"), None, 2014),
    ("LKA", ("Sri Lanka", "Sri Lanka", "Шри-Ланка"), 2012, 2018),
    ("KWT", ("Kuwait", "Koweït", "Кувейт"), None, 2022),
]

KINDS = [k.value for k in ActivityKind]
# Activity statuses, weighted: most held with their report filed.
ACTIVITY_STATUSES = [
    (ActivityStatus.REPORT_FILED, 45),
    (ActivityStatus.HELD, 30),
    (ActivityStatus.CANCELLED, 8),
    (ActivityStatus.POSTPONED, 7),
    (ActivityStatus.CONFIRMED, 5),
    (ActivityStatus.PLANNED, 5),
]
ACTIVITY_VISIBILITY = [
    (Visibility.PUBLIC, 60),
    (Visibility.MEMBERS_AND_OBSERVERS, 30),
    (Visibility.SECRETARIAT, 10),
]
REPORT_VISIBILITY = [
    (Visibility.PUBLIC, 50),
    (Visibility.MEMBERS_AND_OBSERVERS, 40),
    (Visibility.SECRETARIAT, 10),
]
PROGRESS_VISIBILITY = [(Visibility.PUBLIC, 30), (Visibility.MEMBERS_AND_OBSERVERS, 70)]
VENUES = [
    ("Astana", "Asia/Almaty"),
    ("Almaty", "Asia/Almaty"),
    ("Baku", "Asia/Baku"),
    ("Dushanbe", "Asia/Dushanbe"),
    ("Bangkok", "Asia/Bangkok"),
    ("Beijing", "Asia/Shanghai"),
    ("Ankara", "Europe/Istanbul"),
    ("Tashkent", "Asia/Tashkent"),
    ("Abu Dhabi", "Asia/Dubai"),
    ("Doha", "Asia/Qatar"),
]


def due_on(year: int) -> datetime.date:
    """A cycle reports on ``year`` and is due on 31 March of the next."""
    return datetime.date(year + 1, 3, 31)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def _weighted(rng: random.Random, choices):
    values = [c for c, _w in choices]
    return rng.choices(values, weights=[w for _c, w in choices])[0]


# A state x area cell by what was submitted for it (else "missing").
OUTCOME: dict[str, str] = {ReturnKind.NATIONAL_REPORT: "report", ReturnKind.NIL_RETURN: "nil"}


def _through(model: type[models.Model], name: str) -> type[models.Model]:
    """The table behind a many-to-many field, to fill with bulk_create."""
    return cast("type[models.Model]", getattr(model, name).through)


# --- the plan: codes only, drawn from the seed ------------------------------------------


@dataclass
class PlannedReturn:
    year: int
    state: str
    kind: str  # ReturnKind
    area: str | None  # national report and nil return
    measure: str | None  # progress report
    status: str  # ReturnStatus
    versions: list[datetime.datetime] = field(default_factory=list)  # submissions
    visibility: str = Visibility.MEMBERS_AND_OBSERVERS
    text: str = ""
    measures: list[str] = field(default_factory=list)
    activities: list[int] = field(default_factory=list)  # indexes into Plan.activities

    @property
    def late(self) -> bool:
        return bool(self.versions) and self.versions[0].date() > due_on(self.year)


@dataclass
class PlannedActivityRow:
    measure: str
    year: int
    kind: str
    title: str
    host: str
    starts_on: datetime.date
    ends_on: datetime.date
    venue: str
    time_zone: str
    status: str
    reason: str
    visibility: str
    participants: list[str]
    co_organisers: list[str]
    planned: bool  # the plan's planned activity for the year


@dataclass
class Plan:
    years: list[int]
    states: list[str]
    measures: dict[str, str]  # code -> area
    coordinators: dict[str, list[tuple[str, str]]]  # measure -> [(state, role)]
    activities: list[PlannedActivityRow]
    returns: list[PlannedReturn]

    def cells(self) -> Counter[str]:
        """State x area x cycle cells by outcome: report, nil, missing."""
        counts: Counter[str] = Counter()
        filed = {
            (r.year, r.state, r.area): r.kind
            for r in self.returns
            if r.area is not None and r.status == ReturnStatus.SUBMITTED
        }
        for year in self.years:
            for state in self.states:
                for area in sorted(set(self.measures.values())):
                    kind = filed.get((year, state, area))
                    counts[OUTCOME.get(kind or "", "missing")] += 1
        return counts


def _submissions(
    rng: random.Random, due: datetime.date, corrected: bool
) -> list[datetime.datetime]:
    """When a return was submitted (version 1), then corrected (2, 3)."""
    if rng.random() < LATE_SHARE:
        first = due + datetime.timedelta(days=rng.randint(1, 60))
    else:
        first = due - datetime.timedelta(days=rng.randint(0, 80))
    times = [_at(first, rng.randint(8, 17))]
    if corrected:
        for _ in range(1 if rng.random() < 0.8 else 2):
            times.append(times[-1] + datetime.timedelta(days=rng.randint(3, 40)))
    return times


def plan(
    *,
    states: list[str],
    measures: dict[str, str],
    volunteers: dict[str, list[str]],
    seed: int = 2017,
    first_year: int = FIRST_YEAR,
    years: int = YEARS,
    activities_per_year: int = ACTIVITIES_PER_YEAR,
) -> Plan:
    """Everything the bench writes, on codes: ``states`` (the member states),
    ``measures`` (code -> area code), ``volunteers`` (measure -> states that
    offered to coordinate it, in the registers). Deterministic in ``seed``."""
    rng = random.Random(seed)
    states = sorted(states)
    span = list(range(first_year, first_year + years))
    coordinators: dict[str, list[tuple[str, str]]] = {}
    for code in sorted(measures):
        offered = [s for s in sorted(volunteers.get(code, [])) if s in states]
        lead = offered[0] if offered else rng.choice(states)
        others = [s for s in states if s != lead]
        co = rng.sample(others, rng.choice([0, 1, 1, 2]))
        coordinators[code] = [(lead, "coordinator")] + [(s, "co_coordinator") for s in sorted(co)]

    activities: list[PlannedActivityRow] = []
    for code in sorted(measures):
        coordinating = [s for s, _role in coordinators[code]]
        for year in span:
            for k in range(activities_per_year):
                kind = rng.choice(KINDS)
                host = rng.choice(coordinating) if rng.random() < 0.7 else rng.choice(states)
                start = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                status = _weighted(rng, ACTIVITY_STATUSES)
                reason = ""
                if status == ActivityStatus.CANCELLED:
                    reason = "Cancelled: the host could not receive the delegations."
                elif status == ActivityStatus.POSTPONED:
                    reason = "Postponed to the next year at the host's request."
                venue, zone = rng.choice(VENUES)
                others = [s for s in states if s != host]
                activities.append(
                    PlannedActivityRow(
                        measure=code,
                        year=year,
                        kind=kind,
                        title=f"{code} {kind.replace('_', ' ')} {year}/{k + 1}",
                        host=host,
                        starts_on=start,
                        ends_on=start + datetime.timedelta(days=rng.randint(0, 3)),
                        venue=venue,
                        time_zone=zone,
                        status=status,
                        reason=reason,
                        visibility=_weighted(rng, ACTIVITY_VISIBILITY),
                        participants=sorted(rng.sample(others, rng.randint(3, 10))),
                        co_organisers=sorted(rng.sample(others, rng.choice([0, 0, 1]))),
                        planned=k == 0,
                    )
                )
    by_year_area: dict[tuple[int, str], list[int]] = {}
    for i, a in enumerate(activities):
        by_year_area.setdefault((a.year, measures[a.measure]), []).append(i)

    returns: list[PlannedReturn] = []
    areas = sorted(set(measures.values()))
    for year in span:
        due = due_on(year)

        for state in states:
            for area in areas:
                draw = rng.random()
                if draw < REPORT_SHARE:
                    theirs = [
                        i
                        for i in by_year_area.get((year, area), [])
                        if state in activities[i].participants or activities[i].host == state
                    ]
                    returns.append(
                        PlannedReturn(
                            year=year,
                            state=state,
                            kind=ReturnKind.NATIONAL_REPORT,
                            area=area,
                            measure=None,
                            status=ReturnStatus.SUBMITTED,
                            versions=_submissions(rng, due, rng.random() < CORRECTED_SHARE),
                            visibility=_weighted(rng, REPORT_VISIBILITY),
                            text=(
                                f"{state} reports on {area} for {year}: national focal points "
                                f"met {rng.randint(1, 6)} times, {rng.randint(0, 4)} "
                                "national events were held and the measures below were "
                                "carried out with the partners named."
                            ),
                            measures=sorted(
                                rng.sample(
                                    [m for m in sorted(measures) if measures[m] == area],
                                    rng.randint(1, 2),
                                )
                            ),
                            activities=sorted(rng.sample(theirs, min(len(theirs), 2))),
                        )
                    )
                elif draw < REPORT_SHARE + NIL_SHARE:
                    returns.append(
                        PlannedReturn(
                            year=year,
                            state=state,
                            kind=ReturnKind.NIL_RETURN,
                            area=area,
                            measure=None,
                            status=ReturnStatus.SUBMITTED,
                            versions=_submissions(rng, due, False),
                            visibility=Visibility.PUBLIC,
                        )
                    )
                elif rng.random() < DRAFT_SHARE_OF_MISSING:
                    returns.append(
                        PlannedReturn(
                            year=year,
                            state=state,
                            kind=ReturnKind.NATIONAL_REPORT,
                            area=area,
                            measure=None,
                            status=ReturnStatus.DRAFT,
                            text=f"{state}, {area} {year}: draft.",
                        )
                    )
        for code in sorted(measures):
            for state, _role in coordinators[code]:
                draw = rng.random()
                if draw < 0.8:
                    returns.append(
                        PlannedReturn(
                            year=year,
                            state=state,
                            kind=ReturnKind.PROGRESS_REPORT,
                            area=None,
                            measure=code,
                            status=ReturnStatus.SUBMITTED,
                            versions=_submissions(rng, due, rng.random() < CORRECTED_SHARE),
                            visibility=_weighted(rng, PROGRESS_VISIBILITY),
                            text=(
                                f"Progress on {code} in {year}: the activities of the plan "
                                f"went ahead; {rng.randint(2, 9)} states took part."
                            ),
                        )
                    )
                elif draw < 0.9:
                    returns.append(
                        PlannedReturn(
                            year=year,
                            state=state,
                            kind=ReturnKind.PROGRESS_REPORT,
                            area=None,
                            measure=code,
                            status=ReturnStatus.DRAFT,
                            text=f"Progress on {code} in {year}: draft.",
                        )
                    )
    return Plan(
        years=span,
        states=states,
        measures=dict(measures),
        coordinators=coordinators,
        activities=activities,
        returns=returns,
    )


# --- the registers: 28 member states on every due date ----------------------------------


def ensure_members(first_year: int, last_year: int) -> list[Participant]:
    """The seed's 18 members and the 10 later ones, members on every due
    date of the cycles from ``first_year`` to ``last_year``; every other
    state that would be a member then becomes an observer from 1 January
    of ``first_year``. Returns the member states, by code."""
    start = datetime.date(first_year, 1, 1)
    first_due, last_due = due_on(first_year), due_on(last_year)
    by_code = {
        p.code: p for p in Participant.objects.filter(code__in=[c for c, *_ in LATER_MEMBERS])
    }
    for code, (en, fr, ru), observer_since, member_since in LATER_MEMBERS:
        participant = by_code.get(code)
        if participant is None:
            participant = Participant(
                code=code, kind=ParticipantKind.STATE, name=en, name_en=en, name_fr=fr, name_ru=ru
            )
            participant.save()
            if observer_since is not None:
                Participation.objects.create(
                    participant=participant,
                    status="observer",
                    started_on=datetime.date(observer_since, 1, 1),
                    ended_on=None,
                    source="cica-history.md (year only)",
                )
        since = datetime.date(member_since, 1, 1)
        source = "cica-history.md (year only)"
        if since > first_due:
            since, source = (
                start,
                (
                    f"{BENCH_SOURCE}: member from {first_year} here (joined in {member_since}, "
                    "cica-history.md) so that 28 states owe every cycle"
                ),
            )
        _become(participant, "member", since, source)
    # The states that are members in those years, beyond the 28: observers.
    members = list(
        Participant.objects.filter(kind=ParticipantKind.STATE)
        .filter(
            pk__in=Participation.objects.filter(status="member")
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=last_due))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first_due))
            .values("participant_id")
        )
        .order_by("pk")
    )
    # The seed's members (load_cica: members in 2007, from the registers,
    # not bench_data's bench states) and the later ten stay members.
    seed_members = set(
        Participation.objects.in_force(datetime.date(2007, 12, 31))
        .filter(status="member")
        .exclude(source="bench")
        .values_list("participant_id", flat=True)
    )
    later = {c for c, *_ in LATER_MEMBERS}
    keep = seed_members | {p.pk for p in members if p.code in later}
    for participant in members:
        if participant.pk not in keep:
            _become(
                participant,
                "observer",
                start,
                f"{BENCH_SOURCE}: an observer from {first_year} so that the 28 are the members",
            )
    return list(
        Participant.objects.with_status_in("member", first_due)
        .filter(kind=ParticipantKind.STATE)
        .order_by("code")
    )


def _become(participant: Participant, status: str, since: datetime.date, source: str) -> None:
    """``participant`` holds ``status`` from ``since`` on: its periods
    running then are closed on that day, those starting on or after it
    replaced (bench data: no history is audited)."""
    rows = list(participant.participations.order_by("started_on"))
    open_row = next((r for r in rows if r.ended_on is None), None)
    if (
        open_row is not None
        and open_row.status == status
        and (open_row.started_on is None or open_row.started_on <= since)
    ):
        return
    later = [r for r in rows if r.started_on is not None and r.started_on >= since]
    for row in later:
        row.delete()
    for row in rows:
        if row in later:
            continue
        if row.ended_on is None or row.ended_on > since:
            row.ended_on = since
            row.save(update_fields=["ended_on"])
    Participation.objects.create(
        participant=participant, status=status, started_on=since, ended_on=None, source=source
    )


# --- writing ------------------------------------------------------------------------------


def build(
    *,
    seed: int = 2017,
    first_year: int = FIRST_YEAR,
    years: int = YEARS,
    activities_per_year: int = ACTIVITIES_PER_YEAR,
) -> dict[str, int]:
    """Write the implementation years into the database (on top of the
    registers, and of ``bench_data`` if it ran). Returns the counts written."""
    last_year = first_year + years - 1
    if ReportingCycle.objects.filter(year__gte=first_year, year__lte=last_year).exists():
        raise ValueError(f"reporting cycles for {first_year}–{last_year} exist already")
    with transaction.atomic():
        states = ensure_members(first_year, last_year)
        measures = list(
            Measure.objects.filter(area__code__in=AREAS).select_related("area").order_by("sort_key")
        )
        volunteers: dict[str, list[str]] = {}
        for measure_code, state in InterestDeclaration.objects.filter(
            initiative__measure__in=measures, volunteers_as_coordinator=True
        ).values_list("initiative__measure__code", "participant__code"):
            volunteers.setdefault(measure_code, []).append(state)
        the_plan = plan(
            states=[s.code for s in states],
            measures={m.code: m.area.code for m in measures},
            volunteers=volunteers,
            seed=seed,
            first_year=first_year,
            years=years,
            activities_per_year=activities_per_year,
        )
        counts = _write(the_plan, {s.code: s for s in states}, {m.code: m for m in measures})
    counts["states"] = len(states)
    counts["measures"] = len(measures)
    return counts


def _write(the_plan: Plan, states: dict[str, Participant], measures: dict[str, Measure]):
    first_year, last_year = the_plan.years[0], the_plan.years[-1]
    adopted_on = datetime.date(first_year - 1, 6, 1)
    delegates = dict(
        Delegate.objects.filter(participant__in=states.values(), is_active=True)
        .order_by("-pk")
        .values_list("participant__code", "user_id")
    )

    # Each measure's adopted initiative, its coordinators and its plan.
    initiatives: dict[str, Initiative] = {}
    for code, measure in measures.items():
        # The adopted initiative, else the open one (the registers' offers
        # opened one), made adopted; else a new one.
        initiative = (
            measure.initiatives.filter(status=Status.ADOPTED).order_by("-sequence").first()
            or measure.initiatives.filter(status__in=sorted(OPEN_STATUSES))
            .order_by("-sequence")
            .first()
        )
        if initiative is None:
            last = measure.initiatives.order_by("-sequence").first()
            initiative = Initiative.objects.create(
                measure=measure, modality="a", sequence=last.sequence + 1 if last else 1
            )
        if initiative.status != Status.ADOPTED:
            initiative.status = Status.ADOPTED
            initiative.save(update_fields=["status", "updated_at"])
        measure_refresh_lead(measure_id=measure.pk)
        initiatives[code] = initiative
    existing = set(
        CoordinatorDesignation.objects.filter(
            initiative__in=initiatives.values(), ended_on__isnull=True
        ).values_list("initiative_id", "participant__code")
    )
    CoordinatorDesignation.objects.bulk_create(
        [
            CoordinatorDesignation(
                initiative=initiatives[code],
                participant=states[state],
                role=role,
                started_on=adopted_on,
            )
            for code, pairs in the_plan.coordinators.items()
            for state, role in pairs
            if (initiatives[code].pk, state) not in existing
        ]
    )
    plans = ActionPlan.objects.bulk_create(
        [
            ActionPlan(
                initiative=initiatives[code],
                measure=measures[code],
                number=(measures[code].action_plans.count() + 1),
                symbol=f"CICA/AP/{code}/{measures[code].action_plans.count() + 1}",
                starts_in=first_year,
                ends_in=last_year,
                text=f"Action plan for {code}, {first_year}–{last_year}.",
                status=PlanStatus.APPROVED,
                approved_at=_at(datetime.date(first_year - 1, 11, 15)),
            )
            for code in the_plan.coordinators
        ]
    )
    plan_of = {p.measure.code: p for p in plans}
    PlanCoordinator.objects.bulk_create(
        [
            PlanCoordinator(plan=plan_of[code], participant=states[state], role=role)
            for code, pairs in the_plan.coordinators.items()
            for state, role in pairs
        ]
    )
    PlanEvent.objects.bulk_create(
        [
            PlanEvent(plan=p, action=action, from_status=before, to_status=after)
            for p in plans
            for action, before, after in (
                ("create", "", PlanStatus.DRAFT),
                ("submit", PlanStatus.DRAFT, PlanStatus.SWG_REVIEW),
                ("record_swg_decision", PlanStatus.SWG_REVIEW, PlanStatus.SOC_REVIEW),
                ("record_soc_decision", PlanStatus.SOC_REVIEW, PlanStatus.APPROVED),
            )
        ]
    )
    planned = PlannedActivity.objects.bulk_create(
        [
            PlannedActivity(
                plan=plan_of[a.measure], kind=a.kind, title=a.title, target_year=a.year, order=0
            )
            for a in the_plan.activities
            if a.planned
        ]
    )
    planned_of = {(p.plan.measure.code, p.target_year): p for p in planned}

    activities = Activity.objects.bulk_create(
        [
            Activity(
                measure=measures[a.measure],
                plan=plan_of[a.measure],
                planned=planned_of[(a.measure, a.year)] if a.planned else None,
                kind=a.kind,
                title_en=a.title,
                title_ru=a.title if a.planned else "",
                host=states[a.host],
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                venue=a.venue,
                time_zone=a.time_zone,
                organisations="OSCE\nUNODC" if a.kind == ActivityKind.CONFERENCE else "",
                status=a.status,
                status_reason=a.reason,
                visibility=a.visibility,
                created_by_id=delegates.get(a.host),
            )
            for a in the_plan.activities
        ]
    )
    _through(Activity, "participants")._default_manager.bulk_create(
        [
            _through(Activity, "participants")(activity_id=row.pk, participant_id=states[s].pk)
            for a, row in zip(the_plan.activities, activities, strict=True)
            for s in a.participants
        ]
    )
    _through(Activity, "co_organisers")._default_manager.bulk_create(
        [
            _through(Activity, "co_organisers")(activity_id=row.pk, participant_id=states[s].pk)
            for a, row in zip(the_plan.activities, activities, strict=True)
            for s in a.co_organisers
        ]
    )

    # The cycles, then their returns.
    areas = {a.code: a for a in PriorityArea.objects.filter(code__in=AREAS)}
    cycles = {}
    for year in the_plan.years:
        due = due_on(year)
        cycle = ReportingCycle.objects.create(
            year=year,
            symbol=f"CICA/IMPL/{year}",
            due_on=due,
            reminder_days=14,
            reminder_sent_at=_at(due - datetime.timedelta(days=14), 6),
            summary_sent_at=_at(due + datetime.timedelta(days=1), 6),
            closed_at=None if year == last_year else _at(due + datetime.timedelta(days=90)),
        )
        cycle.areas.set(areas.values())
        cycles[year] = cycle
    for year, cycle in cycles.items():
        ReportingCycle.objects.filter(pk=cycle.pk).update(
            opened_at=_at(datetime.date(year, 12, 1), 9)
        )

    def rows():
        for r in the_plan.returns:
            user = delegates.get(r.state)
            first = r.versions[0] if r.versions else None
            last = r.versions[-1] if r.versions else None
            yield Return(
                cycle=cycles[r.year],
                participant=states[r.state],
                kind=r.kind,
                area=areas[r.area] if r.area else None,
                measure=measures[r.measure] if r.measure else None,
                text=r.text,
                visibility=r.visibility,
                status=r.status,
                version=len(r.versions),
                created_by_id=user,
                first_submitted_at=first,
                submitted_at=last,
                submitted_by_id=user if last else None,
            )

    written = Return.objects.bulk_create(list(rows()), batch_size=2000)
    _through(Return, "measures")._default_manager.bulk_create(
        [
            _through(Return, "measures")(return_id=row.pk, measure_id=measures[m].pk)
            for r, row in zip(the_plan.returns, written, strict=True)
            for m in r.measures
        ],
        batch_size=5000,
    )
    _through(Return, "activities")._default_manager.bulk_create(
        [
            _through(Return, "activities")(return_id=row.pk, activity_id=activities[i].pk)
            for r, row in zip(the_plan.returns, written, strict=True)
            for i in r.activities
        ],
        batch_size=5000,
    )
    versions = ReturnVersion.objects.bulk_create(
        [
            ReturnVersion(
                ret=row,
                version=v,
                kind=r.kind,
                text=r.text if v == len(r.versions) else f"{r.text} (version {v})".strip(),
                visibility=r.visibility,
                measure_codes=r.measures,
                activity_ids=sorted(activities[i].pk for i in r.activities),
                note="" if v == 1 else f"Correction {v - 1}: figures updated.",
                submitted_at=when,
                submitted_by_id=row.submitted_by_id,
            )
            for r, row in zip(the_plan.returns, written, strict=True)
            for v, when in enumerate(r.versions, start=1)
        ],
        batch_size=5000,
    )
    kinds = Counter(r.kind for r in the_plan.returns)
    return {
        "cycles": len(cycles),
        "activities": len(activities),
        "returns": len(written),
        "national_reports": kinds[ReturnKind.NATIONAL_REPORT],
        "nil_returns": kinds[ReturnKind.NIL_RETURN],
        "progress_reports": kinds[ReturnKind.PROGRESS_REPORT],
        "drafts": sum(r.status == ReturnStatus.DRAFT for r in the_plan.returns),
        "late": sum(r.late for r in the_plan.returns),
        "corrected": sum(len(r.versions) > 1 for r in the_plan.returns),
        "versions": len(versions),
    }
