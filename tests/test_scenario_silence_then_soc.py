"""Issue 13 item 21: initiatives driven through the API as real clients drive
them (token sign-in, JSON and multipart), reading every endpoint of the
initiative after each step as the secretariat, the coordinator state, another
member state, an observer and the public.

Year 1: the SWG adopts the concept paper by silence procedure (no meeting),
then the SOC adopts it at a meeting. Year 2, another measure: the SWG finds
no consensus, the coordinator revises the paper, it goes round again, the SWG
approves, the SOC adopts. The only step not taken through the API is the
periodic task that closes a silence procedure (Celery beat runs it).
"""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from secretariat.tasks import close_silence_procedures
from tests.files import pdf

pytestmark = pytest.mark.django_db

READERS = {
    "sec": "secretariat",
    "coord": "delegate-kaz",
    "member": "delegate-ind",
    "observer": "delegate-usa",
    "public": "",
}


def ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:500])
    return (
        response.json() if response.get("Content-Type", "").startswith("application/json") else None
    )


class Clients:
    def __init__(self, as_user):
        self.by_role = {role: as_user(name) for role, name in READERS.items()}

    def __getitem__(self, role):
        return self.by_role[role]


def read_everything(clients, iid, *, status):
    """Every endpoint of the initiative, for every reader: 200 (or the refusal
    the design gives), and the same story told to each."""
    seen = {}
    for role, client in clients.by_role.items():
        url = f"/api/v1/initiatives/{iid}/"
        detail = ok(client.get(url))
        assert detail["status"] == status, (role, detail["status"])
        assert detail["timeline"], role
        actions = ok(client.get(f"{url}actions/"))
        assert {a["action"] for a in actions} >= {"withdraw", "record_soc_decision"}
        ok(client.get(f"/api/v1/measures/{detail['measure']}/"))
        decisions = ok(client.get(f"/api/v1/decisions/?initiative={iid}"))["results"]
        assert [d["id"] for d in decisions] == [d["id"] for d in detail["decisions"]], role
        for decision in decisions:
            one = ok(client.get(f"/api/v1/decisions/{decision['id']}/"))
            assert one["symbol"] == decision["symbol"]
            if one["procedure"] == "silence":
                assert one["meeting"] is None
                assert one["silence_circulation"]["reference"]
            else:
                assert one["meeting"]
                assert one["silence_circulation"] is None
        for paper in detail["papers"]:
            download = client.get(paper["download"])
            assert download.status_code == 200, (role, paper["symbol"])
            assert b"".join(download.streaming_content).startswith(b"%PDF")
        circulations = client.get(f"/api/v1/circulations/?initiative={iid}")
        if role == "public":
            assert circulations.status_code == 401
        else:
            listed = ok(circulations)["results"]
            for circulation in listed:
                one = ok(client.get(f"/api/v1/circulations/{circulation['id']}/"))
                assert one["reference"] == circulation["reference"]
            if role != "observer":  # addressed to member states only
                assert {c["reference"] for c in listed} == {
                    c["reference"] for c in detail["circulations"]
                }, role
        seen[role] = detail
    # The pages tell the same story, to a signed-in delegate and to the public.
    for username in ("delegate-kaz", ""):
        browser = Client()
        if username:
            browser.post("/accounts/login/", {"username": username, "password": "demo-pass-4-cica"})
        page = browser.get(f"/initiatives/{iid}/")
        assert page.status_code == 200
        assert browser.get(f"/catalogue/{seen['sec']['measure']}/").status_code == 200
    return seen


def timeline(detail):
    return [e["action"] for e in detail["timeline"]]


def meeting(sec, body, present):
    data = {"body": body, "date": timezone.localdate().isoformat(), "present": present}
    return ok(sec.post("/api/v1/meetings/", data, format="json"), 201)["id"]


def declare_to_drafting(c, code):
    body = ok(c["coord"].post("/api/v1/initiatives/", {"measure": code}), 201)
    iid = body["id"]
    seen = read_everything(c, iid, status="interest_declared")
    assert seen["public"]["interested"] == ["KAZ"]
    url = f"/api/v1/initiatives/{iid}"
    ok(c["sec"].post(f"{url}/open-consultation/"))
    read_everything(c, iid, status="consultation")
    ok(
        c["sec"].post(
            f"{url}/designate-coordinators/",
            {"coordinators": ["KAZ"]},
            format="json",
        )
    )
    seen = read_everything(c, iid, status="drafting")
    assert seen["public"]["coordinators"] == [{"participant": "KAZ", "role": "coordinator"}]
    ok(
        c["coord"].post(
            f"{url}/submit-paper/", {"file": pdf(), "language": "en"}, format="multipart"
        )
    )
    seen = read_everything(c, iid, status="drafting")
    assert [p["symbol"] for p in seen["coord"]["papers"]] == [f"CICA/CP/{code}/1"]
    assert seen["public"]["papers"] == []
    assert seen["member"]["papers"] == []
    return iid, url


def circulate_and_refer(c, iid, url, start, *, version):
    # ``start`` must not be before the steps already taken: a bare date is
    # midnight, which is earlier than a declaration made today, and the
    # timeline (in time order) would put the circulation first.
    with time_machine.travel(start, tick=False):
        deadline = timezone.localdate() + datetime.timedelta(days=3)
        ok(c["sec"].post(f"{url}/circulate/", {"deadline": deadline.isoformat()}))
        seen = read_everything(c, iid, status="circulated")
        assert len(seen["member"]["papers"]) == version
        listed = ok(c["member"].get(f"/api/v1/circulations/?initiative={iid}"))["results"]
        newest = max(listed, key=lambda circulation: circulation["id"])
        assert newest["paper"] == f"CICA/CP/{seen['sec']['measure']}/{version}"
        ok(
            c["member"].post(
                f"/api/v1/circulations/{newest['id']}/answer/",
                {"position": "support"},
            )
        )
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        ok(c["sec"].post(f"{url}/refer-to-swg/"))
        read_everything(c, iid, status="swg_review")
    return deadline + datetime.timedelta(days=1)


def test_item21_one_initiative_through_silence_procedure_then_soc_decision(as_user):
    """issue 13 item 21: a silence procedure (SWG) then an SOC decision, every
    endpoint read after each step."""
    c = Clients(as_user)
    iid, url = declare_to_drafting(c, "HUM-2")
    soon = timezone.now() + datetime.timedelta(seconds=1)
    at_swg = circulate_and_refer(c, iid, url, soon, version=1)

    with time_machine.travel(at_swg, tick=False):
        deadline = at_swg + datetime.timedelta(days=2)
        ok(
            c["sec"].post(
                f"{url}/start-silence-procedure/",
                {
                    "body": "swg",
                    "draft_text": "The SWG approves CICA/CP/HUM-2/1.",
                    "deadline": deadline.isoformat(),
                },
                format="json",
            )
        )
        seen = read_everything(c, iid, status="swg_review")
        assert timeline(seen["sec"])[-1] == "silence_started"
        listed = ok(c["sec"].get(f"/api/v1/circulations/?initiative={iid}"))["results"]
        draft = next(c for c in listed if c["kind"] == "draft_decision")
        assert draft["silence_status"] == "pending"
        assert draft["paper"] == "CICA/CP/HUM-2/1"
        # The member state reads the notice and stays silent.
        notices = ok(c["member"].get("/api/v1/notifications/"))["results"]
        notice = next(n for n in notices if n["kind"] == "silence")
        assert "taken to agree" in notice["body"]
        assert "Asia/Almaty" in notice["body"]

    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        assert close_silence_procedures() == [draft["reference"]]
        seen = read_everything(c, iid, status="soc_review")
        assert timeline(seen["sec"])[-2:] == ["record_swg_decision", "silence_closed"]
        (swg,) = seen["public"]["decisions"]
        assert swg["procedure"] == "silence"
        assert swg["meeting"] is None
        assert swg["silence_circulation"]["reference"] == draft["reference"]
        assert swg["outcome"] == "approved"

        soc = meeting(c["sec"], "soc", ["KAZ", "IND", "CHN", "USA"])
        body = ok(
            c["sec"].post(
                f"{url}/record-soc-decision/",
                {"meeting": soc, "outcome": "approved"},
                format="json",
            )
        )
        assert body["status"] == "adopted"
        seen = read_everything(c, iid, status="adopted")
    assert [(d["body"], d["procedure"]) for d in seen["public"]["decisions"]] == [
        ("soc", "meeting"),
        ("swg", "silence"),
    ]
    assert [p["symbol"] for p in seen["public"]["papers"]] == ["CICA/CP/HUM-2/1"]
    assert timeline(seen["sec"]) == [
        "declare_interest",
        "open_consultation",
        "designate_coordinators",
        "submit_paper",
        "circulate",
        "refer_to_swg",
        "silence_started",
        "record_swg_decision",
        "silence_closed",
        "record_soc_decision",
    ]


def test_item21_revision_after_no_consensus_then_soc(as_user):
    """issue 13 item 21 (and item 3): no consensus → revised paper →
    circulation → consensus at the SWG → SOC, every endpoint read after each step."""
    c = Clients(as_user)
    iid, url = declare_to_drafting(c, "HUM-3")
    soon = timezone.now() + datetime.timedelta(seconds=1)
    at_swg = circulate_and_refer(c, iid, url, soon, version=1)

    with time_machine.travel(at_swg, tick=False):
        swg = meeting(c["sec"], "swg", ["KAZ", "IND", "CHN", "USA"])
        body = ok(
            c["sec"].post(
                f"{url}/record-swg-decision/",
                {"meeting": swg, "outcome": "no_consensus", "objecting": ["CHN"]},
                format="json",
            )
        )
        assert body["status"] == "drafting"
        seen = read_everything(c, iid, status="drafting")
        assert seen["member"]["decisions"][0]["objecting"] == ["CHN"]
        assert seen["public"]["decisions"][0]["objecting"] is None
        again = c["sec"].post(
            f"{url}/record-swg-decision/", {"meeting": swg, "outcome": "approved"}, format="json"
        )
        assert again.status_code == 409
        actions = {a["action"]: a["available"] for a in ok(c["coord"].get(f"{url}/actions/"))}
        assert actions["submit_paper"]
        ok(
            c["coord"].post(
                f"{url}/submit-paper/",
                {"file": pdf(body=b"v2"), "language": "en"},
                format="multipart",
            )
        )
        seen = read_everything(c, iid, status="drafting")
        assert [p["version"] for p in seen["coord"]["papers"]] == [1, 2]

    at_swg = circulate_and_refer(c, iid, url, at_swg, version=2)
    with time_machine.travel(at_swg, tick=False):
        present = ["KAZ", "IND", "CHN"]
        swg2 = meeting(c["sec"], "swg", present)
        ok(
            c["sec"].post(
                f"{url}/record-swg-decision/",
                {"meeting": swg2, "outcome": "approved"},
                format="json",
            )
        )
        read_everything(c, iid, status="soc_review")
        soc = meeting(c["sec"], "soc", present)
        ok(
            c["sec"].post(
                f"{url}/record-soc-decision/",
                {"meeting": soc, "outcome": "approved"},
                format="json",
            )
        )
        seen = read_everything(c, iid, status="adopted")
    decided = [(d["body"], d["outcome"]) for d in reversed(seen["public"]["decisions"])]
    assert decided == [("swg", "no_consensus"), ("swg", "approved"), ("soc", "approved")]
    papers = ok(c["sec"].get(f"/api/v1/decisions/?initiative={iid}"))["results"]
    assert [d["paper"] for d in reversed(papers)] == [
        "CICA/CP/HUM-3/1",
        "CICA/CP/HUM-3/2",
        "CICA/CP/HUM-3/2",
    ]
    assert [p["symbol"] for p in seen["public"]["papers"]] == ["CICA/CP/HUM-3/2"]
    assert timeline(seen["sec"]).count("circulate") == 2
