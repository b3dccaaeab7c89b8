"""Every webhook event the subscription form offers fires (issue 13, item 9):
one list of names (WebhookEvent) for the form, the emitter and the README."""

import datetime
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from implementation.services.plans import plan_create
from measures.models import Initiative, InterestDeclaration
from secretariat.admin import WebhookSubscriptionForm
from secretariat.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from tests.files import pdf
from tests.secretariat.test_webhooks import SECRET, receiver  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _eco4():
    return Initiative.objects.get(measure__code="ECO-4")


def _open_consultation(as_user, drafting):
    initiative = _eco4()
    response = as_user("chair").post(f"/api/v1/initiatives/{initiative.pk}/open-consultation/")
    assert response.status_code == 200, response.content
    return initiative, {"to_status": "consultation", "from_status": "interest_declared"}


def _join(as_user, drafting):
    initiative = _eco4()
    joiner = next(
        code
        for code in ("kaz", "rus", "ind", "chn", "tur", "aze", "egy", "irn")
        if not InterestDeclaration.objects.filter(
            initiative=initiative, participant__code=code.upper()
        ).exists()
    )
    response = as_user(f"delegate-{joiner}").post(
        f"/api/v1/initiatives/{initiative.pk}/declare-interest/", {}, format="json"
    )
    assert response.status_code == 200, response.content
    return initiative, {"action": "declare_interest", "details": {"participant": joiner.upper()}}


def _submit(as_user, drafting):
    response = as_user("delegate-mng").post(
        f"/api/v1/initiatives/{drafting.pk}/submit-paper/",
        {"file": pdf(body=b"v2"), "language": "en"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    return drafting, {"action": "submit_paper", "details": {"version": 2}}


def _decide(as_user, drafting):
    Initiative.objects.filter(pk=drafting.pk).update(status="swg_review")
    secretariat = as_user("secretariat")
    meeting = secretariat.post(
        "/api/v1/meetings/",
        {"body": "swg", "date": timezone.localdate().isoformat(), "present": ["KAZ", "MNG"]},
        format="json",
    )
    assert meeting.status_code == 201, meeting.content
    response = secretariat.post(
        f"/api/v1/initiatives/{drafting.pk}/record-swg-decision/",
        {"meeting": meeting.json()["id"], "outcome": "approved"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return drafting, {"action": "record_swg_decision", "to_status": "soc_review"}


# --- issue 17 v3: reporting events (caused through the services; a cause may
# return ``None`` for the initiative when the event is about no initiative).


def _user(username):
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return get_user_model().objects.get(username=username)


def _open_cycle():
    import datetime  # noqa: PLC0415

    from implementation.services.reporting import cycle_open  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415

    return cycle_open(
        actor=_user("secretariat"),
        year=2027,
        due_on=datetime.date(2027, 12, 31),
        areas=PriorityArea.objects.filter(code="ECO"),
    )


def _cycle_opened(as_user, drafting):
    cycle = _open_cycle()
    return None, {"cycle": cycle.pk, "symbol": "CICA/IMPL/2027", "areas": ["ECO"]}


def _nil_return():
    from implementation.services.reporting import return_nil  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415
    from members.models import Participant  # noqa: PLC0415

    return return_nil(
        actor=_user("delegate-kaz"),
        cycle=_open_cycle(),
        participant=Participant.objects.get(code="KAZ"),
        area=PriorityArea.objects.get(code="ECO"),
    )


def _return_submitted(as_user, drafting):
    ret = _nil_return()
    return None, {"return": ret.pk, "participant": "KAZ", "kind": "nil_return", "version": 1}


def _return_corrected(as_user, drafting):
    from implementation.services.reporting import return_correct  # noqa: PLC0415

    ret = return_correct(
        actor=_user("delegate-kaz"),
        ret=_nil_return(),
        note="We did host a seminar.",
        kind="national_report",
        text="A seminar in Almaty.",
    )
    return None, {"return": ret.pk, "kind": "national_report", "version": 2}


def _plan_submitted(as_user, drafting):
    """Issue 17 (v1): the coordinator submits the action plan of an adopted
    measure to the SWG."""
    Initiative.objects.filter(pk=drafting.pk).update(status="adopted")
    drafting.refresh_from_db()
    coordinator = get_user_model().objects.get(username="delegate-mng")
    plan = plan_create(actor=coordinator, initiative=drafting, starts_in=2027, ends_in=2028)
    response = as_user("delegate-mng").post(f"/api/v1/action-plans/{plan.pk}/submit/")
    assert response.status_code == 200, response.content
    return drafting, {"action": "submit", "from_status": "draft", "to_status": "swg_review"}


def _activity_created(as_user, drafting):
    """Issue 17 v2: the coordinator's delegate enters an activity."""
    from tests.implementation.v2_setup import eco4_adopted  # noqa: PLC0415

    initiative = eco4_adopted()
    starts = timezone.localdate() + datetime.timedelta(days=20)
    response = as_user("delegate-tjk").post(
        "/api/v1/activities/",
        {
            "measure": "ECO-4",
            "kind": "seminar",
            "title_en": "Seminar on transit",
            "host": "KAZ",
            "starts_on": starts.isoformat(),
            "ends_on": starts.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return initiative, {"activity": response.json()["id"], "to_status": "planned"}


def _activity_status_changed(as_user, drafting):
    """Issue 17 v2: the coordinator's delegate confirms an activity (entered
    by the secretariat with no subscription to creations)."""
    from tests.implementation.v2_setup import an_activity, eco4_adopted  # noqa: PLC0415

    initiative = eco4_adopted()
    activity = an_activity()
    response = as_user("delegate-tjk").post(
        f"/api/v1/activities/{activity.pk}/status/", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 200, response.content
    return initiative, {"activity": activity.pk, "from_status": "planned", "to_status": "confirmed"}


CAUSES = {
    WebhookEvent.STATUS_CHANGED: _open_consultation,
    WebhookEvent.INTEREST_DECLARED: _join,
    WebhookEvent.PAPER_SUBMITTED: _submit,
    WebhookEvent.DECISION_RECORDED: _decide,
    WebhookEvent.CYCLE_OPENED: _cycle_opened,
    WebhookEvent.RETURN_SUBMITTED: _return_submitted,
    WebhookEvent.RETURN_CORRECTED: _return_corrected,
    WebhookEvent.ACTION_PLAN_STATUS_CHANGED: _plan_submitted,
    WebhookEvent.ACTIVITY_CREATED: _activity_created,
    WebhookEvent.ACTIVITY_STATUS_CHANGED: _activity_status_changed,
}


def test_item9_every_event_has_a_cause_in_this_test():
    """issue 13 item 9: the test below covers the whole list of events."""
    assert set(CAUSES) == set(WebhookEvent)


@pytest.mark.parametrize("event", list(WebhookEvent), ids=str)
def test_item9_a_subscription_to_each_event_is_delivered(
    event,
    as_user,
    drafting,
    receiver,  # noqa: F811 - fixture
    django_capture_on_commit_callbacks,
    eager_celery,
):
    """issue 13 item 9: subscribe (through the admin form) to one event, cause it
    through the API, and the receiver gets it, signed, with that name."""
    form = WebhookSubscriptionForm(
        data={
            "name": "Tracker",
            "url": receiver.url,
            "secret": SECRET,
            "events": [event.value],
            "is_active": "on",
        }
    )
    assert form.is_valid(), form.errors
    subscription = form.save()
    assert subscription.events == [event.value]
    with django_capture_on_commit_callbacks(execute=True):
        initiative, expected = CAUSES[event](as_user, drafting)
    assert len(receiver.received) == 1, [json.loads(b)["event"] for _h, b in receiver.received]
    headers, body = receiver.received[0]
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-CICA-Signature"], signature)
    assert headers["X-CICA-Event"] == event.value
    payload = json.loads(body)
    assert payload["event"] == event.value
    if initiative is not None:
        assert payload["data"]["initiative"] == initiative.pk
    for key, value in expected.items():
        if isinstance(value, dict):
            assert value.items() <= payload["data"][key].items()
        else:
            assert payload["data"][key] == value
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == "delivered"
    assert delivery.event == event.value


def test_item9_the_form_refuses_an_event_that_is_never_sent():
    """issue 13 item 9: names outside the list (e.g. ``paper_submitted``) are refused."""
    form = WebhookSubscriptionForm(
        data={
            "name": "Tracker",
            "url": "https://client.example/hook",
            "secret": SECRET,
            "events": ["paper_submitted"],
        }
    )
    assert not form.is_valid()
    assert "events" in form.errors
    assert not WebhookSubscription.objects.exists()


def test_item9_the_readme_lists_exactly_the_events():
    """issue 13 item 9: the documentation names every event the emitter sends."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for event in WebhookEvent:
        assert f"`{event.value}`" in readme
