"""Issue 13 item 6: a meeting's attendance (the states present) can be recorded
and corrected by the secretariat, through the API and the admin, with history;
then a decision can be recorded at the corrected meeting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Participant
from secretariat.models import Meeting
from tests.conftest import DEMO_PASSWORD
from tests.measures.test_issue13_available_actions import build
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def _yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def under_review():
    """ECO-5 before the SWG, with a paper that has been circulated."""
    return build("a", "swg_review", {"paper", "circulated"})


def test_item6_attendance_corrected_through_the_api_then_a_decision_is_recorded(
    as_user, people, under_review
):
    """issue 13 item 6: a meeting scheduled with nobody present is corrected, then decides."""
    secretariat = as_user("secretariat")
    created = secretariat.post(
        "/api/v1/meetings/", {"body": "swg", "date": _yesterday()}, format="json"
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    decide_url = f"/api/v1/initiatives/{under_review.pk}/record-swg-decision/"
    refused = secretariat.post(
        decide_url, {"meeting": meeting_id, "outcome": "approved"}, format="json"
    )
    assert refused.status_code in (400, 409)
    assert "present" in refused.json()["detail"]

    url = f"/api/v1/meetings/{meeting_id}/attendance/"
    payload = {"present": ["KAZ", "irn", "TJK", "JPN"]}
    # Nobody but the secretariat records attendance; nothing changes.
    assert as_user("").put(url, payload, format="json").status_code == 401
    for who in ("delegate-kaz", "delegate-usa", "chair"):
        answer = as_user(who).put(url, payload, format="json")
        assert answer.status_code == 403, (who, answer.content)
        assert answer.json()["detail"]
    meeting = Meeting.objects.get(pk=meeting_id)
    assert not meeting.present.exists()
    history_before = meeting.history.count()

    corrected = secretariat.put(url, payload, format="json")
    assert corrected.status_code == 200, corrected.content
    assert sorted(corrected.json()["present"]) == ["IRN", "JPN", "KAZ", "TJK"]
    assert sorted(meeting.present.values_list("code", flat=True)) == ["IRN", "JPN", "KAZ", "TJK"]
    assert sorted(as_user("").get(f"/api/v1/meetings/{meeting_id}/").json()["present"]) == [
        "IRN",
        "JPN",
        "KAZ",
        "TJK",
    ]
    # The meeting's history shows the change and who made it.
    latest = meeting.history.order_by("-history_id").first()
    assert meeting.history.count() > history_before
    assert latest.history_user == people.secretariat
    assert sorted(latest.present.values_list("participant__code", flat=True)) == [
        "IRN",
        "JPN",
        "KAZ",
        "TJK",
    ]

    decided = secretariat.post(
        decide_url,
        {"meeting": meeting_id, "outcome": "no_consensus", "objecting": ["IRN"]},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["decisions"][0]["meeting"] == meeting_id

    # A state that objected to a decision taken there stays recorded as present.
    dropped = secretariat.put(url, {"present": ["KAZ", "TJK"]}, format="json")
    assert dropped.status_code == 409, dropped.content
    assert "IRN" in dropped.json()["detail"]
    assert "IRN" in set(meeting.present.values_list("code", flat=True))
    # Bad input: unknown codes are a 400 and change nothing.
    bad = secretariat.put(url, {"present": ["KAZ", "XXX"]}, format="json")
    assert bad.status_code == 400
    assert "present" in error_fields(bad)
    assert meeting.present.count() == 4


def test_item6_attendance_is_documented_in_the_openapi_schema(api):
    """issue 13 item 6: the attendance endpoint is in the schema."""
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "put" in paths["/api/v1/meetings/{id}/attendance/"]
    body = paths["/api/v1/meetings/{id}/attendance/"]["put"]
    ref = body["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema.json()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "present" in component["required"]
    assert set(body["responses"]) >= {"200", "400", "403", "404", "409"}


def test_item6_attendance_corrected_in_the_admin_with_history(client, people, under_review):
    """issue 13 item 6: the secretariat corrects attendance in the admin; the history shows it."""
    meeting = Meeting.objects.create(
        body="swg", date=timezone.localdate() - datetime.timedelta(days=1)
    )
    url = reverse("admin:secretariat_meeting_change", args=[meeting.pk])
    states = list(Participant.objects.filter(code__in=["KAZ", "IRN", "TJK"]))
    data = {
        "body": "swg",
        "title": "",
        "date": meeting.date.isoformat(),
        "place": "",
        "host": "",
        "measure": "",
        "present": [p.pk for p in states],
        "experts": [],
    }
    # The Chair's office reads meetings but does not change them.
    assert client.login(username="chair", password=DEMO_PASSWORD)
    assert client.post(url, data).status_code == 403
    assert not meeting.present.exists()

    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert sorted(meeting.present.values_list("code", flat=True)) == ["IRN", "KAZ", "TJK"]
    latest = meeting.history.order_by("-history_id").first()
    assert latest.history_user == people.secretariat
    assert sorted(latest.present.values_list("participant__code", flat=True)) == [
        "IRN",
        "KAZ",
        "TJK",
    ]
    history = client.get(reverse("admin:secretariat_meeting_history", args=[meeting.pk]))
    assert history.status_code == 200
    assert "secretariat" in history.content.decode()

    # The corrected meeting carries a decision, recorded through the admin's action form.
    act = reverse("admin:measures_initiative_act", args=[under_review.pk, "record_swg_decision"])
    done = client.post(act, {"meeting": meeting.pk, "outcome": "approved"})
    assert done.status_code == 302
    under_review.refresh_from_db()
    assert under_review.status == "soc_review"
    assert under_review.decisions.get().meeting == meeting

    # Removing a state that took part in a decision there is refused in the form.
    data["present"] = [p.pk for p in states if p.code != "KAZ"]
    under_review.decisions.get().objecting.set([p for p in states if p.code == "KAZ"])
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert b"KAZ" in refused.content
    assert "KAZ" in set(meeting.present.values_list("code", flat=True))
