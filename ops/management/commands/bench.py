"""Run the benchmarks on the bench database and print one table (make bench).

1. SQL queries per request for every list and detail endpoint, the desk and
   the dashboard, at page sizes 10 and 100;
2. server-side latency p50/p95/p99 of the main reads, and the cost of
   CONN_HEALTH_CHECKS (p50/p95 of one read with the checks on and off);
3. throughput under gunicorn (2 workers) with wrk on loopback, beside the
   framework's floor and a naive DRF view;
4. circulation fan-out to 28 states x 20 delegates (queries, time), and the
   rate at which one Celery worker drains 10,000 pending e-mails;
5. peak memory of a gunicorn worker;
6. the implementation years (issue 17): the participation table, the
   participation across the years and the consolidated report (for the
   secretariat and a member delegate, and as a PDF) of the latest of ten
   reporting cycles for 28 states x 26 measures, with the two pages
   (``manage.py bench --only implementation`` runs this one alone).
"""

import datetime
import importlib
import io
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.db.models import Q
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from cica.celery import app
from measures.models import (
    CoordinatorDesignation,
    Initiative,
    InitiativeEvent,
    Measure,
    Paper,
    PriorityArea,
)
from members.models import Delegate, Participant, Participation
from secretariat.models import Notification, Receipt
from secretariat.services import initiative_circulate

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PgDatabaseWrapper

# The page size the targets name (issue 8: "at page size 100"), for the
# endpoints and the two references alike.
PAGE = 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "Benchmarks on the bench database; writes docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=10, help="wrk seconds per target")
        parser.add_argument(
            "--output",
            default=None,
            help="docs/benchmarks.md for a whole run; --only writes nothing unless named",
        )
        parser.add_argument(
            "--only",
            choices=["implementation"],
            default=None,
            help="run one section and print it (implementation: section 6)",
        )
        parser.add_argument(
            "--repeat", type=int, default=20, help="runs per figure of section 6 (p50/p95)"
        )
        parser.add_argument(
            "--pdf-repeat", type=int, default=5, help="PDFs per language in section 6 (0: none)"
        )

    def handle(self, *args, duration: int, output: str | None, only: str | None, **options):
        self.lines: list[str] = []
        started = time.monotonic()
        # Thousands of requests from one client in a minute: throttles off.
        no_throttles = {"anon": None, "user": None, "signin": None}
        if only == "implementation":
            with override_settings(
                ALLOWED_HOSTS=["*"], DEBUG=False, CICA_THROTTLE_RATES=no_throttles
            ):
                self.implementation_years(options["repeat"], options["pdf_repeat"])
            if output:
                self.machine(time.monotonic() - started, output)
            return
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False, CICA_THROTTLE_RATES=no_throttles):
            self.query_counts()
            self.latencies()
            self.health_checks()
        self.throughput(duration)
        self.fan_out()
        self.drain()
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False, CICA_THROTTLE_RATES=no_throttles):
            self.implementation_years(options["repeat"], options["pdf_repeat"])
        output = output or "docs/benchmarks.md"
        self.machine(time.monotonic() - started, output)

    def out(self, line: str = "") -> None:
        self.stdout.write(line)
        self.lines.append(line)

    # --- 1. queries ---------------------------------------------------------------

    def _clients(self):
        User = get_user_model()
        anonymous = Client()
        delegate = Client()
        delegate.force_login(User.objects.get(username="delegate-kaz"))
        staff = Client()
        staff.force_login(User.objects.get(username="secretariat"))
        return anonymous, delegate, staff

    def query_counts(self):
        anonymous, delegate, staff = self._clients()
        # bench_data's last rows, written before the implementation years (whose
        # initiatives and states come after them): the figures of earlier runs.
        measure = Measure.objects.latest("pk")
        initiative = Initiative.objects.filter(measure=measure).order_by(
            "pk"
        ).last() or Initiative.objects.latest("pk")
        targets = [
            ("participants", anonymous, "/api/v1/participants/"),
            ("areas", anonymous, "/api/v1/areas/"),
            ("measures", anonymous, "/api/v1/measures/"),
            ("coordinator-offers", anonymous, "/api/v1/coordinator-offers/"),
            ("initiatives", anonymous, "/api/v1/initiatives/"),
            ("meetings", anonymous, "/api/v1/meetings/"),
            ("decisions", anonymous, "/api/v1/decisions/"),
            ("experts", anonymous, "/api/v1/experts/"),
            ("information", anonymous, "/api/v1/information/"),
            ("circulations (staff)", staff, "/api/v1/circulations/"),
            ("notifications (delegate)", delegate, "/api/v1/notifications/"),
            ("measure detail", anonymous, f"/api/v1/measures/{measure.code}/"),
            ("initiative detail", anonymous, f"/api/v1/initiatives/{initiative.pk}/"),
            ("participant detail", anonymous, "/api/v1/participants/KAZ/"),
            ("delegate desk", delegate, "/"),
            ("dashboard", staff, "/admin/dashboard/"),
        ]
        self.out("## 1. SQL queries per request")
        self.out("")
        self.out("| endpoint | page 10 | page 100 |")
        self.out("|---|---:|---:|")
        for name, client, url in targets:
            counts = []
            for size in (10, 100):
                joiner = "&" if "?" in url else "?"
                client.get(f"{url}{joiner}page_size={size}")
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(f"{url}{joiner}page_size={size}")
                counts.append(
                    f"{len(ctx)}"
                    + ("" if response.status_code == 200 else f" ({response.status_code})")
                )
            self.out(f"| {name} | {counts[0]} | {counts[1]} |")
        self.out("")

    # --- 2. latency ---------------------------------------------------------------

    def latencies(self, repeat: int = 40):
        anonymous, delegate, _staff = self._clients()
        area = PriorityArea.objects.latest("order").code
        participant = (
            Participant.objects.filter(participations__source="bench").order_by("pk").last()
            or Participant.objects.latest("pk")
        ).code
        code = Measure.objects.latest("pk").code
        reads = [
            (
                "measures ?area&status",
                anonymous,
                f"/api/v1/measures/?area={area}&status=drafting&page_size={PAGE}",
            ),
            ("measure detail", anonymous, f"/api/v1/measures/{code}/"),
            (
                "initiatives ?participant",
                anonymous,
                f"/api/v1/initiatives/?participant={participant}&page_size={PAGE}",
            ),
            ("information ?q (full text)", anonymous, "/api/v1/information/?q=transport"),
            (
                "initiatives ?status",
                anonymous,
                f"/api/v1/initiatives/?status=drafting&page_size={PAGE}",
            ),
        ]
        self.out(f"## 2. Server-side latency (in-process, warm, ms), lists at page size {PAGE}")
        self.out("")
        self.out("| read | p50 | p95 | p99 |")
        self.out("|---|---:|---:|---:|")
        for name, client, url in reads:
            client.get(url)
            timings = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            q = statistics.quantiles(timings, n=100)
            self.out(f"| {name} | {q[49]:.1f} | {q[94]:.1f} | {q[98]:.1f} |")
        self.out("")

    def health_checks(self, repeat: int = 300):
        """The cost of CONN_HEALTH_CHECKS (issue 13 item 19): one read through
        Django's WSGI handler (the test client skips the connection
        housekeeping of each request), checks on and off in turn on the same
        persistent connection."""
        code = Measure.objects.latest("pk").code
        url = f"/api/v1/measures/{code}/"
        handler = WSGIHandler()
        environ = RequestFactory().get(url).environ

        def start_response(status, headers, exc_info=None):
            assert status.startswith("200"), status

        def one_request() -> float:
            t0 = time.perf_counter()
            response = handler(dict(environ), start_response)
            b"".join(response)
            response.close()  # request_finished: the housekeeping of a real request
            return (time.perf_counter() - t0) * 1000

        db = connection.settings_dict
        before = db["CONN_HEALTH_CHECKS"], db["CONN_MAX_AGE"]
        db["CONN_MAX_AGE"] = max(60, before[1] or 0)
        timings: dict[bool, list[float]] = {False: [], True: []}

        def health_checks(on: bool) -> None:
            # The setting is copied onto the connection when it connects.
            db["CONN_HEALTH_CHECKS"] = on
            connection.health_check_enabled = on  # type: ignore[attr-defined]  # not in the stubs

        try:
            for checks in (False, True):  # warm both
                health_checks(checks)
                one_request()
            for _ in range(repeat):
                for checks in (False, True):  # interleaved: same load for both
                    health_checks(checks)
                    timings[checks].append(one_request())
        finally:
            db["CONN_HEALTH_CHECKS"], db["CONN_MAX_AGE"] = before
            connection.health_check_enabled = before[0]  # type: ignore[attr-defined]  # as above
        self.out(
            "### 2b. Cost of CONN_HEALTH_CHECKS (one read through the WSGI handler, "
            f"persistent connection, {repeat} requests each, interleaved, ms)"
        )
        self.out("")
        self.out("| measure detail | p50 | p95 |")
        self.out("|---|---:|---:|")
        p50 = {}
        for checks in (False, True):
            q = statistics.quantiles(sorted(timings[checks]), n=100)
            p50[checks] = q[49]
            label = "health checks on (the default)" if checks else "health checks off"
            self.out(f"| {label} | {q[49]:.2f} | {q[94]:.2f} |")
        connection.ensure_connection()
        alone = []
        for _ in range(2000):
            t0 = time.perf_counter()
            connection.is_usable()
            alone.append((time.perf_counter() - t0) * 1000)
        q = statistics.quantiles(sorted(alone), n=100)
        self.out(f"| the check alone (`is_usable()`, 2000 times) | {q[49]:.2f} | {q[94]:.2f} |")
        self.out("")
        self.out(
            f"The check (one `SELECT 1` when a request first uses its reused connection) "
            f"costs {p50[True] - p50[False]:+.2f} ms at the median of the read."
        )
        self.out("")

    # --- 3. throughput ------------------------------------------------------------

    def throughput(self, duration: int):
        self.out(
            f"## 3. Throughput under gunicorn (2 workers, gunicorn.conf.py), wrk on loopback, "
            f"page size {PAGE}"
        )
        self.out("")
        wrk = shutil.which("wrk")
        if wrk is None:
            self.out("wrk is not installed (apt-get install wrk): skipped.")
            self.out("")
            return
        port = _free_port()
        env = {
            **os.environ,
            "CICA_BENCH_VIEWS": "true",
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # wrk speaks plain HTTP on loopback and is one address at hundreds
            # of requests a second: no HTTPS redirect, no throttles.
            "SECURE_SSL_REDIRECT": "false",
            "CICA_THROTTLE_ANON": "off",
            "CICA_THROTTLE_USER": "off",
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        server = subprocess.Popen(
            [
                str(gunicorn),
                "cica.wsgi",
                "--config",
                str(Path(settings.BASE_DIR) / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            targets = [
                ("/api/v1/measures/", f"/api/v1/measures/?page_size={PAGE}"),
                (
                    "/api/v1/initiatives/?status=drafting",
                    f"/api/v1/initiatives/?status=drafting&page_size={PAGE}",
                ),
                ("floor: .values() as JSON", f"/bench/floor/measures/?page_size={PAGE}"),
                ("naive DRF (nested, no prefetch)", f"/bench/naive/measures/?page_size={PAGE}"),
            ]
            self.out("| target | requests/s | p50 ms | p99 ms |")
            self.out("|---|---:|---:|---:|")
            rates = {}
            for name, path in targets:
                result = subprocess.run(
                    [
                        wrk,
                        "-t2",
                        "-c8",
                        f"-d{duration}s",
                        "--latency",
                        f"http://127.0.0.1:{port}{path}",
                    ],
                    capture_output=True,
                    text=True,
                    timeout=duration + 30,
                )
                text = result.stdout
                found = re.search(r"Requests/sec:\s+([\d.]+)", text)
                if found is None:
                    raise RuntimeError(f"wrk printed no rate for {name}:\n{text}")
                rate = float(found.group(1))
                p50 = re.search(r"50%\s+([\d.]+)(\w+)", text)
                p99 = re.search(r"99%\s+([\d.]+)(\w+)", text)
                rates[name] = rate
                self.out(f"| {name} | {rate:.0f} | {_ms(p50)} | {_ms(p99)} |")
            floor = rates["floor: .values() as JSON"]
            self.out("")
            if floor:
                self.out(
                    f"Ratio to the floor: measures {rates['/api/v1/measures/'] / floor:.2f}, "
                    f"naive DRF {rates['naive DRF (nested, no prefetch)'] / floor:.2f}."
                )
            else:  # no answer within wrk's 2 s timeout (a loaded machine, a short DURATION)
                self.out("The floor answered nothing within wrk's timeout: no ratio.")
            self.out("")
            self.memory(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    def memory(self, master_pid: int):
        peaks = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if f"PPid:\t{master_pid}\n" in text:
                peak = re.search(r"VmHWM:\s+(\d+) kB", text)
                if peak:
                    peaks.append(int(peak.group(1)) / 1024)
        self.out("## 5. Peak memory of a gunicorn worker")
        self.out("")
        self.out(
            f"VmHWM of the {len(peaks)} workers after the load: "
            + ", ".join(f"{p:.0f} MB" for p in sorted(peaks))
        )
        self.out("")

    # --- 4. fan-out and drain -----------------------------------------------------

    def fan_out(self):
        User = get_user_model()
        self.out("## 4. Circulation fan-out to 28 states x 20 delegates")
        self.out("")
        with transaction.atomic():
            sid = transaction.savepoint()
            # A circulation goes to every member state (the audience names no
            # subset), so the other member states' membership ends today, in
            # this rolled-back transaction: exactly 28 receipts, as in CICA.
            states = list(Participant.objects.with_status_in("member").order_by("pk")[:28])
            extra = Participant.objects.exclude(pk__in=[s.pk for s in states])
            Participation.objects.filter(
                participant__in=extra, status="member", ended_on__isnull=True
            ).update(ended_on=timezone.localdate())
            Delegate.objects.filter(participant__in=extra).update(is_active=False)
            users = User.objects.bulk_create(
                [
                    User(username=f"fan-{s.pk}-{k}", email=f"fan-{s.pk}-{k}@example.org")
                    for s in states
                    for k in range(20)
                ]
            )
            Delegate.objects.filter(participant__in=states).update(is_active=False)
            Delegate.objects.bulk_create(
                [
                    Delegate(user=u, participant=states[i // 20], role="delegate")
                    for i, u in enumerate(users)
                ]
            )
            measure = Measure.objects.get(code="ECO-1")
            initiative = Initiative.objects.create(measure=measure, status="drafting", sequence=99)
            CoordinatorDesignation.objects.create(
                initiative=initiative,
                participant=states[0],
                role="coordinator",
                started_on=timezone.localdate(),
            )
            Paper.objects.create(
                initiative=initiative,
                kind="concept_paper",
                version=1,
                symbol="CICA/CP/BENCH/FAN/1",
                file="papers/bench.pdf",
                original_name="b.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0",
                language="en",
            )
            actor = User.objects.get(username="secretariat")
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                initiative_circulate(
                    actor=actor,
                    initiative=initiative,
                    deadline=timezone.localdate() + datetime.timedelta(days=7),
                )
            elapsed = (time.perf_counter() - t0) * 1000
            receipts = initiative.circulations.get().receipts.count()
            written = Notification.objects.filter(
                kind="circulation", url__contains="/circulations/"
            ).count()
            transaction.savepoint_rollback(sid)
        self.out(
            f"{receipts} receipts and {written} notifications in {len(ctx)} queries, "
            f"{elapsed:.0f} ms (one transaction)."
        )
        self.out("")

    def drain(self, count: int = 10_000):
        """Issue 18 target 4: e-mails/s of one Celery worker (solo pool, the
        Redis broker) draining ``count`` pending e-mails handed over as a
        commit hands them (``notifications_enqueue``: batch tasks of
        ``EMAIL_BATCH_SIZE``), beside the send services called in a loop in
        this process over as many rows (the reference: the batch service,
        which the task runs; and the one-e-mail service). Each leg has rows of
        its own; the locmem backend stands in for the mail server."""
        from secretariat.services import (  # noqa: PLC0415
            EMAIL_BATCH_SIZE,
            notification_send_email,
            notifications_enqueue,
            notifications_send_batch,
        )

        self.out("## 4b. E-mail drain: one Celery worker beside the send service in-process")
        self.out("")
        User = get_user_model()
        user = User.objects.get(username="delegate-kaz")

        def pending(leg: str, rows: int = count) -> tuple[str, list[int]]:
            stamp = f"drain:{leg}:{time.time_ns()}:"
            created = Notification.objects.bulk_create(
                [
                    Notification(
                        recipient=user,
                        kind="designation",
                        idempotency_key=f"{stamp}{k}",
                        subject=f"S{k}",
                        body="b",
                    )
                    for k in range(rows)
                ]
            )
            return stamp, [r.pk for r in created]

        def outcome(stamp: str, ids: list[int]) -> int:
            rows = Notification.objects.filter(
                pk__gte=min(ids), pk__lte=max(ids), idempotency_key__startswith=stamp
            )
            sent = rows.filter(email_status="sent").count()
            rows.delete()
            mail.outbox = []
            return sent

        figures: list[tuple[str, int, int, float]] = []
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            # A tenth as many: one at a time it is the slowest leg by far.
            stamp, ids = pending("one", max(1, count // 10))
            t0 = time.perf_counter()
            for notification_id in ids:
                notification_send_email(notification_id=notification_id)
            elapsed = time.perf_counter() - t0
            figures.append(
                (
                    "one-e-mail service in a loop (notification_send_email)",
                    len(ids),
                    outcome(stamp, ids),
                    elapsed,
                )
            )

            stamp, ids = pending("batch")
            t0 = time.perf_counter()
            for start in range(0, count, EMAIL_BATCH_SIZE):
                notifications_send_batch(notification_ids=ids[start : start + EMAIL_BATCH_SIZE])
            elapsed = time.perf_counter() - t0
            figures.append(
                (
                    f"batch service in a loop (notifications_send_batch, "
                    f"{EMAIL_BATCH_SIZE} a call)",
                    count,
                    outcome(stamp, ids),
                    elapsed,
                )
            )

            if settings.REDIS_URL:
                stamp, ids = pending("worker")
                # Handed over before the clock starts, as a commit hands them over.
                notifications_enqueue(notification_ids=ids)
                t0 = time.perf_counter()
                with start_worker(
                    app,
                    perform_ping_check=False,
                    pool="solo",
                    concurrency=1,
                    loglevel=os.environ.get("BENCH_CELERY_LOGLEVEL", "WARNING"),
                    shutdown_timeout=30,
                ):
                    # The rows by id range (and key), not 10,000 ids in an IN
                    # list: building that query took the worker thread's time.
                    waiting = Notification.objects.filter(
                        pk__gte=min(ids),
                        pk__lte=max(ids),
                        idempotency_key__startswith=stamp,
                        email_status="pending",
                    )
                    while waiting.exists():
                        if time.perf_counter() - t0 > 600:
                            break
                        time.sleep(0.1)
                elapsed = time.perf_counter() - t0
                figures.append(
                    (
                        "one Celery worker, solo, Redis (send_notification_batch)",
                        count,
                        outcome(stamp, ids),
                        elapsed,
                    )
                )
        self.out("| path | sent | s | e-mails/s |")
        self.out("|---|---:|---:|---:|")
        for name, rows, sent, elapsed in figures:
            self.out(f"| {name} | {sent} of {rows} | {elapsed:.1f} | {sent / elapsed:.0f} |")
        self.out("")
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        if len(figures) < 3:
            self.out(f"REDIS_URL is not set: the worker was not measured (load {load}).")
            self.out("")
            return
        (_, _, one, one_s), (_, _, batch, batch_s), (_, _, worker, worker_s) = figures
        ratio = (worker / worker_s) / (batch / batch_s)
        verdict = "met" if ratio >= 0.8 else "missed"
        self.out(
            f"Worker / batch service in-process (the reference): **{ratio:.2f}** "
            f"(target >= 0.8: {verdict}); worker / one-e-mail service in a loop: "
            f"{(worker / worker_s) / (one / one_s):.2f}. Load average {load}."
        )
        self.out("")

    # --- 6. the implementation years (issue 17) ---------------------------------

    def implementation_years(self, repeat: int = 20, pdf_repeat: int = 5):
        """The participation table and the consolidated report of the latest
        of the bench's reporting cycles (``bench_implementation_data``: 28
        member states x 4 areas, 26 measures, ten cycles), in-process and
        warm: SQL queries of one call and p50/p95 over ``repeat`` calls; the
        PDF's time and size; the two pages through the test client. The
        readers come from issue 17's parts (implementation.participation,
        implementation.consolidated): imported here, when the section runs,
        and a figure whose code is not there says so."""
        from implementation.models import Activity, ReportingCycle, Return, ReturnVersion  # noqa: PLC0415
        from implementation.services.reporting import cycle_areas, states_owing  # noqa: PLC0415

        self.out(
            "## 6. Implementation years: participation table and consolidated report "
            "(in-process, warm, ms)"
        )
        self.out("")
        cycle = ReportingCycle.objects.order_by("-year").first()
        if cycle is None:
            self.out("No reporting cycle (manage.py bench_implementation_data): skipped.")
            self.out("")
            return
        User = get_user_model()
        staff = User.objects.get(username="secretariat")
        delegate = User.objects.get(username="delegate-kaz")
        years = list(ReportingCycle.objects.values_list("year", flat=True))
        covered = (
            Measure.objects.filter(Q(area__in=cycle.areas.all()) | Q(reporting_cycles=cycle))
            .distinct()
            .count()
        )
        self.out(
            f"Data: {len(states_owing(cycle))} member states on the due date x "
            f"{len(cycle_areas(cycle))} areas, "
            f"{covered} measures, {len(years)} cycles ({min(years)}–{max(years)}), "
            f"{Activity.objects.count():,} activities, {Return.objects.count():,} returns "
            f"({ReturnVersion.objects.count():,} versions); figures for the {cycle.year} "
            f"cycle ({cycle.symbol}, due {cycle.due_on}), {repeat} runs each."
        )
        self.out("")
        self.out("| read | queries | p50 | p95 | |")
        self.out("|---|---:|---:|---:|---|")

        def measure(name: str, load, call, note=None) -> None:
            try:
                function = load()
            except (ImportError, AttributeError) as exc:
                self.out(f"| {name} | – | – | – | not available: {exc} |")
                return
            try:
                result = call(function)  # warm
            except Exception as exc:  # a reader that fails says so; the others still run
                self.out(f"| {name} | – | – | – | failed: {exc!r} |")
                return
            reset_queries()  # a request resets the log: start each count from empty
            with CaptureQueriesContext(connection) as ctx:
                result = call(function)
            queries = len(ctx)
            timings = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                call(function)
                timings.append((time.perf_counter() - t0) * 1000)
            q = statistics.quantiles(sorted(timings), n=100)
            self.out(
                f"| {name} | {queries} | {q[49]:.1f} | {q[94]:.1f} | "
                f"{note(result) if note else ''} |"
            )

        # By name: this branch type-checks and runs with or without them.
        def participation():
            return importlib.import_module("implementation.participation")

        def consolidated():
            return importlib.import_module("implementation.consolidated")

        measure(
            f"participation_table({cycle.year})",
            participation,
            lambda m: m.participation_table(cycle),
            _described,
        )
        measure(
            f"participation_across_years() ({len(years)} cycles)",
            participation,
            lambda m: m.participation_across_years(),
            lambda points: f"{len(points)} years",
        )
        for label, user in (("secretariat", staff), ("member delegate KAZ", delegate)):
            measure(
                f"consolidated_report({cycle.year}), {label}",
                consolidated,
                lambda m, user=user: m.consolidated_report(cycle=cycle, user=user),
                _described,
            )
        self.out("")
        self._implementation_pdf(cycle, staff, pdf_repeat)
        self._implementation_pages(cycle, repeat)

    def _implementation_pdf(self, cycle, user, repeat: int) -> None:
        if repeat < 1:
            self.out("PDF (consolidated_pdf): not measured (--pdf-repeat 0).")
            self.out("")
            return
        try:
            consolidated_pdf = importlib.import_module(
                "implementation.consolidated"
            ).consolidated_pdf
        except (ImportError, AttributeError) as exc:
            self.out(f"PDF (consolidated_pdf): not available: {exc}.")
            self.out("")
            return
        rows = []
        for language in ("en", "ru"):
            try:
                pdf = consolidated_pdf(cycle=cycle, user=user, language=language)  # warm
            except Exception as exc:  # WeasyPrint or Pango missing: say so
                self.out(f"PDF (consolidated_pdf, {language}): failed: {exc!r}.")
                self.out("")
                return
            timings = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                consolidated_pdf(cycle=cycle, user=user, language=language)
                timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            pages = _pdf_pages(pdf)
            rows.append(
                f"| {language} | {statistics.median(timings):.0f} | {timings[-1]:.0f} | "
                f"{len(pdf) / 1024:.0f} KB | {pages} |"
            )
        self.out(
            f"PDF of the {cycle.year} report for the secretariat (consolidated_pdf, "
            f"WeasyPrint, {repeat} runs each):"
        )
        self.out("")
        self.out("| language | median ms | slowest ms | size | pages |")
        self.out("|---|---:|---:|---:|---:|")
        for row in rows:
            self.out(row)
        self.out("")

    def _implementation_pages(self, cycle, repeat: int) -> None:
        _anonymous, delegate, staff = self._clients()
        pages = [
            ("participation page (secretariat)", staff, f"/reporting/{cycle.year}/participation/"),
            ("report page (secretariat)", staff, f"/reporting/{cycle.year}/report/"),
            ("report page (delegate KAZ)", delegate, f"/reporting/{cycle.year}/report/"),
        ]
        self.out("Pages through the test client (whole request, in-process, ms):")
        self.out("")
        self.out("| page | queries | p50 | p95 | size |")
        self.out("|---|---:|---:|---:|---:|")
        for name, client, url in pages:
            response = client.get(url)
            if response.status_code != 200:
                self.out(f"| {name} `{url}` | – | – | – | not available ({response.status_code}) |")
                continue
            reset_queries()  # as request_started does: the count starts from an empty log
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            queries = len(ctx)  # now: the next request empties the log it reads
            timings = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            q = statistics.quantiles(sorted(timings), n=100)
            self.out(
                f"| {name} `{url}` | {queries} | {q[49]:.1f} | {q[94]:.1f} | "
                f"{len(response.content) / 1024:.0f} KB |"
            )
        self.out("")

    # --- the machine ------------------------------------------------------------

    def machine(self, seconds: float, output: str):
        cpu = "unknown"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        sizes = (
            f"{Initiative.objects.count():,} initiatives, "
            f"{InitiativeEvent.objects.count():,} events, {Receipt.objects.count():,} "
            f"receipts, {Notification.objects.count():,} notifications"
        )
        header = [
            "# Benchmarks",
            "",
            f"Run on {timezone.now():%Y-%m-%d %H:%M} UTC by `make bench` "
            f"({seconds:.0f} s): {os.cpu_count()} cores ({cpu}), "
            f"{int(memory) / 1024 / 1024:.0f} GB, Python {platform.python_version()}, "
            f"PostgreSQL ({cast('PgDatabaseWrapper', connection).pg_version // 10000}), "
            f"data: {sizes}.",
            "",
        ]
        path = Path(settings.BASE_DIR) / output
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(header + self.lines) + "\n")
        self.stdout.write(f"written to {path}")


def _described(result) -> str:
    """A word on what a reader returned: its rows and areas, and the
    participation totals when it has them (cells reported / nil / missing,
    late; the states that answered for every area, of those owing)."""
    parts = []
    for attribute in ("rows", "areas"):
        value = getattr(result, attribute, None)
        if isinstance(value, list):
            parts.append(f"{len(value)} {attribute}")
    totals = getattr(result, "totals", None)
    if totals is not None:
        counts = {
            name: getattr(totals, name)
            for name in ("reports", "nils", "missing", "late", "responded", "owing", "rate")
            if isinstance(getattr(totals, name, None), int)
        }
        cells = ", ".join(
            f"{counts[name]} {name}"
            for name in ("reports", "nils", "missing", "late")
            if name in counts
        )
        if cells:
            parts.append(f"cells: {cells}")
        if {"responded", "owing", "rate"} <= counts.keys():
            parts.append(
                f"{counts['responded']} of {counts['owing']} states answered every area "
                f"({counts['rate']} %)"
            )
    return "; ".join(parts)


def _pdf_pages(pdf: bytes) -> str:
    """Its number of pages, read by pypdf when installed (the tests' reader)."""
    try:
        reader = importlib.import_module("pypdf").PdfReader(io.BytesIO(pdf))
        return str(len(reader.pages))
    except Exception:  # pypdf absent or the file unreadable: not a bench failure
        return "?"


def _ms(match) -> str:
    if not match:
        return "?"
    value, unit = float(match.group(1)), match.group(2)
    return f"{value * {'us': 0.001, 'ms': 1, 's': 1000}.get(unit, 1):.1f}"
