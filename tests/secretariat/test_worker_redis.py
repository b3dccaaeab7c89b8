"""Notifications through a real Redis and a real Celery worker (issue 4, must
show 3 and 4). Runs when REDIS_URL is set (CI); skipped on the embedded default."""

import datetime
import shutil
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from cica.celery import app
from cica.tasks import ping
from secretariat import services
from secretariat.models import EmailStatus, Notification
from secretariat.services import initiative_circulate
from secretariat.tasks import send_notification_email

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_redis():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: a real broker and worker")


def _start_worker():
    return start_worker(
        app,
        perform_ping_check=False,
        pool="solo",
        concurrency=1,
        loglevel="WARNING",
        shutdown_timeout=20,
    )


def _drain():
    """The solo worker takes tasks in order: once a ping sent now comes back,
    everything queued before it has run."""
    assert ping.apply_async(ignore_result=False).get(timeout=60) == "pong"


def _wait_sent(ids, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = Notification.objects.filter(pk__in=ids).exclude(email_status=EmailStatus.SENT)
        if not pending.exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"still pending: {list(pending.values_list('pk', flat=True))}")


def _circulation_mail():
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Circulated"))


def test_every_email_is_delivered_once_even_when_queued_twice(people, drafting, deadline):
    with _start_worker():
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
        ids = list(Notification.objects.filter(kind="circulation").values_list("pk", flat=True))
        assert len(ids) == 18
        _wait_sent(ids)
        first = _circulation_mail()
        assert len(first) == 18
        assert len(set(first)) == 18
        for notification_id in ids:  # the same task queued twice more
            send_notification_email.delay(notification_id=notification_id)
            send_notification_email.delay(notification_id=notification_id)
        services.notifications_requeue(older_than=datetime.timedelta(0))
        _drain()
    assert _circulation_mail() == first
    assert Notification.objects.filter(pk__in=ids, attempts=1).count() == 18


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_broker():
    """A Redis server of this test's own, to stop and start at will, and the
    Celery app pointed at it for the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]

    class Broker:
        process: subprocess.Popen[bytes]

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    def repoint(url):
        app.conf["broker_url"] = url
        # Celery's private pools (not in its stubs), dropped so the new URL is used.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    broker = Broker()
    broker.start()
    original = app.conf.broker_url
    repoint(f"redis://127.0.0.1:{port}/0")
    try:
        yield broker
    finally:
        repoint(original)
        if broker.process.poll() is None:
            broker.stop()


def test_broker_down_at_commit_then_back(people, drafting, deadline, own_broker):
    own_broker.stop()
    started = time.monotonic()
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    assert time.monotonic() - started < 15, "a dead broker does not hold the request"
    drafting.refresh_from_db()
    assert drafting.status == "circulated"  # committed
    rows = Notification.objects.filter(kind="circulation")
    assert rows.count() == 18
    assert rows.filter(email_status=EmailStatus.PENDING, queued_at__isnull=True).count() == 18
    assert _circulation_mail() == []

    own_broker.start()
    with _start_worker():
        services.notifications_requeue()
        _wait_sent(list(rows.values_list("pk", flat=True)))
        services.notifications_requeue(older_than=datetime.timedelta(0))
        _drain()
    delivered = _circulation_mail()
    assert len(delivered) == 18
    assert len(set(delivered)) == 18
