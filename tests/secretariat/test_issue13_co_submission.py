"""A co-submission that cannot stall (issue 13, item 13): a co-submitter
declines with a reason, the lead removes one, those who have not answered are
reminded (periodically, once), the lead and the secretariat hear when nobody
is awaited any longer, and the item's page and API say who confirmed, who
declined and who is awaited. ``co_submitters`` takes codes in any case."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from members.models import Delegate
from secretariat.models import CoSubmitter, InformationSubmission, Notification
from secretariat.tasks import send_reminders
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def submit(client, **extra):
    payload = {
        "title": "Joint counter-narcotics measures",
        "text": "Measures taken along the common border.",
        "kind": "measures_taken",
        "language": "en",
        "visibility": "members",
        "measures": ["nct-2"],
        **extra,
    }
    return client.post("/api/v1/information/", payload, format="multipart")


@pytest.fixture
def group(as_user):
    """Iran submits with Pakistan and Tajikistan, naming them in lower case."""
    body = ok(submit(as_user("delegate-irn"), co_submitters=["pak", " tjk"]), 201)
    return InformationSubmission.objects.get(pk=body["id"])


def answers(body):
    return {c["participant"]: c["answer"] for c in body["co_submitters"]}


def test_item13_co_submitters_accept_lower_case_codes(group, as_user):
    """issue 13 item 13: co_submitters (and measures) accept lower-case codes."""
    assert set(group.co_submitters.values_list("participant__code", flat=True)) == {"PAK", "TJK"}
    assert list(group.measures.values_list("code", flat=True)) == ["NCT-2"]
    body = ok(as_user("delegate-irn").get(f"/api/v1/information/{group.pk}/"))
    assert answers(body) == {"PAK": "awaited", "TJK": "awaited"}
    assert (
        body["confirm_by"]
        == (
            timezone.localdate(group.submitted_at)
            + datetime.timedelta(days=settings.CICA_CO_SUBMISSION_DAYS)
        ).isoformat()
    )


def test_item13_schema_says_who_may_co_submit(api):
    """issue 13 item 13: the OpenAPI schema says which participants may co-submit."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    properties = schema["components"]["schemas"]["InformationInputRequest"]["properties"]
    field = properties["co_submitters"]
    text = field.get("description", "")
    assert "member" in text
    assert "observer" in text
    assert "pak" in text
    paths = schema["paths"]
    assert "/api/v1/information/{id}/decline/" in paths
    assert "/api/v1/information/{id}/remove-co-submitter/" in paths


def test_item13_a_co_submitter_declines_with_a_reason(group, as_user):
    """issue 13 item 13: decline with a reason; the lead is told; it no longer blocks."""
    url = f"/api/v1/information/{group.pk}/"
    pak, tjk = as_user("delegate-pak"), as_user("delegate-tjk")
    refused = pak.post(f"{url}decline/", {"reason": "  "}, format="json")
    assert refused.status_code == 400
    assert CoSubmitter.objects.get(submission=group, participant__code="PAK").declined_at is None
    assert as_user("delegate-chn").post(f"{url}decline/", {"reason": "No"}).status_code in (
        403,
        404,
    )

    body = ok(pak.post(f"{url}decline/", {"reason": "Not our data."}, format="json"))
    pak_row = {c["participant"]: c for c in body["co_submitters"]}["PAK"]
    assert pak_row["answer"] == "declined"
    assert pak_row["decline_reason"] == "Not our data."
    assert pak.post(f"{url}decline/", {"reason": "again"}).status_code == 409
    told = Notification.objects.filter(kind="co_submission_declined")
    assert {n.recipient.username for n in told} == {"delegate-irn"}
    notice = told.get()
    assert "PAK" in notice.subject
    assert "Not our data." in notice.body
    assert f"/information/{group.pk}/" in notice.body

    # Still waiting for Tajikistan: not yet disseminated, and PAK is not named.
    early = as_user("secretariat").post(f"{url}disseminate/")
    assert early.status_code == 409
    assert "TJK" in early.json()["detail"]
    assert "PAK" not in early.json()["detail"]
    ok(tjk.post(f"{url}confirm/"))
    body = ok(as_user("secretariat").post(f"{url}disseminate/"))
    assert body["status"] == "disseminated"
    assert body["submitters"] == ["IRN", "TJK"]


def test_item13_the_lead_removes_a_co_submitter(group, as_user):
    """issue 13 item 13: the lead state removes a co-submitter; the removed state is told."""
    url = f"/api/v1/information/{group.pk}/"
    # Only the lead's delegates remove; another co-submitter cannot.
    refused = as_user("delegate-pak").post(f"{url}remove-co-submitter/", {"participant": "TJK"})
    assert refused.status_code == 403
    assert group.co_submitters.count() == 2
    missing = as_user("delegate-irn").post(f"{url}remove-co-submitter/", {"participant": "chn"})
    assert missing.status_code == 404
    assert group.co_submitters.count() == 2

    body = ok(as_user("delegate-irn").post(f"{url}remove-co-submitter/", {"participant": "tjk"}))
    assert answers(body) == {"PAK": "awaited"}
    told = Notification.objects.filter(kind="co_submitter_removed")
    assert {n.recipient.username for n in told} == {"delegate-tjk"}
    assert "IRN" in told.get().body
    assert group.reference in told.get().subject
    assert as_user("delegate-tjk").get(url).status_code == 404
    assert as_user("delegate-tjk").post(f"{url}confirm/").status_code in (403, 404)


def test_item13_lead_and_secretariat_hear_once_when_nobody_is_awaited(group, as_user):
    """issue 13 item 13: the last answer tells the lead and the secretariat, once."""
    url = f"/api/v1/information/{group.pk}/"
    done = Notification.objects.filter(kind="co_submission_complete")
    ok(as_user("delegate-pak").post(f"{url}confirm/"))
    assert not done.exists()
    ok(as_user("delegate-tjk").post(f"{url}confirm/"))
    assert {n.recipient.username for n in done} == {"delegate-irn", "secretariat"}
    staff = done.get(recipient__username="secretariat")
    assert "PAK, TJK" in staff.body
    assert "disseminate" in staff.body
    ok(as_user("delegate-tjk").post(f"{url}confirm/"))  # a repeat adds nothing
    assert done.count() == 2


def test_item13_reminders_go_once_to_those_awaited_in_their_language(group, as_user):
    """issue 13 item 13: periodic reminder to those awaited (not doubled), in their
    language, with the date; after the date, the lead is told who is still awaited."""
    Delegate.objects.filter(user__username="delegate-tjk").update(language="fr")
    ok(as_user("delegate-pak").post(f"/api/v1/information/{group.pk}/confirm/"))
    reminders = Notification.objects.filter(kind="co_submission_reminder")
    due = timezone.localdate(group.submitted_at) + datetime.timedelta(
        days=settings.CICA_CO_SUBMISSION_DAYS
    )
    early = due - datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE + 1)
    with time_machine.travel(datetime.datetime.combine(early, datetime.time(12)), tick=False):
        call_command("run_periodic_tasks")
    assert not reminders.exists()
    near = due - datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE)
    with time_machine.travel(datetime.datetime.combine(near, datetime.time(12)), tick=False):
        call_command("run_periodic_tasks")
        send_reminders.apply()  # Celery beat's task: the same reminder, not a second one
        call_command("run_periodic_tasks")
    assert {n.recipient.username for n in reminders} == {"delegate-tjk"}
    reminder = reminders.get()
    months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
    assert f"{due.day} {months_fr[due.month - 1]} {due.year}" in reminder.body
    assert group.reference in reminder.subject
    assert f"/information/{group.pk}/" in reminder.body

    late = due + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(12)), tick=False):
        call_command("run_periodic_tasks")
        call_command("run_periodic_tasks")
    overdue = reminders.exclude(pk=reminder.pk)
    assert {n.recipient.username for n in overdue} == {"delegate-irn"}
    assert "TJK" in overdue.get().subject
    assert "PAK" not in overdue.get().subject


def _page_client(username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_item13_the_page_shows_answers_and_offers_decline_and_removal(group):
    """issue 13 item 13: the delegate page lists confirmed/declined/awaited and runs the actions."""
    page = f"/information/{group.pk}/"
    pak = _page_client("delegate-pak")
    html = pak.get(page).content.decode()
    assert 'id="co-submitters"' in html
    assert "decline-reason" in html
    assert 'data-answer="awaited"' in html
    refused = pak.post(f"{page}decline/", {"reason": ""})
    assert refused.status_code == 400
    assert pak.post(f"{page}decline/", {"reason": "Not ours."}).status_code == 302
    irn = _page_client("delegate-irn")
    html = irn.get(page).content.decode()
    assert 'data-answer="declined"' in html
    assert "Not ours." in html
    assert "information-remove-co-submitter" not in html  # the URL, not the name
    assert f"{page}remove-co-submitter/" in html
    assert f"{page}remove-co-submitter/" not in pak.get(page).content.decode()
    assert irn.post(f"{page}remove-co-submitter/", {"participant": "pak"}).status_code == 302
    assert list(group.co_submitters.values_list("participant__code", flat=True)) == ["TJK"]
    assert _page_client("delegate-tjk").post(f"{page}confirm/").status_code == 302
    html = irn.get(page).content.decode()
    assert 'data-answer="confirmed"' in html
    assert "TJK" in html
