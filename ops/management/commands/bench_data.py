"""Fill PostgreSQL with a large, reproducible history for benchmarks.

Scale 1: about 100 participants, 2,000 measures, 100,000 initiatives,
1,000,000 timeline events, 500,000 receipts and 1,000,000 notifications,
written with COPY. Bench data is not audited (no history rows): it measures
reads, not the audit trail.
"""

import datetime
import json
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

STATUSES_OPEN = [
    "interest_declared",
    "consultation",
    "drafting",
    "circulated",
    "swg_review",
    "soc_review",
]
STATUSES_CLOSED = ["adopted", "rejected", "withdrawn"]
ACTIONS = [
    "declare_interest",
    "open_consultation",
    "designate_coordinators",
    "submit_paper",
    "circulate",
    "refer_to_swg",
    "record_swg_decision",
    "record_soc_decision",
]
POSITIONS = ["", "", "support", "no_objection", "comment", "objection", "reservation"]


class Command(BaseCommand):
    help = "Fill PostgreSQL with a large reproducible dataset (bench only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2007)

    def handle(self, *args, scale: float, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_data writes with COPY: set DATABASE_URL to PostgreSQL.")
        self.rng = random.Random(seed)
        self.now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
        n = {
            "participants": max(30, int(100 * scale)),
            "measures": max(50, int(2000 * scale)),
            "initiatives": max(100, int(100_000 * scale)),
            "events_per": 10,
            "receipts": max(1000, int(500_000 * scale)),
            "notifications": max(1000, int(1_000_000 * scale)),
        }
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            self.cursor = cursor
            participants = self.participants(n["participants"])
            users = self.delegates(participants)
            measures = self.measures(n["measures"])
            initiatives = self.initiatives(measures, n["initiatives"], participants)
            self.events(initiatives, n["events_per"], users, participants)
            self.receipts(initiatives, participants, users, n["receipts"])
            self.notifications(users, n["notifications"])
            self.reset_sequences()
            self.leads()
        cursor = connection.cursor()
        # VACUUM as well: rows written by COPY are not yet marked all-visible,
        # so index-only scans would visit the heap until autovacuum passes;
        # a database in service has been vacuumed.
        cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"bench data (scale {scale}, seed {seed}) written in "
            f"{time.monotonic() - started:.1f} s: " + json.dumps(n)
        )

    # --- helpers ------------------------------------------------------------------

    def next_id(self, table):
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return self.cursor.fetchone()[0] + 1

    def copy(self, table, columns, rows):
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f"COPY {table} ({quoted}) FROM STDIN"
        with self.cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def reset_sequences(self):
        for table in (
            "members_participant",
            "members_participation",
            "auth_user",
            "members_delegate",
            "measures_priorityarea",
            "measures_measure",
            "measures_initiative",
            "measures_initiativeevent",
            "measures_paper",
            "secretariat_circulation",
            "secretariat_receipt",
            "secretariat_notification",
            "measures_interestdeclaration",
            "measures_coordinatordesignation",
        ):
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )

    def leads(self):
        """Each measure's most advanced initiative, as the services keep it."""
        ranks = " ".join(
            f"WHEN '{status}' THEN {rank}"
            for rank, status in enumerate(["withdrawn", "rejected", *STATUSES_OPEN, "adopted"])
        )
        self.cursor.execute(
            "UPDATE measures_measure m SET lead_initiative_id = lead.id FROM ("
            "SELECT DISTINCT ON (measure_id) measure_id, id FROM measures_initiative "
            f"ORDER BY measure_id, CASE status {ranks} END DESC, sequence DESC, id DESC"
            ") lead WHERE lead.measure_id = m.id"
        )

    # --- registers ----------------------------------------------------------------

    def participants(self, count):
        first = self.next_id("members_participant")
        rows, ids = [], []
        for i in range(count):
            pid = first + i
            code = "B" + "".join(chr(65 + int(d)) for d in f"{i:04d}")
            name = f"Bench state {i}"
            rows.append((pid, code, "state", name, name, name, name, name.lower()))
            ids.append(pid)
        self.copy(
            "members_participant",
            ["id", "code", "kind", "name", "name_en", "name_fr", "name_ru", "normalized_names"],
            rows,
        )
        first_p = self.next_id("members_participation")
        self.copy(
            "members_participation",
            ["id", "participant_id", "status", "started_on", "ended_on", "source"],
            [
                (first_p + i, pid, "member" if i % 5 else "observer", None, None, "bench")
                for i, pid in enumerate(ids)
            ],
        )
        return ids

    def delegates(self, participants):
        password = make_password("bench-pass-1")
        first_u = self.next_id("auth_user")
        first_d = self.next_id("members_delegate")
        users, user_rows, delegate_rows = [], [], []
        for i, pid in enumerate(participants):
            for k in range(2):
                uid = first_u + 2 * i + k
                users.append((uid, pid))
                user_rows.append(
                    (
                        uid,
                        password,
                        False,
                        f"bench-{i}-{k}",
                        "",
                        "",
                        f"bench-{i}-{k}@example.org",
                        False,
                        True,
                        self.now,
                    )
                )
                delegate_rows.append((first_d + 2 * i + k, uid, pid, "delegate", True, "", ""))
        self.copy(
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            user_rows,
        )
        self.copy(
            "members_delegate",
            ["id", "user_id", "participant_id", "role", "is_active", "phone", "language"],
            delegate_rows,
        )
        return users

    def measures(self, count):
        per_area = 50
        areas = (count + per_area - 1) // per_area
        first_a = self.next_id("measures_priorityarea")
        self.copy(
            "measures_priorityarea",
            ["id", "code", "name", "name_en", "name_fr", "name_ru", "order"],
            [
                (
                    first_a + a,
                    "BA" + "".join(chr(65 + int(d)) for d in f"{a:03d}"),
                    f"Area {a}",
                    f"Area {a}",
                    f"Domaine {a}",
                    f"Область {a}",
                    100 + a,
                )
                for a in range(areas)
            ],
        )
        self.cursor.execute('SELECT id, code FROM measures_priorityarea WHERE "order" >= 100')
        area_codes = dict(self.cursor.fetchall())
        first_m = self.next_id("measures_measure")
        rows, ids = [], []
        for i in range(count):
            area_id = first_a + i // per_area
            number = i % per_area + 1
            title = f"Bench measure {i}"
            text = f"Cooperation on subject {i}: transport, energy, tourism and trade {i % 97}."
            rows.append(
                (
                    first_m + i,
                    area_id,
                    number,
                    f"{area_codes[area_id]}-{number}",
                    title,
                    title,
                    title,
                    title,
                    text,
                    text,
                    text,
                    text,
                    (100 + (area_id - first_a)) * 10_000 + number,
                )
            )
            ids.append(first_m + i)
        self.copy(
            "measures_measure",
            [
                "id",
                "area_id",
                "number",
                "code",
                "title",
                "title_en",
                "title_fr",
                "title_ru",
                "text",
                "text_en",
                "text_fr",
                "text_ru",
                "sort_key",
            ],
            rows,
        )
        return ids

    def initiatives(self, measures, count, participants):
        first = self.next_id("measures_initiative")
        per_measure = max(1, count // len(measures))
        rows, ids, declarations, designations = [], [], [], []
        first_dec = self.next_id("measures_interestdeclaration")
        first_des = self.next_id("measures_coordinatordesignation")
        i = 0
        for measure in measures:
            for seq in range(1, per_measure + 1):
                if i >= count:
                    break
                last = seq == per_measure
                status = (
                    self.rng.choice(STATUSES_OPEN) if last else self.rng.choice(STATUSES_CLOSED)
                )
                when = self.now - datetime.timedelta(minutes=self.rng.randint(0, 500_000))
                iid = first + i
                rows.append((iid, measure, "a", seq, status, when, when))
                ids.append((iid, status))
                state = participants[self.rng.randrange(len(participants))]
                declarations.append((first_dec + i, iid, state, when.date(), None, "", True))
                designations.append(
                    (first_des + i, iid, state, "coordinator", when.date(), None, None)
                )
                i += 1
        self.copy(
            "measures_initiative",
            ["id", "measure_id", "modality", "sequence", "status", "created_at", "updated_at"],
            rows,
        )
        self.copy(
            "measures_interestdeclaration",
            [
                "id",
                "initiative_id",
                "participant_id",
                "declared_on",
                "declared_by_id",
                "statement",
                "volunteers_as_coordinator",
            ],
            declarations,
        )
        self.copy(
            "measures_coordinatordesignation",
            [
                "id",
                "initiative_id",
                "participant_id",
                "role",
                "started_on",
                "ended_on",
                "designated_by_id",
            ],
            designations,
        )
        return ids

    def events(self, initiatives, per, users, participants):
        first = self.next_id("measures_initiativeevent")

        def rows():
            eid = first
            for iid, status in initiatives:
                for k in range(per):
                    user, pid = users[self.rng.randrange(len(users))]
                    yield (
                        eid,
                        iid,
                        ACTIONS[k % len(ACTIONS)],
                        "drafting",
                        status,
                        user,
                        pid,
                        "",
                        "{}",
                        self.now - datetime.timedelta(minutes=eid % 100_000),
                    )
                    eid += 1

        self.copy(
            "measures_initiativeevent",
            [
                "id",
                "initiative_id",
                "action",
                "from_status",
                "to_status",
                "actor_id",
                "acting_for_id",
                "reason",
                "details",
                "created_at",
            ],
            rows(),
        )

    def receipts(self, initiatives, participants, users, count):
        per_circulation = len(participants)
        circulations = max(1, count // per_circulation)
        first_paper = self.next_id("measures_paper")
        first_c = self.next_id("secretariat_circulation")
        chosen = self.rng.sample(initiatives, min(circulations, len(initiatives)))
        papers, circs = [], []
        for k, (iid, _status) in enumerate(chosen):
            papers.append(
                (
                    first_paper + k,
                    iid,
                    "concept_paper",
                    1,
                    f"CICA/CP/BENCH/{iid}/1",
                    "papers/bench.pdf",
                    "bench.pdf",
                    "application/pdf",
                    1000,
                    "0" * 64,
                    "en",
                    "",
                    None,
                    None,
                    self.now,
                )
            )
            circs.append(
                (
                    first_c + k,
                    "paper",
                    iid,
                    first_paper + k,
                    f"CICA/CIRC/B/{k}",
                    "members",
                    (self.now + datetime.timedelta(days=k % 60 - 30)).date(),
                    None,
                    self.now,
                    "",
                    "",
                    "",
                )
            )
        self.copy(
            "measures_paper",
            [
                "id",
                "initiative_id",
                "kind",
                "version",
                "symbol",
                "file",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "language",
                "note",
                "submitted_by_id",
                "submitted_for_id",
                "submitted_at",
            ],
            papers,
        )
        self.copy(
            "secretariat_circulation",
            [
                "id",
                "kind",
                "initiative_id",
                "paper_id",
                "reference",
                "audience",
                "deadline",
                "circulated_by_id",
                "circulated_at",
                "body",
                "draft_text",
                "silence_status",
            ],
            circs,
        )
        first_r = self.next_id("secretariat_receipt")

        def rows():
            rid = first_r
            for k in range(len(circs)):
                for pid in participants:
                    position = POSITIONS[rid % len(POSITIONS)]
                    yield (
                        rid,
                        first_c + k,
                        pid,
                        self.now,
                        position,
                        "text" if position in ("comment", "objection", "reservation") else "",
                        self.now if position else None,
                    )
                    rid += 1

        self.copy(
            "secretariat_receipt",
            [
                "id",
                "circulation_id",
                "participant_id",
                "delivered_at",
                "position",
                "position_text",
                "position_at",
            ],
            rows(),
        )

    def notifications(self, users, count):
        first = self.next_id("secretariat_notification")

        def rows():
            for k in range(count):
                user, _pid = users[k % len(users)]
                yield (
                    first + k,
                    user,
                    "circulation",
                    f"bench:{first + k}",
                    f"Subject {k}",
                    "Body",
                    "receipt",
                    None,
                    "",
                    self.now,
                    None if k % 3 else self.now,
                    "sent",
                    1,
                    "",
                    None,
                    self.now,
                    "{}",  # params: a bench notice keeps its stored text
                )

        self.copy(
            "secretariat_notification",
            [
                "id",
                "recipient_id",
                "kind",
                "idempotency_key",
                "subject",
                "body",
                "target_type",
                "target_id",
                "url",
                "created_at",
                "read_at",
                "email_status",
                "attempts",
                "last_error",
                "queued_at",
                "sent_at",
                "params",
            ],
            rows(),
        )
