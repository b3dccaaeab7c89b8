"""The silence procedure on a controlled clock, and the circulation and
notification API (issue 4, must show 5 and 6)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cica.errors import Conflict, DomainError, Forbidden
from measures.models import Initiative
from secretariat import services
from secretariat.models import Circulation, Decision, Notification
from secretariat.services import initiative_circulate
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_soc(people, drafting):
    Initiative.objects.filter(pk=drafting.pk).update(status="soc_review")
    drafting.refresh_from_db()
    return drafting


def start(people, initiative, deadline):
    return services.silence_procedure_start(
        actor=people.secretariat,
        initiative=initiative,
        body="soc",
        draft_text="The SOC approves the concept paper.",
        deadline=deadline,
    )


def test_silence_adopts_when_nobody_objects_by_the_deadline(people, at_soc, deadline):
    circulation = start(people, at_soc, deadline)
    assert circulation.receipts.count() == 18
    assert circulation.silence_status == "pending"
    services.receipt_answer(
        actor=people["delegate-chn"],
        circulation=circulation,
        position="comment",
        text="Fine, with a note.",
    )
    with time_machine.travel(deadline, tick=False):
        assert services.silence_procedures_close() == []
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        assert services.silence_procedures_close() == [circulation.reference]
        assert services.silence_procedures_close() == []
    circulation.refresh_from_db()
    at_soc.refresh_from_db()
    decision = Decision.objects.get(initiative=at_soc)
    assert circulation.silence_status == "adopted"
    assert circulation.decision == decision
    assert decision.procedure == "silence"
    assert decision.outcome == "approved"
    assert decision.meeting is None
    assert at_soc.status == "adopted"
    decided, closed = at_soc.events.order_by("-pk")[1], at_soc.events.order_by("-pk")[0]
    assert decided.action == "record_soc_decision"
    assert decided.actor is None
    assert closed.action == "silence_closed"
    assert closed.details["decision"] == decision.symbol
    # Every member state hears of an SOC decision.
    assert Notification.objects.filter(kind="decision").count() == 18


def test_an_objection_breaks_the_silence(people, at_soc, deadline):
    circulation = start(people, at_soc, deadline)
    services.receipt_answer(
        actor=people["delegate-ind"],
        circulation=circulation,
        position="objection",
        text="We cannot join consensus.",
    )
    circulation.refresh_from_db()
    assert circulation.silence_status == "broken"
    assert circulation.silence_broken_by.code == "IND"
    assert circulation.silence_broken_at
    broken = Notification.objects.get(kind="silence_broken")
    assert broken.recipient == people.secretariat
    assert "IND" in broken.subject
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        assert services.silence_procedures_close() == []
    at_soc.refresh_from_db()
    assert at_soc.status == "soc_review"
    assert not Decision.objects.exists()


def test_silence_needs_the_right_stage_and_the_secretariat(people, drafting, at_soc, deadline):
    with pytest.raises(Forbidden):
        services.silence_procedure_start(
            actor=people.chair, initiative=at_soc, body="soc", draft_text="x", deadline=deadline
        )
    with pytest.raises(Conflict, match="needs it at"):
        services.silence_procedure_start(
            actor=people.secretariat,
            initiative=at_soc,
            body="swg",
            draft_text="x",
            deadline=deadline,
        )
    with pytest.raises(DomainError, match="text of the draft"):
        services.silence_procedure_start(
            actor=people.secretariat,
            initiative=at_soc,
            body="soc",
            draft_text=" ",
            deadline=deadline,
        )
    start(people, at_soc, deadline)
    with pytest.raises(Conflict, match="already running"):
        start(people, at_soc, deadline)


def test_silence_through_the_api(as_user, at_soc, deadline):
    response = as_user("secretariat").post(
        f"/api/v1/initiatives/{at_soc.pk}/start-silence-procedure/",
        {"body": "soc", "draft_text": "Approve.", "deadline": deadline.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    circulation = Circulation.objects.get(initiative=at_soc)
    response = as_user("delegate-pak").post(
        f"/api/v1/circulations/{circulation.pk}/answer/",
        {"position": "objection", "text": "No."},
        format="json",
    )
    body = response.json()
    assert body["silence_status"] == "broken"
    assert body["silence_broken_by"] == "PAK"


# --- the API ------------------------------------------------------------------------


@pytest.fixture
def circulation(people, drafting, deadline):
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=deadline,
        audience="members_and_observers",
    )
    return Circulation.objects.get(initiative=drafting)


def test_receipts_as_each_reader_may_see_them(as_user, people, circulation):
    url = f"/api/v1/circulations/{circulation.pk}/"
    answer = as_user("delegate-chn").post(f"{url}answer/", {"position": "support"})
    assert answer.status_code == 200
    chn = {r["participant"]: r for r in answer.json()["receipts"]}["CHN"]
    assert chn["position"] == "support"
    assert chn["acknowledged_by"] == "delegate-chn"

    member = {r["participant"]: r for r in as_user("delegate-ind").get(url).json()["receipts"]}
    assert member["CHN"]["position"] == "support"
    assert member["IND"]["first_read_at"] is not None  # reading records the first read
    observer = {r["participant"]: r for r in as_user("delegate-usa").get(url).json()["receipts"]}
    # An observer sees its own receipt only (issue 13 item 8).
    assert set(observer) == {"USA"}
    assert observer["USA"]["position"] is None
    staff = {r["participant"]: r for r in as_user("secretariat").get(url).json()["receipts"]}
    assert staff["CHN"]["position"] == "support"
    assert as_user("").get(url).status_code == 401
    assert as_user("").get("/api/v1/circulations/").status_code == 401


def test_a_delegate_answers_only_for_their_state(as_user, people, drafting, deadline):
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation = Circulation.objects.get(initiative=drafting)
    url = f"/api/v1/circulations/{circulation.pk}/"
    # The observer was not addressed: it neither reads nor answers.
    assert as_user("delegate-usa").get(url).status_code == 404
    assert as_user("delegate-usa").post(f"{url}answer/", {"position": "support"}).status_code == 404
    assert as_user("delegate-usa").get("/api/v1/circulations/").json()["results"] == []
    # A member answers its own receipt; there is no way to name another state's.
    response = as_user("delegate-kaz").post(
        f"{url}answer/", {"position": "support", "participant": "CHN"}
    )
    assert response.status_code == 200
    receipts = {r["participant"]: r for r in response.json()["receipts"]}
    assert receipts["KAZ"]["position"] == "support"
    assert receipts["CHN"]["position"] is None
    bad = as_user("delegate-kaz").post(f"{url}answer/", {"position": "veto"})
    assert bad.status_code == 400
    assert "position" in error_fields(bad)
    assert as_user("secretariat").post(f"{url}answer/", {"position": "support"}).status_code == 403
    assert as_user("delegate-kaz").get("/api/v1/circulations/99999/").status_code == 404


def test_notifications_are_private(as_user, people, circulation):
    mine = as_user("delegate-kaz").get("/api/v1/notifications/").json()
    assert len(mine["results"]) == 1
    assert mine["results"][0]["kind"] == "circulation"
    theirs = Notification.objects.filter(recipient=people["delegate-chn"]).first()
    assert theirs is not None
    kaz = as_user("delegate-kaz")
    assert kaz.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert kaz.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert kaz.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    own = mine["results"][0]["id"]
    assert kaz.post(f"/api/v1/notifications/{own}/read/").json()["read_at"]
    assert kaz.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    chn = as_user("delegate-chn")
    assert chn.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert as_user("").get("/api/v1/notifications/").status_code == 401


def test_the_deadline_passes_for_answers_too(as_user, circulation, deadline):
    url = f"/api/v1/circulations/{circulation.pk}/answer/"
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        response = as_user("delegate-kaz").post(url, {"position": "support"})
    assert response.status_code == 409
    assert "deadline" in response.json()["detail"]
    assert timezone.localdate() <= deadline


def test_the_periodic_command_runs_everything_once(people, circulation, deadline, capsys):
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        call_command("run_periodic_tasks")
        call_command("run_periodic_tasks")
    assert Notification.objects.filter(kind="deadline_summary").count() == 1
    assert "1 deadline summaries" in capsys.readouterr().out
