"""Measure the consolidated report (issue 17 item 5) on a realistic history:
28 member states × every measure of the Catalogue × 10 yearly cycles, each
state filing a national report (or a nil return) per area, the coordinators
a progress report per measure, three activities held per measure and year.

Prints, for one cycle: the queries and time of the report (the secretariat,
a member state's delegate, the public), and the PDF's time, size, pages and
the process's peak memory. Everything is written in a transaction rolled
back at the end, unless --keep.
"""

from __future__ import annotations

import datetime
import io
import resource
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from implementation.consolidated import consolidated_pdf, consolidated_report
from implementation.models import (
    ActionPlan,
    Activity,
    ReportingCycle,
    Return,
    ReturnStatus,
    Visibility,
)
from measures.models import Initiative, Measure, PriorityArea
from members.models import Participant, Participation, ParticipationStatus
from members.rules import AnyUser

TEXT = (
    "The national authorities carried out the measure through inter-agency meetings, "
    "training of officials and a review of the legal framework. "
) * 12


class Rollback(Exception):
    pass


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time the consolidated report and its PDF on 28 states × 26 measures × 10 years."

    def add_arguments(self, parser):
        parser.add_argument("--states", type=int, default=28)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, states: int, years: int, keep: bool, **options):
        try:
            with transaction.atomic():
                self._build(states, years)
                self._measure(2027 + years // 2)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("(rolled back)")

    def _build(self, n_states: int, years: int) -> None:
        due = datetime.date(2027 + years, 3, 31)
        members = list(Participant.objects.with_status_in(ParticipationStatus.MEMBER, due))
        for n in range(len(members), n_states):
            extra = Participant.objects.create(
                code=f"ZB{chr(65 + n // 26)}{chr(65 + n % 26)}",
                kind="state",
                name_en=f"Bench state {n}",
                name_fr=f"État {n}",
                name_ru=f"Государство {n}",
            )
            Participation.objects.create(
                participant=extra, status=ParticipationStatus.MEMBER, started_on=due.replace(2000)
            )
            members.append(extra)
        members = members[:n_states]
        measures = list(Measure.objects.all())
        areas = list(PriorityArea.objects.all())
        for measure in measures:
            initiative = Initiative.objects.filter(measure=measure).first()
            if initiative is None:
                continue
            ActionPlan.objects.get_or_create(
                measure=measure,
                number=1,
                defaults={
                    "initiative": initiative,
                    "symbol": f"CICA/AP/{measure.code}/1",
                    "starts_in": 2027,
                    "ends_in": 2027 + years,
                    "status": "approved",
                },
            )
        visibilities = [Visibility.PUBLIC, Visibility.MEMBERS_AND_OBSERVERS, Visibility.SECRETARIAT]
        now = timezone.now()
        for year in range(2027, 2027 + years):
            cycle = ReportingCycle.objects.create(
                year=year, symbol=f"CICA/IMPL/{year}", due_on=datetime.date(year + 1, 3, 31)
            )
            cycle.areas.set(areas)
            Activity.objects.bulk_create(
                Activity(
                    measure=measure,
                    kind="seminar",
                    title_en=f"{measure.code} seminar {k} of {year}",
                    title_ru=f"Семинар {measure.code} {k} {year}",
                    host=members[(k + j) % len(members)],
                    starts_on=datetime.date(year, 3 + 3 * k, 10),
                    ends_on=datetime.date(year, 3 + 3 * k, 11),
                    venue="Astana",
                    status="held",
                    visibility=visibilities[k],
                )
                for j, measure in enumerate(measures)
                for k in range(3)
            )
            rows = []
            for s, state in enumerate(members):
                for a, area in enumerate(areas):
                    nil = (s + a + year) % 5 == 0
                    rows.append(
                        Return(
                            cycle=cycle,
                            participant=state,
                            kind="nil_return" if nil else "national_report",
                            area=area,
                            text="" if nil else TEXT,
                            visibility=visibilities[(s + a) % 3],
                            status=ReturnStatus.SUBMITTED,
                            version=1,
                            first_submitted_at=now,
                            submitted_at=now,
                        )
                    )
            for j, measure in enumerate(measures):
                rows.append(
                    Return(
                        cycle=cycle,
                        participant=members[j % len(members)],
                        kind="progress_report",
                        measure=measure,
                        text=TEXT,
                        visibility=Visibility.MEMBERS_AND_OBSERVERS,
                        status=ReturnStatus.SUBMITTED,
                        version=1,
                        first_submitted_at=now,
                        submitted_at=now,
                    )
                )
            Return.objects.bulk_create(rows)
        self.stdout.write(
            f"{len(members)} states, {len(measures)} measures, {len(areas)} areas, {years} cycles: "
            f"{Activity.objects.count()} activities, {Return.objects.count()} returns"
        )

    def _measure(self, year: int) -> None:
        cycle = ReportingCycle.objects.get(year=year)
        User = get_user_model()
        readers: dict[str, AnyUser] = {
            "secretariat": User.objects.get(username="secretariat"),
            "delegate-kaz": User.objects.get(username="delegate-kaz"),
            "public": AnonymousUser(),
        }
        for name, user in readers.items():
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.monotonic(), time.process_time()
                consolidated_report(cycle=cycle, user=user)
                elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
            self.stdout.write(
                f"report {cycle.symbol} as {name}: {len(queries)} queries, "
                f"{elapsed * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU)"
            )
        from pypdf import PdfReader  # noqa: PLC0415  (dev dependency: pages are counted if present)

        for language in ("en", "ru"):
            before = _peak_mb()
            started, cpu = time.monotonic(), time.process_time()
            pdf = consolidated_pdf(cycle=cycle, user=readers["secretariat"], language=language)
            elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            self.stdout.write(
                f"PDF {language}: {elapsed:.1f} s ({cpu:.1f} s CPU), {len(pdf) / 1024:.0f} KiB, "
                f"{pages} pages, "
                f"peak RSS {_peak_mb():.0f} MB (before: {before:.0f} MB)"
            )
