"""The information exchange, through the API alone (issue 5, must show 1 and 5)."""

import pytest
from django.db import connection

from measures.models import Measure
from members.models import Participant
from secretariat.models import InformationSubmission, Notification, Receipt
from secretariat.services import information, information_submit
from tests.files import not_a_paper, pdf
from tests.problems import error_fields

pytestmark = pytest.mark.django_db

TEXT = (
    "Mesures prises contre le trafic de stupéfiants le long des frontières communes. "
    "Совместные меры по борьбе с незаконным оборотом наркотиков на общей границе."
)


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def submit(client, **extra):
    payload = {
        "title": "Joint counter-narcotics measures",
        "text": TEXT,
        "kind": "measures_taken",
        "language": "fr",
        "visibility": "members",
        "measures": ["NCT-2"],
        **extra,
    }
    return client.post("/api/v1/information/", payload, format="multipart")


def test_iran_and_pakistan_share_information_on_nct2(as_user):
    irn, pak, secretariat = as_user("delegate-irn"), as_user("delegate-pak"), as_user("secretariat")
    body = ok(submit(irn, co_submitters=["PAK"]), 201)
    sid, url = body["id"], f"/api/v1/information/{body['id']}/"
    assert body["status"] == "submitted"
    assert body["submitters"] == ["IRN"]
    assert body["co_submitters"] == [
        {
            "participant": "PAK",
            "answer": "awaited",
            "confirmed": False,
            "confirmed_at": None,
            "declined_at": None,
            "decline_reason": None,
        }
    ]
    # Not disseminated before Pakistan confirms; until then it is not Pakistan's.
    early = secretariat.post(f"{url}disseminate/")
    assert early.status_code == 409
    assert "PAK" in early.json()["detail"]
    assert as_user("delegate-chn").post(f"{url}confirm/").status_code in (403, 404)
    assert ok(pak.post(f"{url}confirm/"))["submitters"] == ["IRN", "PAK"]
    # Before dissemination other states do not see it.
    assert as_user("delegate-chn").get(url).status_code == 404

    Notification.objects.filter(kind="information").delete()
    body = ok(secretariat.post(f"{url}disseminate/"))
    assert body["status"] == "disseminated"
    assert body["disseminated_at"]
    submission = InformationSubmission.objects.get(pk=sid)
    members = Participant.objects.with_status_in("member")
    assert Receipt.objects.filter(circulation__information=submission).count() == 18
    told = Notification.objects.filter(kind="information")
    assert told.count() == 18
    assert told.values("recipient").distinct().count() == 18
    assert set(told.values_list("recipient__delegate__participant__code", flat=True)) == set(
        members.values_list("code", flat=True)
    )
    again = secretariat.post(f"{url}disseminate/")
    assert again.status_code == 409
    assert told.count() == 18

    chn = as_user("delegate-chn")
    for word in ("stupéfiants", "наркотиков"):
        found = ok(chn.get("/api/v1/information/", {"q": word}))
        assert [r["id"] for r in found["results"]] == [sid], (word, connection.vendor)
    assert ok(chn.get("/api/v1/information/", {"q": "tourisme"}))["count"] == 0
    for query in (
        {"measure": "NCT-2"},
        {"area": "NCT"},
        {"state": "PAK"},
        {"state": "IRN"},
        {"kind": "measures_taken"},
        {"year": submission.submitted_at.year},
    ):
        assert ok(chn.get("/api/v1/information/", query))["count"] == 1, query
    assert ok(chn.get("/api/v1/information/", {"state": "CHN"}))["count"] == 0
    # Members only: not for observers, not for the public.
    assert as_user("delegate-usa").get(url).status_code == 404
    assert ok(as_user("").get("/api/v1/information/"))["count"] == 0


def test_a_state_cannot_submit_for_another(as_user):
    refused = submit(as_user("delegate-irn"), submitted_for="PAK")
    assert refused.status_code == 403
    assert "cannot submit for PAK" in refused.json()["detail"]
    assert submit(as_user("delegate-usa")).status_code == 403  # observers do not submit
    assert submit(as_user("secretariat")).status_code == 403
    assert not InformationSubmission.objects.exists()
    bad = submit(as_user("delegate-irn"), measures=["NCT-9"])
    assert bad.status_code == 400
    assert "measures" in error_fields(bad)
    bad = submit(as_user("delegate-irn"), co_submitters=["USA"])
    assert bad.status_code == 400
    assert "not a member state" in bad.json()["detail"]


def test_public_information_and_attachments(as_user):
    irn = as_user("delegate-irn")
    response = irn.post(
        "/api/v1/information/",
        {
            "title": "Open report",
            "text": "Rapport public",
            "kind": "views",
            "language": "fr",
            "visibility": "public",
            "measures": ["NCT-1"],
            "attachments": [pdf()],
        },
        format="multipart",
    )
    body = ok(response, 201)
    url = f"/api/v1/information/{body['id']}/"
    download = body["attachments"][0]["download"]
    assert as_user("").get(url).status_code == 404  # not yet disseminated
    assert irn.get(download).status_code == 200
    ok(as_user("secretariat").post(f"{url}disseminate/"))
    public = ok(as_user("").get(url))
    assert public["submitters"] == ["IRN"]
    assert as_user("").get(download).status_code == 200
    assert as_user("delegate-usa").get(url).status_code == 200
    rejected = irn.post(
        "/api/v1/information/",
        {
            "title": "Bad",
            "text": "x",
            "kind": "views",
            "language": "fr",
            "measures": ["NCT-1"],
            "attachments": [not_a_paper()],
        },
        format="multipart",
    )
    assert rejected.status_code == 400
    assert "not a PDF" in rejected.json()["detail"]
    assert InformationSubmission.objects.count() == 1


def test_return_with_reasons(as_user):
    body = ok(submit(as_user("delegate-kaz")), 201)
    url = f"/api/v1/information/{body['id']}/"
    assert as_user("delegate-kaz").post(f"{url}return/", {"reason": "x"}).status_code == 403
    assert as_user("secretariat").post(f"{url}return/", {}).status_code == 400
    body = ok(as_user("secretariat").post(f"{url}return/", {"reason": "Please add sources."}))
    assert body["status"] == "returned"
    assert body["return_reason"] == "Please add sources."
    assert Notification.objects.filter(kind="information_returned").count() == 1
    assert as_user("secretariat").post(f"{url}disseminate/").status_code == 409


def test_item9_a_failing_notice_after_the_upload_leaves_no_file(people, settings, monkeypatch):
    """issue 14 item 9: when writing the notices fails after the attachments
    were stored, the submission rolls back and its files are removed from
    MEDIA_ROOT (the second copy of the rollback helper left them behind)."""

    def broken_notify(**_kwargs):
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr(information, "notify", broken_notify)
    with pytest.raises(RuntimeError):
        information_submit(
            actor=people["delegate-mng"],
            title="With an annex",
            text="See the annex.",
            kind="views",
            language="en",
            visibility="members",
            measures=[Measure.objects.get(code="ENV-1")],
            attachments=[pdf("annex.pdf")],
        )
    assert not InformationSubmission.objects.exists()
    root = settings.MEDIA_ROOT
    stored = [p.name for p in root.rglob("*") if p.is_file()] if root.exists() else []
    assert stored == []
