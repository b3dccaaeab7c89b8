"""Issue 14 item 5: no network call under a row lock. An e-mail or a webhook
is claimed in a short transaction, sent outside any transaction, and its result
recorded in a second one; the claim keeps it exactly-once."""

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from secretariat import services
from secretariat.models import (
    DeliveryStatus,
    EmailStatus,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from secretariat.services import outbox, webhooks
from secretariat.tasks import send_notification_email

SENDING = threading.Event()
RELEASE = threading.Event()
SENT: list[str] = []


class BlockingBackend(BaseEmailBackend):
    """A mail server that holds the message until the test releases it."""

    def send_messages(self, messages):
        SENDING.set()
        assert RELEASE.wait(30)
        SENT.extend(message.to[0] for message in messages)
        return len(messages)


@pytest.fixture
def blocking():
    SENDING.clear()
    RELEASE.clear()
    SENT.clear()
    yield
    RELEASE.set()


def _lock_elsewhere(table: str, pk: int) -> list:
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
            rows = cursor.fetchall()
            cursor.execute("ROLLBACK")
        return rows
    finally:
        other.close()


def _in_thread(target, **kwargs):
    outcome = {}

    def run():
        try:
            outcome["result"] = target(**kwargs)
        except Exception as exc:  # reported to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _notification(user) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind="circulation",
        idempotency_key=f"item5-{user.pk}-{timezone.now().timestamp()}",
        subject="Item 5",
        body="A message sent without holding a row lock.",
    )


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND="tests.secretariat.test_item5_no_lock_during_send.BlockingBackend")
def test_item5_email_is_sent_without_holding_the_notification_row_lock(people, blocking):
    """issue 14 item 5: while the e-mail is being sent, the row is not locked,
    and a second worker given the same notification does not send it again."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    notification = _notification(people["delegate-kaz"])
    thread, outcome = _in_thread(services.notification_send_email, notification_id=notification.pk)
    try:
        assert SENDING.wait(20)
        # Another connection can lock the row at once: no lock is held while sending.
        assert _lock_elsewhere(Notification._meta.db_table, notification.pk) == [(notification.pk,)]
        # A second worker given the same id sees the claim and does not send.
        with pytest.raises(services.OutboxClaimed):
            services.notification_send_email(notification_id=notification.pk)
    finally:
        RELEASE.set()
        thread.join(30)
    assert outcome == {"result": "sent"}
    assert [people["delegate-kaz"].email] == SENT
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.attempts == 1
    assert notification.claimed_at is None
    assert services.notification_send_email(notification_id=notification.pk) == "already sent"
    assert [people["delegate-kaz"].email] == SENT


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_item5_a_claim_left_by_a_killed_worker_is_retried_after_the_timeout(people, settings):
    """issue 14 item 5: a claim older than CICA_OUTBOX_CLAIM_SECONDS counts as
    pending again: the re-queue hands it over and it is sent once."""
    mail.outbox.clear()
    notification = _notification(people["delegate-kaz"])
    settings.CICA_OUTBOX_CLAIM_SECONDS = 60
    Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now())
    with pytest.raises(services.OutboxClaimed):
        services.notification_send_email(notification_id=notification.pk)
    assert mail.outbox == []
    old = timezone.now() - datetime.timedelta(seconds=61)
    Notification.objects.filter(pk=notification.pk).update(claimed_at=old, queued_at=old)
    assert services.notification_send_email(notification_id=notification.pk) == "sent"
    assert [m.to for m in mail.outbox] == [[people["delegate-kaz"].email]]
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (EmailStatus.SENT, 1)


@pytest.mark.django_db
def test_item5_requeue_skips_fresh_claims_and_takes_stale_ones(people, settings, monkeypatch):
    """issue 14 item 5: the re-queue leaves a row being sent alone and hands a
    stale claim over again."""
    settings.CICA_OUTBOX_CLAIM_SECONDS = 60
    handed: list[int] = []

    def enqueue(*, notification_ids):
        handed.extend(notification_ids)
        return len(notification_ids)

    monkeypatch.setattr(outbox, "notifications_enqueue", enqueue)
    fresh, stale = _notification(people["delegate-kaz"]), _notification(people["chair"])
    Notification.objects.filter(pk=fresh.pk).update(claimed_at=timezone.now())
    Notification.objects.filter(pk=stale.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    services.notifications_requeue(older_than=datetime.timedelta(0))
    assert stale.pk in handed
    assert fresh.pk not in handed


@pytest.mark.django_db(transaction=True)
def test_item5_webhook_is_posted_without_holding_the_delivery_row_lock(settings):
    """issue 14 item 5: while the webhook is being posted, the delivery row is
    not locked, and a second worker does not post it again."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    arrived, release, received = threading.Event(), threading.Event(), []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # the name http.server calls
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            arrived.set()
            release.wait(30)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subscription = WebhookSubscription.objects.create(
            name="Tracker",
            url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            secret="s",
            events=["initiative.status_changed"],
        )
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event="initiative.status_changed", event_key="k1", payload={}
        )
        thread, outcome = _in_thread(services.webhook_deliver, delivery_id=delivery.pk)
        try:
            assert arrived.wait(20)
            assert _lock_elsewhere(WebhookDelivery._meta.db_table, delivery.pk) == [(delivery.pk,)]
            with pytest.raises(services.OutboxClaimed):
                services.webhook_deliver(delivery_id=delivery.pk)
        finally:
            release.set()
            thread.join(30)
        assert outcome == {"result": "delivered"}
        assert len(received) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_code) == (
            DeliveryStatus.DELIVERED,
            1,
            204,
        )
        assert services.webhook_deliver(delivery_id=delivery.pk) == "already delivered"
    finally:
        server.shutdown()
        server.server_close()


def test_item5_timeouts_are_set(settings):
    """issue 14 item 5: the mail and webhook timeouts exist."""
    assert settings.EMAIL_TIMEOUT == 30
    assert settings.CICA_WEBHOOK_TIMEOUT == 5


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_item5_the_task_does_not_send_a_row_another_worker_has_claimed(people, settings):
    """issue 14 item 5: the Celery task given a row claimed by another worker
    sends nothing and leaves the row pending for that worker (or the re-queue)."""
    mail.outbox.clear()
    notification = _notification(people["delegate-kaz"])
    Notification.objects.filter(pk=notification.pk).update(claimed_at=timezone.now())
    result = send_notification_email.apply(kwargs={"notification_id": notification.pk}).get()
    assert result.startswith("claimed")
    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.email_status, notification.attempts) == (EmailStatus.PENDING, 0)


@pytest.mark.django_db
def test_item9_one_give_up_and_one_requeue_serve_both_outboxes(people, monkeypatch):
    """issue 14 item 9: e-mails and webhook deliveries share one give-up and
    one re-queue; each marks or hands over only its own pending rows."""
    subscription = WebhookSubscription.objects.create(
        name="Tracker", url="http://127.0.0.1:9/hook", secret="s", events=["x"]
    )
    pending, sent = (
        WebhookDelivery.objects.create(
            subscription=subscription, event="x", event_key=key, payload={}, status=status
        )
        for key, status in (("k1", DeliveryStatus.PENDING), ("k2", DeliveryStatus.DELIVERED))
    )
    notification = _notification(people["delegate-kaz"])
    services.webhook_give_up(delivery_id=pending.pk)
    services.webhook_give_up(delivery_id=sent.pk)
    services.notification_give_up(notification_id=notification.pk)
    assert set(WebhookDelivery.objects.values_list("event_key", "status")) == {
        ("k1", DeliveryStatus.FAILED),
        ("k2", DeliveryStatus.DELIVERED),
    }
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED

    handed: list[int] = []

    def enqueue(*, delivery_ids):
        handed.extend(delivery_ids)
        return 0

    monkeypatch.setattr(webhooks, "webhooks_enqueue", enqueue)
    again = WebhookDelivery.objects.create(
        subscription=subscription, event="x", event_key="k3", payload={}
    )
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    assert handed == [again.pk]
    handed.clear()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    assert handed == []
