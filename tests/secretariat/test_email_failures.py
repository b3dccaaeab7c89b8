"""Issue 13 item 16: a CR/LF in a title must not block the e-mails about it;
a notification that fails for a permanent reason is given up once, with the
reason, and shows in the admin; re-queueing never restarts the retry count."""

import datetime
import smtplib

import pytest
from django.conf import settings as live_settings
from django.core import mail
from django.core.mail import BadHeaderError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from secretariat import services
from secretariat.models import EmailStatus, Notification
from secretariat.tasks import send_notification_email
from tests.secretariat.test_worker_redis import _drain, _start_worker

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


class Refuses550(BaseEmailBackend):
    """A mail server that refuses the recipient for good."""

    def send_messages(self, messages):
        CALLS.append(messages[0].to[0])
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 No such user")})


class BadHeader(BaseEmailBackend):
    def send_messages(self, messages):
        CALLS.append(messages[0].to[0])
        raise BadHeaderError("Header values can't contain newlines")


class Busy451(BaseEmailBackend):
    """A mail server that asks to try later (a passing failure)."""

    def send_messages(self, messages):
        CALLS.append(messages[0].to[0])
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (451, b"4.3.0 Try later")})


TITLE = "Border crossings\r\nBcc: everyone@example.org\nand more"


def test_item16_a_title_with_cr_lf_is_mailed_with_a_single_line_subject(
    as_user, people, django_capture_on_commit_callbacks, eager_celery
):
    """issue 13 item 16: the e-mails about a title with CR/LF go out, one line."""
    kaz, secretariat = as_user("delegate-kaz"), as_user("secretariat")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = kaz.post(
            "/api/v1/information/",
            {
                "title": TITLE,
                "text": "Measures taken at the border.",
                "kind": "measures_taken",
                "language": "en",
                "visibility": "members",
                "measures": ["NCT-2"],
            },
            format="multipart",
        )
    assert answer.status_code == 201, answer.content
    url = f"/api/v1/information/{answer.json()['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert secretariat.post(f"{url}disseminate/").status_code == 200

    rows = Notification.objects.filter(kind__in=["information_submitted", "information"])
    assert rows.filter(kind="information").count() == 18
    assert not rows.exclude(email_status=EmailStatus.SENT).exists(), list(
        rows.exclude(email_status=EmailStatus.SENT).values_list("email_status", "last_error")
    )
    assert len(mail.outbox) == rows.count()
    expected = "Border crossings Bcc: everyone@example.org and more"
    for message in mail.outbox:
        assert "\r" not in message.subject
        assert "\n" not in message.subject
        assert expected in message.subject
        assert message.bcc == []
    for row in rows:
        assert "\n" not in row.subject
        assert "\r" not in row.subject


def test_item16_a_pending_row_written_with_a_newline_is_still_sent(people, eager_celery):
    """issue 13 item 16: rows already in the outbox with a multi-line subject go out."""
    row = Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="information",
        idempotency_key="item16:old-row",
        subject="Old\r\nrow",
        body="text",
    )
    mail.outbox.clear()
    assert services.notification_send_email(notification_id=row.pk) == "sent"
    assert [m.subject for m in mail.outbox] == ["Old row"]


@pytest.mark.parametrize(
    ("backend", "reason"),
    [("Refuses550", "550"), ("BadHeader", "BadHeaderError")],
)
def test_item16_a_permanent_failure_is_given_up_once_with_its_reason(
    people, settings, client, backend, reason, eager_celery
):
    """issue 13 item 16: no retry, no re-queue; the secretariat sees the reason."""
    settings.EMAIL_BACKEND = f"tests.secretariat.test_email_failures.{backend}"
    CALLS.clear()
    row = Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="information",
        idempotency_key=f"item16:{backend}",
        subject="Information from KAZ",
        body="text",
    )
    services.notifications_enqueue(notification_ids=[row.pk])
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED
    assert row.attempts == 1
    assert reason in row.last_error
    # The periodic re-queue leaves it alone: no second try.
    for _ in range(3):
        services.notifications_requeue(older_than=datetime.timedelta(0))
    row.refresh_from_db()
    assert len(CALLS) == 1
    assert row.attempts == 1
    assert row.email_status == EmailStatus.FAILED

    client.force_login(people["secretariat"])
    page = client.get("/admin/secretariat/notification/", {"email_status__exact": "failed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Information from KAZ" in html
    assert reason in html
    assert "Reason for failure" in html


def test_item16_requeue_does_not_restart_the_retry_count(people, settings, eager_celery):
    """issue 13 item 16: a passing failure is retried a bounded number of times,
    however often the periodic re-queue hands the row over."""
    settings.EMAIL_BACKEND = "tests.secretariat.test_email_failures.Busy451"
    CALLS.clear()
    row = Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="information",
        idempotency_key="item16:busy",
        subject="Information from KAZ",
        body="text",
    )
    for _ in range(services.NOTIFICATION_MAX_ATTEMPTS + 5):
        services.notifications_requeue(older_than=datetime.timedelta(0))
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED
    assert row.attempts == services.NOTIFICATION_MAX_ATTEMPTS == len(CALLS)
    assert "451" in row.last_error


def test_item16_a_worker_retry_counts_from_the_row_not_the_task(people, settings, monkeypatch):
    """issue 13 item 16: a fresh task (re-queued: Celery's own retry count at 0)
    for a row that has used its attempts gives up instead of starting over."""
    settings.EMAIL_BACKEND = "tests.secretariat.test_email_failures.Busy451"
    row = Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="information",
        idempotency_key="item16:worker",
        subject="Information from KAZ",
        body="text",
        attempts=services.NOTIFICATION_MAX_ATTEMPTS - 1,
    )
    scheduled = []

    def fake_retry(**kwargs):
        scheduled.append(kwargs)
        return RuntimeError("retry scheduled")

    monkeypatch.setattr(send_notification_email, "retry", fake_retry)
    # Task.push_request takes any request field; the stubs name none.
    send_notification_email.push_request(is_eager=False, retries=0)  # type: ignore[call-arg]
    try:
        assert send_notification_email.run(notification_id=row.pk) == "failed"
    finally:
        send_notification_email.pop_request()
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED
    assert scheduled == []


def test_item16_a_scheduled_retry_is_not_requeued_meanwhile(people, settings, monkeypatch):
    """issue 13 item 16: while a worker's retry is scheduled, the periodic
    re-queue does not start a second chain of tries for the same e-mail."""
    settings.EMAIL_BACKEND = "tests.secretariat.test_email_failures.Busy451"
    row = Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="information",
        idempotency_key="item16:scheduled",
        subject="Information from KAZ",
        body="text",
        attempts=2,
    )
    scheduled = []

    class Scheduled(Exception):
        pass

    def fake_retry(**kwargs):
        scheduled.append(kwargs)
        return Scheduled()

    monkeypatch.setattr(send_notification_email, "retry", fake_retry)
    # Task.push_request takes any request field; the stubs name none.
    send_notification_email.push_request(is_eager=False, retries=0)  # type: ignore[call-arg]
    try:
        with pytest.raises(Scheduled):
            send_notification_email.run(notification_id=row.pk)
    finally:
        send_notification_email.pop_request()
    row.refresh_from_db()
    # The back-off follows the row's attempts (3rd failure: 2 minutes), not
    # Celery's count of this task's retries (0).
    assert [s["countdown"] for s in scheduled] == [120]
    assert row.attempts == 3
    assert row.email_status == EmailStatus.PENDING
    assert row.queued_at is not None
    assert row.queued_at > timezone.now() + datetime.timedelta(seconds=100)
    assert services.notifications_requeue(older_than=datetime.timedelta(0)) == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_item16_a_real_worker_gives_a_permanent_failure_up_once(people, settings):
    """issue 13 item 16: through Redis and a Celery worker, a refused recipient
    is tried once, marked failed with the reason, and not retried."""
    if not live_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real broker and worker")
    settings.EMAIL_BACKEND = "tests.secretariat.test_email_failures.Refuses550"
    CALLS.clear()
    with _start_worker():
        row = Notification.objects.create(
            recipient=people["delegate-kaz"],
            kind="information",
            idempotency_key="item16:worker-permanent",
            subject="Information from KAZ",
            body="text",
        )
        assert services.notifications_enqueue(notification_ids=[row.pk]) == 1
        _drain()
        services.notifications_requeue(older_than=datetime.timedelta(0))
        _drain()
    row.refresh_from_db()
    assert row.email_status == EmailStatus.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert CALLS == ["delegate-kaz@cica.example"]
