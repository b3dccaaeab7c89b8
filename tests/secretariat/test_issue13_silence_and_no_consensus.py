"""Issue 13, items 1–3: decisions without a meeting, atomic API writes, the
silence notice and timeline, and the revision after "no consensus"."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format
from rest_framework.test import APIClient

from cica import pages
from cica.errors import Conflict
from measures import api_initiatives
from measures.models import Initiative, InitiativeEvent, InterestDeclaration
from members.models import Delegate, Participant
from secretariat.models import Circulation, Decision, Notification, WebhookDelivery
from secretariat.services import initiative_record_decision, meeting_create
from secretariat.tasks import close_silence_procedures
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db

DRAFT = "The SWG approves concept paper CICA/CP/HUM-5/1 and refers it to the SOC."


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def days(n):
    return datetime.timedelta(days=n)


def at_swg_review(sec, initiative):
    """Circulate the latest paper and refer it to the SWG once the deadline passed."""
    url = f"/api/v1/initiatives/{initiative.pk}"
    today = timezone.localdate()
    ok(sec.post(f"{url}/circulate/", {"deadline": (today + days(3)).isoformat()}))
    with time_machine.travel(today + days(4), tick=False):
        assert ok(sec.post(f"{url}/refer-to-swg/"))["status"] == "swg_review"
    return url


def meeting(sec, body="swg", present=("MNG", "KAZ", "CHN", "IND", "USA")):
    data = {"body": body, "date": timezone.localdate().isoformat(), "present": list(present)}
    return ok(sec.post("/api/v1/meetings/", data, format="json"), 201)["id"]


# --- item 1 -------------------------------------------------------------------------


def test_item1_soc_decision_after_silence_procedure_answers_200_and_every_read_works(
    as_user, people, drafting, client
):
    """issue 13 item 1: an SWG decision adopted by silence (no meeting) breaks
    neither the SOC decision that follows nor any read of the initiative."""
    sec, public, ind = as_user("secretariat"), as_user(""), as_user("delegate-ind")
    url = at_swg_review(sec, drafting)
    start = timezone.localdate() + days(4)
    with time_machine.travel(start, tick=False):
        ok(
            sec.post(
                f"{url}/start-silence-procedure/",
                {"body": "swg", "draft_text": DRAFT, "deadline": (start + days(2)).isoformat()},
            )
        )
    with time_machine.travel(start + days(3), tick=False):
        closed = close_silence_procedures()
        assert len(closed) == 1
        silence = Circulation.objects.get(reference=closed[0])
        for reader in (sec, public, ind):
            detail = ok(reader.get(f"{url}/"))
            assert detail["status"] == "soc_review"
            (swg,) = detail["decisions"]
            assert swg["meeting"] is None
            assert swg["meeting_date"] is None
            assert swg["procedure"] == "silence"
            assert swg["silence_circulation"]["reference"] == silence.reference
        soc_meeting = meeting(sec, "soc")
        body = ok(
            sec.post(
                f"{url}/record-soc-decision/",
                {"meeting": soc_meeting, "outcome": "approved"},
                format="json",
            )
        )
        assert body["status"] == "adopted"
        assert [d["procedure"] for d in body["decisions"]] == ["meeting", "silence"]
        for reader in (sec, public, ind):
            detail = ok(reader.get(f"{url}/"))
            assert detail["status"] == "adopted"
            assert len(detail["decisions"]) == 2
            listed = ok(reader.get(f"/api/v1/decisions/?initiative={drafting.pk}"))["results"]
            assert {d["procedure"] for d in listed} == {"meeting", "silence"}
            by_silence = next(d for d in listed if d["procedure"] == "silence")
            assert by_silence["meeting"] is None
            one = ok(reader.get(f"/api/v1/decisions/{by_silence['id']}/"))
            assert one["silence_circulation"]["reference"] == silence.reference
        assert Decision.objects.filter(initiative=drafting).count() == 2

        # Pages and admin render the decision taken without a meeting.
        page = client.get(f"/initiatives/{drafting.pk}/")
        assert page.status_code == 200
        assert "silence procedure" in page.content.decode().lower()
        assert client.get(f"/catalogue/{drafting.measure.code}/").status_code == 200
        client.force_login(people.secretariat)
        decision = Decision.objects.get(initiative=drafting, procedure="silence")
        for admin_url in (
            "/admin/secretariat/decision/",
            f"/admin/secretariat/decision/{decision.pk}/change/",
            f"/admin/measures/initiative/{drafting.pk}/change/",
            f"/admin/secretariat/circulation/{silence.pk}/change/",
            "/admin/dashboard/",
            "/admin/report/",
        ):
            assert client.get(admin_url).status_code == 200, admin_url
        assert client.get(f"/circulations/{silence.pk}/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_item1_an_api_write_that_answers_500_commits_nothing(people, monkeypatch):
    """issue 13 item 1: a write that answers 500 leaves nothing committed."""
    initiative = Initiative.objects.get(measure__code="ECO-4", status="interest_declared")
    events = InitiativeEvent.objects.count()
    deliveries = WebhookDelivery.objects.count()

    def broken_answer(self, initiative, code=200):
        raise RuntimeError("the answer could not be rendered")

    monkeypatch.setattr(api_initiatives.InitiativeViewSet, "_detail", broken_answer)
    client = APIClient(raise_request_exception=False)
    token = client.post(
        "/api/v1/auth/token/", {"username": "secretariat", "password": DEMO_PASSWORD}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(f"/api/v1/initiatives/{initiative.pk}/open-consultation/")
    assert response.status_code == 500
    initiative.refresh_from_db()
    assert initiative.status == "interest_declared"
    assert InitiativeEvent.objects.count() == events
    assert WebhookDelivery.objects.count() == deliveries
    # A retry after the fault is fixed succeeds: nothing half-done is in the way.
    monkeypatch.undo()
    again = client.post(f"/api/v1/initiatives/{initiative.pk}/open-consultation/")
    assert again.status_code == 200
    assert again.json()["status"] == "consultation"


@pytest.mark.django_db(transaction=True)
def test_item1_a_page_write_that_answers_500_commits_nothing(people, monkeypatch):
    """issue 13 item 1: the same holds for the delegate pages (every unsafe request)."""

    def broken_message(*args, **kwargs):
        raise RuntimeError("the message store failed")

    monkeypatch.setattr(pages.messages, "success", broken_message)
    browser = Client(raise_request_exception=False)
    browser.force_login(people["delegate-ind"])
    before = (Initiative.objects.count(), InterestDeclaration.objects.count())
    response = browser.post("/catalogue/HUM-4/declare/", {"statement": "India is interested."})
    assert response.status_code == 500
    assert (Initiative.objects.count(), InterestDeclaration.objects.count()) == before
    assert not Initiative.objects.filter(measure__code="HUM-4").exists()


# --- item 2 -------------------------------------------------------------------------


def test_item2_silence_notice_timeline_and_adopted_decision(as_user, people, drafting, client):
    """issue 13 item 2: the silence notice says what it is, in the recipient's
    language; start, break and close are on the timeline; the decision says it
    was adopted by silence and links to the circulation."""
    Delegate.objects.filter(user=people["delegate-ind"]).update(language="fr")
    sec = as_user("secretariat")
    url = at_swg_review(sec, drafting)
    start = timezone.localdate() + days(4)
    deadline = start + days(2)
    with time_machine.travel(start, tick=False):
        ok(
            sec.post(
                f"{url}/start-silence-procedure/",
                {"body": "swg", "draft_text": DRAFT, "deadline": deadline.isoformat()},
            )
        )
    silence = Circulation.objects.get(kind="draft_decision")
    notices = Notification.objects.filter(kind="silence", target_type="receipt")
    assert (
        notices.count()
        == Delegate.objects.filter(
            participant__in=silence.receipts.values("participant"), is_active=True
        ).count()
    )
    english = notices.get(recipient=people["delegate-chn"])
    assert "silence procedure" in english.subject.lower()
    text = english.body
    assert "under silence procedure" in text
    assert DRAFT in text
    assert date_format(deadline, "DATE_FORMAT") in text
    assert "Asia/Almaty" in text
    assert "UTC+05:00" in text
    assert "does not object" in text
    assert "taken to agree" in text
    assert silence.reference in text
    # Rendered in the recipient's language: the date reads as a French reader writes it.
    french = notices.get(recipient=people["delegate-ind"])
    with translation.override("fr"):
        assert date_format(deadline, "DATE_FORMAT") in french.body
    assert date_format(deadline, "DATE_FORMAT") not in french.body
    ind = as_user("delegate-ind")
    with time_machine.travel(start + days(1), tick=False):
        ok(
            ind.post(
                f"/api/v1/circulations/{silence.pk}/answer/",
                {"position": "objection", "text": "We need more time."},
            )
        )
    timeline = ok(sec.get(f"{url}/"))["timeline"]
    kinds = [e["action"] for e in timeline]
    assert kinds[-2:] == ["silence_started", "silence_broken"]
    assert timeline[-1]["acting_for"] == "IND"
    assert timeline[-1]["details"]["circulation"] == silence.reference
    # Who broke the silence is a position: not shown to the public.
    public = ok(as_user("").get(f"{url}/"))["timeline"]
    assert public[-1]["action"] == "silence_broken"
    assert public[-1]["acting_for"] is None
    # A second procedure, nobody objects: closed on the timeline, the decision says so.
    with time_machine.travel(start + days(1), tick=False):
        ok(
            sec.post(
                f"{url}/start-silence-procedure/",
                {"body": "swg", "draft_text": DRAFT, "deadline": deadline.isoformat()},
            )
        )
    second = Circulation.objects.filter(kind="draft_decision").order_by("-pk").first()
    assert second is not None
    with time_machine.travel(deadline + days(1), tick=False):
        assert close_silence_procedures() == [second.reference]
    detail = ok(sec.get(f"{url}/"))
    kinds = [e["action"] for e in detail["timeline"]]
    assert kinds[-4:] == [
        "silence_broken",
        "silence_started",
        "record_swg_decision",
        "silence_closed",
    ]
    closed = detail["timeline"][-1]
    assert closed["details"]["circulation"] == second.reference
    assert closed["details"]["decision"] == detail["decisions"][0]["symbol"]
    (decision,) = detail["decisions"]
    assert decision["procedure"] == "silence"
    assert decision["silence_circulation"] == {
        "id": second.pk,
        "reference": second.reference,
        "url": f"/api/v1/circulations/{second.pk}/",
    }
    page = client.get(f"/initiatives/{drafting.pk}/").content.decode()
    assert "Adopted by silence procedure" in page
    assert f'href="/circulations/{second.pk}/"' in page
    assert "Silence procedure started" in page
    assert "Silence broken" in page


# --- item 3 -------------------------------------------------------------------------


def test_item3_no_consensus_returns_the_paper_for_revision_that_goes_round_again(
    as_user, people, drafting
):
    """issue 13 item 3: no consensus sends the paper back to its coordinators,
    with the objectors recorded; the revision is accepted and goes round again;
    a second, contradictory decision at the same meeting is refused (409)."""
    sec, mng = as_user("secretariat"), as_user("delegate-mng")
    url = at_swg_review(sec, drafting)
    swg = meeting(sec)
    body = ok(
        sec.post(
            f"{url}/record-swg-decision/",
            {"meeting": swg, "outcome": "no_consensus", "objecting": ["IND", "CHN"]},
            format="json",
        )
    )
    assert body["status"] == "drafting"
    assert body["decisions"][0]["objecting"] == ["CHN", "IND"]
    # Who objected is a position: on the decision, for staff and member states only.
    public = ok(as_user("").get(f"{url}/"))
    assert public["decisions"][0]["objecting"] is None
    assert "CHN" not in str(public["timeline"][-1])
    browser = Client()
    assert (
        'class="objecting">CHN, IND<'
        not in browser.get(f"/initiatives/{drafting.pk}/").content.decode()
    )
    browser.force_login(people["delegate-mng"])
    page = browser.get(f"/initiatives/{drafting.pk}/").content.decode()
    assert 'class="objecting">CHN, IND<' in page
    # The coordinators hear that the paper comes back to them.
    notice = Notification.objects.get(kind="decision", recipient=people["delegate-mng"])
    assert "revised" in notice.body
    assert "IND" in notice.body
    # The contradictory decision on the same paper at the same meeting: 409.
    contradicting = sec.post(
        f"{url}/record-swg-decision/", {"meeting": swg, "outcome": "approved"}, format="json"
    )
    assert contradicting.status_code == 409, contradicting.content
    assert Decision.objects.filter(initiative=drafting).count() == 1
    actions = {a["action"]: a for a in ok(mng.get(f"{url}/actions/"))}
    assert actions["submit_paper"]["available"]
    body = ok(
        mng.post(
            f"{url}/submit-paper/", {"file": pdf(body=b"v2"), "language": "en"}, format="multipart"
        )
    )
    assert [p["version"] for p in body["papers"]] == [1, 2]
    today = timezone.localdate()
    ok(sec.post(f"{url}/circulate/", {"deadline": (today + days(3)).isoformat()}))
    with time_machine.travel(today + days(4), tick=False):
        ok(sec.post(f"{url}/refer-to-swg/"))
        body = ok(
            sec.post(
                f"{url}/record-swg-decision/",
                {"meeting": meeting(sec), "outcome": "approved"},
                format="json",
            )
        )
    assert body["status"] == "soc_review"
    assert [
        d["paper"] for d in ok(sec.get(f"/api/v1/decisions/?initiative={drafting.pk}"))["results"]
    ] == ["CICA/CP/HUM-5/2", "CICA/CP/HUM-5/1"]


def test_item3_one_meeting_takes_one_decision_per_paper(people, drafting):
    """issue 13 item 3: the rule holds in the service even where the status
    would allow a second decision (409, nothing written)."""
    Initiative.objects.filter(pk=drafting.pk).update(status="swg_review")
    swg = meeting_create(
        actor=people.secretariat,
        body="swg",
        date=timezone.localdate(),
        present=list(Participant.objects.filter(code__in=["MNG", "IND"])),
    )
    initiative_record_decision(
        actor=people.secretariat,
        initiative=drafting,
        body="swg",
        meeting=swg,
        outcome="no_consensus",
        objecting=[Participant.objects.get(code="IND")],
    )
    Initiative.objects.filter(pk=drafting.pk).update(status="swg_review")
    with pytest.raises(Conflict, match="one decision per paper"):
        initiative_record_decision(
            actor=people.secretariat,
            initiative=drafting,
            body="swg",
            meeting=swg,
            outcome="approved",
        )
    assert Decision.objects.filter(initiative=drafting).count() == 1
