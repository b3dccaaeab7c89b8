"""Webhooks for REST clients, delivered to a receiver on loopback (issue 8, must show 4)."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction

from measures.models import Initiative, Measure
from measures.services import initiative_declare_interest, initiative_open_consultation
from secretariat import services
from secretariat.models import WebhookDelivery, WebhookSubscription
from secretariat.tasks import deliver_webhook

pytestmark = pytest.mark.django_db
SECRET = "s3cr3t-for-tests"


class Receiver(ThreadingHTTPServer):
    """What the test receiver records, and the answers it is told to fail with."""

    received: list[tuple[Any, bytes]]
    fail: list[int]
    url: str


@pytest.fixture
def receiver():
    """An HTTP server on 127.0.0.1 that records what it receives and can fail on demand."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.received.append((self.headers, body))
            code = server.fail.pop(0) if server.fail else 204
            self.send_response(code)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = Receiver(("127.0.0.1", 0), Handler)
    server.received, server.fail = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscription(receiver):
    return WebhookSubscription.objects.create(
        name="Tracker", url=receiver.url, secret=SECRET, events=["initiative.status_changed"]
    )


def open_eco4(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_open_consultation(
            actor=people.chair, initiative=Initiative.objects.get(measure__code="ECO-4")
        )


def test_a_status_change_is_delivered_signed_and_once(
    people, receiver, subscription, django_capture_on_commit_callbacks, eager_celery
):
    open_eco4(people, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-CICA-Signature"], expected)
    payload = json.loads(body)
    assert payload["event"] == "initiative.status_changed"
    assert payload["data"]["measure"] == "ECO-4"
    assert (payload["data"]["from_status"], payload["data"]["to_status"]) == (
        "interest_declared",
        "consultation",
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered"
    assert delivery.response_code == 204
    # The same task again, and the periodic re-queue: nothing is delivered twice.
    assert deliver_webhook.apply(kwargs={"delivery_id": delivery.pk}).get() == "already delivered"
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    assert len(receiver.received) == 1


def test_a_failed_delivery_is_retried_then_delivered(
    people, receiver, subscription, django_capture_on_commit_callbacks, eager_celery
):
    receiver.fail = [500, 503]
    open_eco4(people, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.last_error == "HTTP 500"
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.attempts == 2
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempts == 3
    assert len(receiver.received) == 3
    # Each attempt carried the same delivery id: the receiver can tell retries apart.
    assert {h["X-CICA-Delivery"] for h, _b in receiver.received} == {str(delivery.pk)}
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


def test_only_subscribed_events_and_nothing_on_rollback(
    people, receiver, subscription, django_capture_on_commit_callbacks, eager_celery
):
    def open_then_fail():
        with transaction.atomic():
            initiative_open_consultation(
                actor=people.chair, initiative=Initiative.objects.get(measure__code="ECO-4")
            )
            raise RuntimeError("rolled back")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="rolled back"),
    ):
        open_then_fail()
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()
    # A same-status step (a declaration joining) is not a status change.
    with django_capture_on_commit_callbacks(execute=True):
        initiative_declare_interest(
            actor=people["delegate-kaz"], measure=Measure.objects.get(code="ECO-4")
        )
    assert receiver.received == []


def test_a_failing_receiver_is_disabled_after_repeated_failures(
    people, receiver, subscription, django_capture_on_commit_callbacks, eager_celery
):
    receiver.fail = [500] * 50
    open_eco4(people, django_capture_on_commit_callbacks)
    for _ in range(services.WEBHOOK_DISABLE_AFTER):
        services.webhooks_requeue(older_than=datetime.timedelta(0))
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_at is not None
    tries = len(receiver.received)
    assert tries == services.WEBHOOK_DISABLE_AFTER
    services.webhooks_requeue(older_than=datetime.timedelta(0))
    assert len(receiver.received) == tries  # disabled: no more calls
