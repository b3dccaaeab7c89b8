"""Issue 17, must show 1: the implementation years through the API alone.

ECO-4 is adopted (Tajikistan coordinating) → its action plan is approved by
the SWG and then the SOC → three activities are entered (one public, one for
members and observers, one cancelled with a reason) → the secretariat opens
the 2027 reporting cycle → Tajikistan and Azerbaijan file national reports
(Azerbaijan after the due date), Kazakhstan a nil return, Tajikistan as
coordinator a progress report, everyone else nothing → the reminder goes
once before the due date, the summary once after it; the participation
table reads 3 of 18 (2 reports, 1 nil return) with the late one marked; the
consolidated report lists exactly the public and members-visible items for
each reader.

Every step is an HTTP request with a token (the demo users', signed in
through POST /api/v1/auth/token/), but the two periodic tasks, which Celery
beat runs (they are run here as beat would, twice each, to show "once").
Time moves with time_machine; each phase signs in again (tokens expire)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from secretariat.models import Notification, NotificationKind
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db

TZ = datetime.UTC
DUE = datetime.date(2027, 6, 30)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ))


def client(username: str) -> APIClient:
    api = APIClient()
    if username:
        answer = api.post(
            "/api/v1/auth/token/",
            {"username": username, "password": DEMO_PASSWORD},
            format="json",
        )
        assert answer.status_code == 200, answer.content
        api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return api


def ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:800])
    return response.json()


def _meeting(secretariat: APIClient, body: str, day: datetime.date) -> int:
    return ok(
        secretariat.post(
            "/api/v1/meetings/",
            {"body": body, "date": day.isoformat(), "present": ["KAZ", "TJK", "AZE", "CHN"]},
            format="json",
        ),
        201,
    )["id"]


def _adopt_eco4(start: datetime.date) -> int:
    """ECO-4 from the annex's interest to the SOC's adoption, Tajikistan
    coordinating (the concept-paper story, short)."""
    with at(start):
        chair, tjk, sec = client("chair"), client("delegate-tjk"), client("secretariat")
        iid = ok(client("delegate-kaz").post("/api/v1/initiatives/", {"measure": "ECO-4"}))["id"]
        url = f"/api/v1/initiatives/{iid}"
        ok(chair.post(f"{url}/open-consultation/"))
        ok(chair.post(f"{url}/designate-coordinators/", {"coordinators": ["TJK"]}, format="json"))
        ok(tjk.post(f"{url}/submit-paper/", {"file": pdf(), "language": "en"}, format="multipart"))
        deadline = start + datetime.timedelta(days=7)
        ok(sec.post(f"{url}/circulate/", {"deadline": deadline.isoformat()}))
    after = deadline + datetime.timedelta(days=1)
    with at(after):
        sec = client("secretariat")
        ok(sec.post(f"{url}/refer-to-swg/"))
        swg = _meeting(sec, "swg", after)
        ok(sec.post(f"{url}/record-swg-decision/", {"meeting": swg, "outcome": "approved"}))
        soc = _meeting(sec, "soc", after)
        body = ok(sec.post(f"{url}/record-soc-decision/", {"meeting": soc, "outcome": "approved"}))
        assert body["status"] == "adopted"
    return iid


def _approve_plan(iid: int, day: datetime.date) -> dict:
    """Tajikistan draws up the 2027–2029 plan; the SWG, then the SOC, approve it."""
    with at(day):
        tjk, sec = client("delegate-tjk"), client("secretariat")
        plan = ok(
            tjk.post(
                "/api/v1/action-plans/",
                {
                    "initiative": iid,
                    "starts_in": 2027,
                    "ends_in": 2029,
                    "text": "Seminars on trade facilitation, a workshop on transit corridors.",
                },
                format="json",
            ),
            201,
        )
        url = f"/api/v1/action-plans/{plan['id']}"
        ok(tjk.post(f"{url}/submit/"))
        for body in ("swg", "soc"):
            plan = ok(
                sec.post(
                    f"{url}/decisions/",
                    {"body": body, "meeting": _meeting(sec, body, day), "outcome": "approved"},
                    format="json",
                )
            )
        assert plan["status"] == "approved"
        assert plan["symbol"] == "CICA/AP/ECO-4/1"
    return plan


ACTIVITIES = {
    "seminar": {
        "kind": "seminar",
        "title_en": "Seminar on trade facilitation",
        "starts_on": "2027-03-10",
        "ends_on": "2027-03-11",
        "venue": "Dushanbe",
        "time_zone": "Asia/Dushanbe",
        "visibility": "public",
    },
    "workshop": {
        "kind": "workshop",
        "title_en": "Workshop on transit corridors",
        "starts_on": "2027-04-20",
        "ends_on": "2027-04-21",
        "venue": "Baku",
        "time_zone": "Asia/Baku",
        "visibility": "members_and_observers",
    },
    "expert meeting": {
        "kind": "expert_meeting",
        "title_en": "Expert meeting on customs data",
        "starts_on": "2027-05-12",
        "ends_on": "2027-05-12",
        "venue": "Almaty",
        "time_zone": "Asia/Almaty",
        "visibility": "public",
    },
}


def _activities(day: datetime.date) -> dict[str, int]:
    """Tajikistan enters the three; the expert meeting is cancelled, with a reason."""
    ids = {}
    with at(day):
        tjk = client("delegate-tjk")
        for name, fields in ACTIVITIES.items():
            host = {"workshop": "AZE", "expert meeting": "KAZ"}.get(name, "TJK")
            body = ok(
                tjk.post(
                    "/api/v1/activities/",
                    {"measure": "ECO-4", "host": host, **fields},
                    format="json",
                ),
                201,
            )
            ids[name] = body["id"]
        cancelled = ok(
            tjk.post(
                f"/api/v1/activities/{ids['expert meeting']}/status/",
                {"status": "cancelled", "reason": "The host could not receive the experts."},
                format="json",
            )
        )
        assert cancelled["status"] == "cancelled"
    return ids


def _hold(ids: dict[str, int], day: datetime.date) -> None:
    with at(day):
        tjk = client("delegate-tjk")
        for name in ("seminar", "workshop"):
            for status in ("confirmed", "held"):
                body = ok(
                    tjk.post(
                        f"/api/v1/activities/{ids[name]}/status/",
                        {"status": status},
                        format="json",
                    )
                )
                assert body["status"] == status


def _report(username, code, kind, cycle, **fields):
    api = client(username)
    body = ok(
        api.post(
            "/api/v1/returns/",
            {"cycle": cycle, "participant": code, "kind": kind, **fields},
            format="json",
        ),
        201,
    )
    assert body["status"] == "draft"
    submitted = ok(api.post(f"/api/v1/returns/{body['id']}/submit/"))
    assert (submitted["status"], submitted["version"]) == ("submitted", 1)
    return submitted


def _reminders() -> int:
    from implementation.tasks import send_return_reminders  # noqa: PLC0415

    return send_return_reminders.apply().get()


def _summaries() -> list[str]:
    from implementation.tasks import summarise_returns  # noqa: PLC0415

    return summarise_returns.apply().get()


def _report_items(api: APIClient, cycle: int) -> dict[str, set]:
    report = ok(api.get(f"/api/v1/reporting-cycles/{cycle}/report/"))
    assert report["symbol"] == "CICA/IMPL/2027"
    (eco,) = [a for a in report["areas"] if a["code"] == "ECO"]
    (eco4,) = [m for m in eco["measures"] if m["code"] == "ECO-4"]
    return {
        "activities": {a["title"] for a in eco4["activities"]},
        "national": {r["state"] for r in eco["national_reports"]},
        "nil": {r["state"] for r in eco["nil_returns"]},
        "progress": {r["state"] for r in eco4["progress_reports"]},
        "late": {r["state"] for r in eco["national_reports"] if r["late"]},
    }


def test_issue17_the_implementation_years_through_the_api():
    iid = _adopt_eco4(datetime.date(2026, 12, 7))
    public = client("")
    _approve_plan(iid, datetime.date(2026, 12, 16))
    eco4 = ok(public.get("/api/v1/measures/ECO-4/"))
    assert eco4["status"] == "adopted"
    ids = _activities(datetime.date(2026, 12, 17))

    # The secretariat opens the 2027 cycle on the economic dimension.
    with at(datetime.date(2027, 1, 15)):
        cycle = ok(
            client("secretariat").post(
                "/api/v1/reporting-cycles/",
                {"year": 2027, "due_on": DUE.isoformat(), "areas": ["ECO"], "reminder_days": 14},
                format="json",
            ),
            201,
        )
        assert (cycle["symbol"], cycle["areas"], cycle["counts"]["owed"]) == (
            "CICA/IMPL/2027",
            ["ECO"],
            18,
        )
        assert cycle["counts"]["progress_owed"] == 1  # Tajikistan, on ECO-4
        cycle_id = cycle["id"]
        opened = Notification.objects.filter(kind=NotificationKind.CYCLE_OPENED)
        assert opened.filter(recipient__username="delegate-aze").exists()
        assert not opened.filter(recipient__username="delegate-usa").exists()

    _hold(ids, datetime.date(2027, 5, 2))

    # On time: Tajikistan's report (the activities it hosted and took part in)
    # and its progress report as coordinator; Kazakhstan's nil return.
    with at(datetime.date(2027, 6, 10)):
        tjk = _report(
            "delegate-tjk",
            "TJK",
            "national_report",
            cycle_id,
            area="ECO",
            text="Tajikistan hosted the seminar on trade facilitation.",
            measures=["ECO-4"],
            activities=[ids["seminar"], ids["workshop"]],
            visibility="public",
        )
        progress = _report(
            "delegate-tjk",
            "TJK",
            "progress_report",
            cycle_id,
            measure="ECO-4",
            text="Two of three planned activities held; one cancelled.",
            visibility="members_and_observers",
        )
        nil = ok(
            client("delegate-kaz").post(
                "/api/v1/returns/nil/",
                {"cycle": cycle_id, "participant": "KAZ", "area": "ECO"},
                format="json",
            ),
            201,
        )
        assert (nil["kind"], nil["status"], nil["late"]) == ("nil_return", "submitted", False)
        # Azerbaijan starts its report: a draft nobody else reads.
        aze_draft = ok(
            client("delegate-aze").post(
                "/api/v1/returns/",
                {
                    "cycle": cycle_id,
                    "participant": "AZE",
                    "kind": "national_report",
                    "area": "ECO",
                    "text": "Azerbaijan hosted the workshop on transit corridors.",
                    "activities": [ids["workshop"]],
                },
                format="json",
            ),
            201,
        )
        for reader in ("", "delegate-chn", "chair"):
            assert client(reader).get(f"/api/v1/returns/{aze_draft['id']}/").status_code == 404

    # Fourteen days before the due date, beat runs the reminder task (twice here).
    with at(datetime.date(2027, 6, 16), hour=6):
        sent = _reminders()
        assert sent > 0
        assert _reminders() == 0
        reminded = set(
            Notification.objects.filter(kind=NotificationKind.RETURN_REMINDER).values_list(
                "recipient__username", flat=True
            )
        )
        assert "delegate-aze" in reminded  # a draft is not a return
        assert {"delegate-kaz", "delegate-tjk", "delegate-usa"}.isdisjoint(reminded)
        assert len(reminded) == sent

    # After the due date: one summary to the secretariat and the Chair's office.
    with at(DUE + datetime.timedelta(days=1), hour=7):
        assert _summaries() == ["CICA/IMPL/2027"]
        assert _summaries() == []
        summaries = Notification.objects.filter(kind=NotificationKind.RETURN_SUMMARY)
        assert {"secretariat", "chair"} <= set(
            summaries.values_list("recipient__username", flat=True)
        )
        assert summaries.filter(recipient__username="secretariat").count() == 1

    # Azerbaijan submits late; nobody is reminded again.
    with at(DUE + datetime.timedelta(days=5)):
        aze = ok(client("delegate-aze").post(f"/api/v1/returns/{aze_draft['id']}/submit/"))
        assert aze["late"] is True
        assert _reminders() == 0
        assert _summaries() == []
    assert Notification.objects.filter(kind=NotificationKind.RETURN_REMINDER).count() == sent

    with at(DUE + datetime.timedelta(days=10)):
        sec = client("secretariat")
        # The returns API: filters by what the SOC asks.
        late = ok(sec.get(f"/api/v1/returns/?cycle={cycle_id}&late=true"))["results"]
        assert [(r["participant"], r["kind"]) for r in late] == [("AZE", "national_report")]
        nils = ok(sec.get("/api/v1/returns/?year=2027&kind=nil_return"))["results"]
        assert [r["participant"] for r in nils] == ["KAZ"]
        assert {r["id"] for r in ok(sec.get("/api/v1/returns/?measure=ECO-4"))["results"]} == {
            tjk["id"],
            progress["id"],
        }

        # The participation table: 3 of 18, 2 reports and 1 nil, Azerbaijan late.
        table = ok(sec.get(f"/api/v1/reporting-cycles/{cycle_id}/participation/"))
        totals = table["totals"]
        assert (totals["owing"], totals["responded"], totals["reports"], totals["nils"]) == (
            18,
            3,
            2,
            1,
        )
        assert totals["late"] == 1
        assert "3 of 18" in totals["sentence"]
        rows = {row["code"]: row for row in table["rows"]}
        assert len(rows) == 18
        answered = {
            code: (row["cells"][0]["answer"], row["cells"][0]["late"])
            for code, row in rows.items()
            if row["cells"][0]["answer"] != "missing"
        }
        assert answered == {
            "AZE": ("report", True),
            "KAZ": ("nil", False),
            "TJK": ("report", False),
        }
        assert rows["AZE"]["late"] is True
        assert [(p["code"], p["measure"], p["answer"]) for p in table["progress"]] == [
            ("TJK", "ECO-4", "report")
        ]
        cycle = ok(sec.get(f"/api/v1/reporting-cycles/{cycle_id}/"))
        assert (cycle["counts"]["reports"], cycle["counts"]["nil"], cycle["counts"]["late"]) == (
            2,
            1,
            1,
        )

        # The secretariat closes the cycle: the consolidated report is final.
        ok(sec.post(f"/api/v1/reporting-cycles/{cycle_id}/close/"))

        # The consolidated report, for each reader: exactly what each may read.
        seminar, workshop = (ACTIVITIES[n]["title_en"] for n in ("seminar", "workshop"))
        members = {
            "activities": {seminar, workshop},
            "national": {"TJK", "AZE"},
            "nil": {"KAZ"},
            "progress": {"TJK"},
            "late": {"AZE"},
        }
        expected = {
            # The public: the public activity and the public returns only.
            "": {
                "activities": {seminar},
                "national": {"TJK"},
                "nil": {"KAZ"},
                "progress": set(),
                "late": set(),
            },
            # A member state with no part in it, an observer, the Chair's office,
            # the secretariat: the members' and observers' items too.
            "delegate-chn": members,
            "delegate-usa": members,
            "chair": members,
            "secretariat": members,
        }
        for reader, items in expected.items():
            assert _report_items(client(reader), cycle_id) == items, reader
        # The cancelled expert meeting is in no one's report.
        report = ok(sec.get(f"/api/v1/reporting-cycles/{cycle_id}/report/"))
        assert ACTIVITIES["expert meeting"]["title_en"] not in str(report)
