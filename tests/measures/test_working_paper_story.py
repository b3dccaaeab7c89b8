"""Modality (b) end to end, through the API alone (issue 5, must show 2 and 3)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from members.models import Participant
from tests.files import docx
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def test_korea_experts_working_paper_on_eco9_is_adopted(as_user):
    secretariat, kor, public = as_user("secretariat"), as_user("delegate-kor"), as_user("")
    today = timezone.localdate()

    # The Republic of Korea designates two experts on ECO-9.
    experts = [
        ok(
            kor.post(
                "/api/v1/experts/",
                {
                    "measure": "ECO-9",
                    "name": name,
                    "contact": f"{name.split()[-1].lower()}@mofa.go.kr",
                    "expertise": "Cyber-communications",
                    "languages": "en, ko",
                },
            ),
            201,
        )
        for name in ("Dr Kim Min-jun", "Ms Lee Seo-yeon")
    ]
    assert [e["contact"] for e in experts] == ["min-jun@mofa.go.kr", "seo-yeon@mofa.go.kr"]
    # Korea asks to exchange views on ECO-9 (modality (b)); ECO-9 already has
    # Korea's modality (a) initiative from the annex: the two live side by side.
    body = ok(kor.post("/api/v1/initiatives/", {"measure": "ECO-9", "modality": "b"}), 201)
    iid, url = body["id"], f"/api/v1/initiatives/{body['id']}"
    assert body["modality"] == "b"
    assert body["status"] == "interest_declared"

    # A specialised meeting in an observer state (Japan), with the two experts.
    meeting = ok(
        secretariat.post(
            "/api/v1/meetings/",
            {
                "body": "specialised",
                "title": "Experts on ECO-9",
                "date": today.isoformat(),
                "place": "Tokyo",
                "host": "JPN",
                "measure": "ECO-9",
                "experts": [e["id"] for e in experts],
                "present": ["KOR", "JPN", "KAZ"],
            },
            format="json",
        ),
        201,
    )
    assert Participant.objects.get(code="JPN").status_on() == "observer"
    body = ok(
        secretariat.post(
            f"{url}/charge-experts/",
            {"meeting": meeting["id"], "experts": [e["id"] for e in experts]},
            format="json",
        )
    )
    assert body["status"] == "drafting"
    assert sorted(e["name"] for e in body["responsible_experts"]) == [
        "Dr Kim Min-jun",
        "Ms Lee Seo-yeon",
    ]
    # A state without a responsible expert does not submit the working paper.
    refused = as_user("delegate-chn").post(
        f"{url}/submit-paper/", {"file": docx(), "language": "en"}, format="multipart"
    )
    assert refused.status_code == 403
    body = ok(
        kor.post(f"{url}/submit-paper/", {"file": docx(), "language": "en"}, format="multipart")
    )
    assert [p["symbol"] for p in body["papers"]] == ["CICA/WP/ECO-9-2/1"]
    assert body["papers"][0]["kind"] == "working_paper"

    deadline = today + datetime.timedelta(days=7)
    ok(secretariat.post(f"{url}/circulate/", {"deadline": deadline.isoformat()}))
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        ok(secretariat.post(f"{url}/refer-to-swg/"))
        day = timezone.localdate().isoformat()
        for body_name, action, status in (
            ("swg", "record-swg-decision", "soc_review"),
            ("soc", "record-soc-decision", "adopted"),
        ):
            held = ok(
                secretariat.post(
                    "/api/v1/meetings/",
                    {"body": body_name, "date": day, "present": ["KOR", "KAZ", "CHN", "JPN"]},
                    format="json",
                ),
                201,
            )
            result = ok(
                secretariat.post(
                    f"{url}/{action}/",
                    {"meeting": held["id"], "outcome": "approved"},
                    format="json",
                )
            )
            assert result["status"] == status

    eco9 = ok(public.get("/api/v1/measures/ECO-9/"))
    assert eco9["status"] == "adopted"
    assert eco9["initiative"] == iid
    assert [p["symbol"] for p in eco9["adopted_papers"]] == ["CICA/WP/ECO-9-2/1"]
    assert public.get(eco9["adopted_papers"][0]["download"]).status_code == 200
    listed = ok(public.get("/api/v1/meetings/?body=specialised"))["results"][0]
    assert listed["host"] == "JPN"
    assert listed["working_papers"] == [iid]


def test_expert_contacts_are_for_the_secretariat_and_the_designating_state(as_user):
    created = as_user("delegate-kor").post(
        "/api/v1/experts/",
        {"measure": "eco-3", "name": "Dr Park", "contact": "+82 2 000 0000"},
    )
    assert created.status_code == 201
    url = f"/api/v1/experts/{created.json()['id']}/"
    seen = {
        who: as_user(who).get(url).json()["contact"]
        for who in ("delegate-kor", "secretariat", "delegate-chn", "delegate-usa", "chair", "")
    }
    assert seen == {
        "delegate-kor": "+82 2 000 0000",
        "secretariat": "+82 2 000 0000",
        "delegate-chn": None,
        "delegate-usa": None,
        "chair": None,
        "": None,
    }
    listed = as_user("").get("/api/v1/experts/?measure=ECO-3").json()["results"]
    assert listed[0]["name"] == "Dr Park"
    assert listed[0]["contact"] is None


def test_only_member_states_designate_experts_for_themselves(as_user):
    assert (
        as_user("delegate-usa")
        .post("/api/v1/experts/", {"measure": "ECO-3", "name": "X"})
        .status_code
        == 403
    )
    assert (
        as_user("secretariat")
        .post("/api/v1/experts/", {"measure": "ECO-3", "name": "X"})
        .status_code
        == 403
    )
    assert (
        as_user("").post("/api/v1/experts/", {"measure": "ECO-3", "name": "X"}).status_code == 401
    )
    bad = as_user("delegate-kor").post("/api/v1/experts/", {"measure": "ECO-99", "name": "X"})
    assert bad.status_code == 400
    assert "measure" in error_fields(bad)
    expert = (
        as_user("delegate-kor").post("/api/v1/experts/", {"measure": "ECO-3", "name": "Y"}).json()
    )
    assert as_user("delegate-chn").post(f"/api/v1/experts/{expert['id']}/end/").status_code == 403
    ended = as_user("delegate-kor").post(f"/api/v1/experts/{expert['id']}/end/")
    assert ended.status_code == 200
    assert ended.json()["ended_on"]


def test_a_specialised_meeting_needs_a_measure_a_state_host_and_its_experts(as_user):
    secretariat = as_user("secretariat")
    day = timezone.localdate().isoformat()
    no_measure = secretariat.post(
        "/api/v1/meetings/", {"body": "specialised", "date": day}, format="json"
    )
    assert no_measure.status_code == 400
    assert "measure" in no_measure.json()["detail"]
    org_host = secretariat.post(
        "/api/v1/meetings/",
        {"body": "specialised", "date": day, "measure": "ECO-3", "host": "OSCE"},
        format="json",
    )
    assert org_host.status_code == 400
    assert "hosted by" in org_host.json()["detail"]
    expert = (
        as_user("delegate-kor").post("/api/v1/experts/", {"measure": "ECO-4", "name": "Z"}).json()
    )
    wrong = secretariat.post(
        "/api/v1/meetings/",
        {"body": "specialised", "date": day, "measure": "ECO-3", "experts": [expert["id"]]},
        format="json",
    )
    assert wrong.status_code == 400
    assert "ECO-4" in wrong.json()["detail"]
