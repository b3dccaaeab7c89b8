"""The reporting API (issue 17 items 3 and 6): /api/v1/reporting-cycles/ and
/api/v1/returns/, through plain HTTP with tokens."""

import datetime

import pytest
import time_machine

from implementation.models import Return, ReturnStatus
from tests.files import pdf
from tests.implementation.v3_helpers import eco4_adopted_with_plan

pytestmark = pytest.mark.django_db

DUE = "2027-03-31"


def _open(as_user, year=2027, **extra):
    body = {"year": year, "due_on": DUE, "areas": ["eco"], **extra}
    return as_user("secretariat").post("/api/v1/reporting-cycles/", body, format="json")


def test_the_secretariat_opens_a_cycle_once(as_user):
    for who, code in (("", 401), ("delegate-kaz", 403), ("chair", 403)):
        answer = as_user(who).post(
            "/api/v1/reporting-cycles/",
            {"year": 2027, "due_on": DUE, "areas": ["ECO"]},
            format="json",
        )
        assert answer.status_code == code, (who, answer.content)
    opened = _open(as_user)
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["symbol"] == "CICA/IMPL/2027"
    assert body["areas"] == ["ECO"]
    assert "ECO-4" in body["measures"]
    assert body["counts"]["owed"] == 18
    assert body["counts"]["missing"] == 18
    assert _open(as_user).status_code == 409
    assert _open(as_user, year=2028, areas=["NOPE"]).status_code == 400
    assert _open(as_user, year=2028, areas=[]).status_code == 400
    listed = as_user("").get("/api/v1/reporting-cycles/").json()
    assert [c["year"] for c in listed["results"]] == [2027]
    pk = body["id"]
    assert as_user("delegate-kaz").post(f"/api/v1/reporting-cycles/{pk}/close/").status_code == 403
    closed = as_user("secretariat").post(f"/api/v1/reporting-cycles/{pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["is_open"] is False
    assert as_user("secretariat").post(f"/api/v1/reporting-cycles/{pk}/close/").status_code == 409


def test_a_report_from_draft_to_correction(as_user):
    cycle = _open(as_user).json()["id"]
    kaz, aze = as_user("delegate-kaz"), as_user("delegate-aze")
    created = kaz.post(
        "/api/v1/returns/",
        {"cycle": cycle, "participant": "kaz", "kind": "national_report", "area": "ECO"},
        format="json",
    )
    assert created.status_code == 201, created.content
    ret = created.json()
    assert (ret["status"], ret["participant"], ret["area"]) == ("draft", "KAZ", "ECO")
    url = f"/api/v1/returns/{ret['id']}/"
    # A draft is its state's and the secretariat's only.
    assert aze.get(url).status_code == 404
    assert as_user("").get(url).status_code == 404
    assert as_user("chair").get(url).status_code == 404
    assert as_user("secretariat").get(url).status_code == 200
    assert ret["id"] not in [r["id"] for r in aze.get("/api/v1/returns/").json()["results"]]
    assert aze.patch(url, {"text": "x"}, format="json").status_code == 404
    # An empty report is not submitted.
    assert kaz.post(f"{url}submit/").status_code == 400
    patched = kaz.patch(
        url,
        {"text": "A seminar in Almaty.", "measures": ["ECO-4"], "visibility": "public"},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["measures"] == ["ECO-4"]
    attached = kaz.post(f"{url}attachments/", {"file": pdf("programme.pdf")}, format="multipart")
    assert attached.status_code == 201, attached.content
    bad = kaz.post(
        f"{url}attachments/",
        {"file": _text_file()},
        format="multipart",
    )
    assert bad.status_code == 400
    submitted = kaz.post(f"{url}submit/")
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 1)
    assert kaz.post(f"{url}submit/").status_code == 409
    assert kaz.patch(url, {"text": "in place"}, format="json").status_code == 409
    # Public once submitted: anyone reads it and downloads its attachment.
    public = as_user("").get(url).json()
    download = as_user("").get(public["attachments"][0]["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert kaz.post(f"{url}correct/", {"text": "New"}, format="json").status_code == 400
    assert aze.post(f"{url}correct/", {"note": "n", "text": "t"}, format="json").status_code == 403
    corrected = kaz.post(
        f"{url}correct/", {"note": "Two seminars, not one.", "text": "Two seminars."}, format="json"
    )
    assert corrected.status_code == 200
    assert corrected.json()["version"] == 2
    versions = as_user("").get(f"{url}versions/").json()
    assert [(v["version"], v["text"], v["note"]) for v in versions] == [
        (1, "A seminar in Almaty.", ""),
        (2, "Two seminars.", "Two seminars, not one."),
    ]


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return SimpleUploadedFile("notes.pdf", b"just text, not a PDF", content_type="application/pdf")


def test_a_nil_return_in_one_call(as_user):
    cycle = _open(as_user).json()["id"]
    body = {"cycle": cycle, "participant": "KAZ", "area": "ECO"}
    assert as_user("").post("/api/v1/returns/nil/", body, format="json").status_code == 401
    for who in ("delegate-aze", "delegate-usa", "chair"):
        assert as_user(who).post("/api/v1/returns/nil/", body, format="json").status_code == 403
    filed = as_user("delegate-kaz").post("/api/v1/returns/nil/", body, format="json")
    assert filed.status_code == 201, filed.content
    assert (filed.json()["kind"], filed.json()["status"], filed.json()["version"]) == (
        "nil_return",
        "submitted",
        1,
    )
    again = as_user("delegate-kaz").post("/api/v1/returns/nil/", body, format="json")
    assert again.status_code == 409
    hum = as_user("delegate-kaz").post(
        "/api/v1/returns/nil/", {**body, "area": "HUM"}, format="json"
    )
    assert hum.status_code == 400
    assert (
        as_user("delegate-kaz")
        .post("/api/v1/returns/nil/", {**body, "participant": "NOPE"}, format="json")
        .status_code
        == 400
    )


def test_returns_are_filtered(as_user):
    eco4_adopted_with_plan()
    cycle = _open(as_user).json()["id"]
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)):
        as_user("delegate-kaz").post(
            "/api/v1/returns/nil/",
            {"cycle": cycle, "participant": "KAZ", "area": "ECO"},
            format="json",
        )
    with time_machine.travel(datetime.datetime(2027, 4, 2, 12, tzinfo=datetime.UTC)):
        progress = as_user("delegate-tjk").post(
            "/api/v1/returns/",
            {
                "cycle": cycle,
                "participant": "TJK",
                "kind": "progress_report",
                "measure": "ECO-4",
                "text": "Two seminars held.",
                "visibility": "public",
            },
            format="json",
        )
        assert progress.status_code == 201, progress.content
        as_user("delegate-tjk").post(f"/api/v1/returns/{progress.json()['id']}/submit/")
    anon = as_user("")

    def codes(query):
        answer = anon.get(f"/api/v1/returns/?{query}")
        assert answer.status_code == 200, answer.content
        return [(r["participant"], r["kind"]) for r in answer.json()["results"]]

    assert codes("") == [("KAZ", "nil_return"), ("TJK", "progress_report")]
    assert codes("late=true") == [("TJK", "progress_report")]
    assert codes("late=false") == [("KAZ", "nil_return")]
    assert codes("kind=nil_return") == [("KAZ", "nil_return")]
    assert codes("participant=tjk") == [("TJK", "progress_report")]
    assert codes("measure=ECO-4") == [("TJK", "progress_report")]
    assert codes("area=ECO&year=2027&status=submitted") == [("KAZ", "nil_return")]
    assert codes(f"cycle={cycle}") == codes("year=2027")
    assert codes("year=2026") == []
    for bad in ("kind=", "year=abc", "participant=NOPE", "nul=%00"):
        assert anon.get(f"/api/v1/returns/?{bad}").status_code == 400, bad
    assert Return.objects.filter(status=ReturnStatus.SUBMITTED).count() == 2


def test_hostile_input_is_a_400(as_user):
    cycle = _open(as_user).json()["id"]
    kaz = as_user("delegate-kaz")
    for text in ("nul\x00here", "x" * 2_000_000):
        answer = kaz.post(
            "/api/v1/returns/",
            {
                "cycle": cycle,
                "participant": "KAZ",
                "kind": "national_report",
                "area": "ECO",
                "text": text,
            },
            format="json",
        )
        assert answer.status_code in (400, 413), answer.status_code
    assert kaz.get("/api/v1/returns/abc/").status_code == 404
