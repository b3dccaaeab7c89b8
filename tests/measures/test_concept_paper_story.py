"""Modality (a) end to end, through the API alone (issue 3, must show 2)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.files import pdf

pytestmark = pytest.mark.django_db


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def test_eco4_from_interest_to_soc_adoption(as_user):
    secretariat, chair = as_user("secretariat"), as_user("chair")
    tjk, kaz, irn = as_user("delegate-tjk"), as_user("delegate-kaz"), as_user("delegate-irn")
    usa, public = as_user("delegate-usa"), as_user("")

    # Tajikistan's offer in the annex already declared interest in ECO-4.
    eco4 = ok(public.get("/api/v1/measures/ECO-4/"))
    assert eco4["status"] == "interest_declared"
    # Two more states declare interest: they join the open initiative.
    body = ok(kaz.post("/api/v1/initiatives/", {"measure": "ECO-4", "statement": "Kazakhstan"}))
    iid = body["id"]
    body = ok(irn.post("/api/v1/initiatives/", {"measure": "eco-4"}, format="json"))
    assert body["id"] == iid
    assert sorted(body["interested"]) == ["IRN", "KAZ", "TJK"]
    # An observer cannot declare interest.
    refused = usa.post("/api/v1/initiatives/", {"measure": "ECO-4"})
    assert refused.status_code == 403
    assert "member state" in refused.json()["detail"]

    url = f"/api/v1/initiatives/{iid}"
    ok(chair.post(f"{url}/open-consultation/"))
    body = ok(
        chair.post(
            f"{url}/designate-coordinators/",
            {"coordinators": ["TJK"], "co_coordinators": ["KAZ"]},
            format="json",
        )
    )
    assert body["status"] == "drafting"

    # Iran is interested but not a coordinator: it may not upload the paper.
    refused = irn.post(
        f"{url}/submit-paper/", {"file": pdf(), "language": "en"}, format="multipart"
    )
    assert refused.status_code == 403
    assert "coordinator" in refused.json()["detail"]
    body = ok(
        tjk.post(f"{url}/submit-paper/", {"file": pdf(), "language": "ru"}, format="multipart")
    )
    assert [p["symbol"] for p in body["papers"]] == ["CICA/CP/ECO-4/1"]

    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=14)
    body = ok(secretariat.post(f"{url}/circulate/", {"deadline": deadline.isoformat()}))
    assert body["status"] == "circulated"
    too_early = secretariat.post(f"{url}/refer-to-swg/")
    assert too_early.status_code == 409
    assert "deadline" in too_early.json()["detail"]

    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        assert ok(secretariat.post(f"{url}/refer-to-swg/"))["status"] == "swg_review"
        swg = ok(
            secretariat.post(
                "/api/v1/meetings/",
                {
                    "body": "swg",
                    "date": timezone.localdate().isoformat(),
                    "place": "Almaty",
                    "host": "KAZ",
                    "present": ["KAZ", "TJK", "IRN", "CHN", "USA"],
                },
                format="json",
            ),
            201,
        )
        body = ok(
            secretariat.post(
                f"{url}/record-swg-decision/",
                {"meeting": swg["id"], "outcome": "returned", "text": "Add a budget annex."},
                format="json",
            )
        )
        assert body["status"] == "drafting"
        body = ok(
            tjk.post(
                f"{url}/submit-paper/",
                {"file": pdf(body=b"v2"), "language": "en"},
                format="multipart",
            )
        )
        assert [p["symbol"] for p in body["papers"]] == ["CICA/CP/ECO-4/1", "CICA/CP/ECO-4/2"]
        second_deadline = timezone.localdate() + datetime.timedelta(days=7)
        ok(secretariat.post(f"{url}/circulate/", {"deadline": second_deadline.isoformat()}))

    with time_machine.travel(second_deadline + datetime.timedelta(days=1), tick=False):
        ok(secretariat.post(f"{url}/refer-to-swg/"))
        meeting = {"date": timezone.localdate().isoformat(), "present": ["KAZ", "TJK", "IRN"]}
        swg2 = ok(
            secretariat.post("/api/v1/meetings/", {"body": "swg", **meeting}, format="json"), 201
        )
        body = ok(
            secretariat.post(
                f"{url}/record-swg-decision/",
                {"meeting": swg2["id"], "outcome": "approved"},
                format="json",
            )
        )
        assert body["status"] == "soc_review"
        soc = ok(
            secretariat.post("/api/v1/meetings/", {"body": "soc", **meeting}, format="json"), 201
        )
        body = ok(
            secretariat.post(
                f"{url}/record-soc-decision/",
                {"meeting": soc["id"], "outcome": "approved"},
                format="json",
            )
        )
        assert body["status"] == "adopted"

    eco4 = ok(public.get("/api/v1/measures/ECO-4/"))
    assert eco4["status"] == "adopted"
    assert sorted((c["participant"], c["role"]) for c in eco4["coordinators"]) == [
        ("KAZ", "co_coordinator"),
        ("TJK", "coordinator"),
    ]
    # The timeline holds every step, in order, with who acted for whom.
    detail = ok(secretariat.get(f"{url}/"))
    steps = [(e["action"], e["to_status"]) for e in detail["timeline"]]
    assert steps == [
        ("declare_interest", "interest_declared"),
        ("declare_interest", "interest_declared"),
        ("declare_interest", "interest_declared"),
        ("open_consultation", "consultation"),
        ("designate_coordinators", "drafting"),
        ("submit_paper", "drafting"),
        ("circulate", "circulated"),
        ("refer_to_swg", "swg_review"),
        ("record_swg_decision", "drafting"),
        ("submit_paper", "drafting"),
        ("circulate", "circulated"),
        ("refer_to_swg", "swg_review"),
        ("record_swg_decision", "soc_review"),
        ("record_soc_decision", "adopted"),
    ]
    assert detail["timeline"][5]["acting_for"] == "TJK"
    assert detail["timeline"][5]["actor"] == "delegate-tjk"
    assert [d["outcome"] for d in detail["decisions"]] == ["approved", "approved", "returned"]

    # The public sees the adopted paper only, and may download it; not the draft.
    public_detail = ok(public.get(f"{url}/"))
    assert [p["symbol"] for p in public_detail["papers"]] == ["CICA/CP/ECO-4/2"]
    assert public_detail["timeline"][0]["actor"] is None
    papers = {p["symbol"]: p for p in detail["papers"]}
    download = public.get(papers["CICA/CP/ECO-4/2"]["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert public.get(papers["CICA/CP/ECO-4/1"]["download"]).status_code == 401
    # A member state saw both circulated versions.
    assert len(ok(irn.get(f"{url}/"))["papers"]) == 2
