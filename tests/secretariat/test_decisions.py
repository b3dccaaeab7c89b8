"""The consensus rule on decisions (issue 3, must show 3)."""

import datetime

import pytest
from django.utils import timezone

from cica.errors import DomainError, Forbidden
from measures.models import Initiative, Measure
from members.models import Participant
from secretariat.models import Decision, Meeting
from secretariat.services import initiative_actions, meeting_create, symbol_next
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def codes(*cs):
    return list(Participant.objects.filter(code__in=cs))


@pytest.fixture
def at_swg(people):
    initiative = Initiative.objects.create(
        measure=Measure.objects.get(code="HUM-1"), status="swg_review"
    )
    meeting = meeting_create(
        actor=people.secretariat,
        body="swg",
        date=timezone.localdate() - datetime.timedelta(1),
        place="Almaty",
        host=Participant.objects.get(code="KAZ"),
        present=codes("KAZ", "CHN", "IND", "USA", "OSCE"),
    )
    return initiative, meeting


def decide(people, initiative, meeting, outcome, objecting=(), text="", body="swg"):
    return initiative_actions.initiative_record_decision(
        actor=people.secretariat,
        initiative=initiative,
        body=body,
        meeting=meeting,
        outcome=outcome,
        objecting=codes(*objecting),
        text=text,
    )


def test_approval_with_an_objecting_member_present_is_refused(people, at_swg):
    initiative, meeting = at_swg
    with pytest.raises(DomainError, match="No consensus: IND objected"):
        decide(people, initiative, meeting, "approved", objecting=["IND"])
    initiative.refresh_from_db()
    assert initiative.status == "swg_review"
    assert not Decision.objects.exists()


def test_an_observer_cannot_be_recorded_as_objecting(people, at_swg):
    initiative, meeting = at_swg
    for observer in ("USA", "OSCE"):
        with pytest.raises(DomainError, match="observers take no part"):
            decide(people, initiative, meeting, "no_consensus", objecting=[observer])
    assert not Decision.objects.exists()


def test_an_absent_member_cannot_object(people, at_swg):
    initiative, meeting = at_swg
    with pytest.raises(DomainError, match="not present"):
        decide(people, initiative, meeting, "no_consensus", objecting=["PAK"])


def test_observers_present_do_not_block_an_approval(people, at_swg):
    initiative, meeting = at_swg
    _i, event = decide(people, initiative, meeting, "approved")
    decision = Decision.objects.get()
    assert decision.outcome == "approved"
    assert decision.symbol.startswith("CICA/SWG/DEC/")
    assert event.to_status == "soc_review"
    assert event.details["decision"] == decision.symbol


def test_no_consensus_returns_to_drafting_and_names_the_objectors(people, at_swg):
    initiative, meeting = at_swg
    with pytest.raises(DomainError, match="at least one objecting"):
        decide(people, initiative, meeting, "no_consensus")
    decide(people, initiative, meeting, "no_consensus", objecting=["IND", "CHN"])
    initiative.refresh_from_db()
    assert initiative.status == "drafting"  # back to the coordinators (issue 13 item 3)
    assert set(Decision.objects.get().objecting.values_list("code", flat=True)) == {"IND", "CHN"}


def test_returned_and_rejected_need_reasons(people, at_swg):
    initiative, meeting = at_swg
    for outcome in ("returned", "rejected"):
        with pytest.raises(DomainError, match="reasons"):
            decide(people, initiative, meeting, outcome)
    decide(people, initiative, meeting, "returned", text="Needs a budget.")
    initiative.refresh_from_db()
    assert initiative.status == "drafting"


def test_the_decision_must_fit_the_meeting(people, at_swg):
    initiative, meeting = at_swg
    soc = meeting_create(
        actor=people.secretariat, body="soc", date=meeting.date, present=codes("KAZ")
    )
    with pytest.raises(DomainError, match="meeting is of the Senior Officials Committee"):
        decide(people, initiative, soc, "approved")
    future = meeting_create(
        actor=people.secretariat,
        body="swg",
        date=timezone.localdate() + datetime.timedelta(5),
        present=codes("KAZ"),
    )
    with pytest.raises(DomainError, match="has not taken place"):
        decide(people, initiative, future, "approved")
    empty = meeting_create(
        actor=people.secretariat, body="swg", date=timezone.localdate(), present=codes("USA")
    )
    with pytest.raises(DomainError, match="No member state"):
        decide(people, initiative, empty, "approved")


def test_only_the_secretariat_schedules_meetings(people):
    with pytest.raises(Forbidden):
        meeting_create(actor=people.chair, body="swg", date=timezone.localdate())
    with pytest.raises(DomainError, match="hosted by a member or observer state"):
        meeting_create(
            actor=people.secretariat,
            body="specialised",
            date=timezone.localdate(),
            host=Participant.objects.get(code="OSCE"),
        )
    assert not Meeting.objects.exists()


def test_symbols_run_per_prefix():
    assert symbol_next(prefix="X/") == "X/1"
    assert symbol_next(prefix="X/") == "X/2"
    assert symbol_next(prefix="Y/") == "Y/1"


def test_decisions_through_the_api(as_user, at_swg):
    initiative, meeting = at_swg
    secretariat = as_user("secretariat")
    url = f"/api/v1/initiatives/{initiative.pk}/record-swg-decision/"
    refused = secretariat.post(
        url, {"meeting": meeting.pk, "outcome": "approved", "objecting": ["IND"]}, format="json"
    )
    assert refused.status_code == 400
    assert "No consensus" in refused.json()["detail"]
    refused = secretariat.post(
        url,
        {"meeting": meeting.pk, "outcome": "no_consensus", "objecting": ["USA"]},
        format="json",
    )
    assert refused.status_code == 400
    assert "observers" in refused.json()["detail"]
    bad = secretariat.post(url, {"meeting": 999999, "outcome": "maybe"}, format="json")
    assert bad.status_code == 400
    assert error_fields(bad) >= {"meeting", "outcome"}
    ok = secretariat.post(
        url,
        {"meeting": meeting.pk, "outcome": "no_consensus", "objecting": ["IND"]},
        format="json",
    )
    assert ok.status_code == 200
    # Positions are for members and staff: the public sees the outcome only.
    public = as_user("").get("/api/v1/decisions/").json()["results"][0]
    assert public["outcome"] == "no_consensus"
    assert public["objecting"] is None
    member = as_user("delegate-pak").get("/api/v1/decisions/").json()["results"][0]
    assert member["objecting"] == ["IND"]
