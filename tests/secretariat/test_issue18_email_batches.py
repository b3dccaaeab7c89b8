"""Issue 18 target 4: e-mail in batches. One task sends a commit's
notifications over one connection to the mail server: claimed with SKIP
LOCKED, each recorded as soon as it is known; one message's failure stays
its own; a dropped connection leaves the rest pending; two workers draining
the same rows never send one twice."""

import datetime
import smtplib
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from secretariat import services
from secretariat.models import EmailStatus, Notification
from secretariat.services import initiative_circulate
from secretariat.tasks import send_notification_batch


class Server:
    """What the stand-in mail server saw: connections opened, messages taken."""

    opened = 0
    received: list[str] = []
    lock = threading.Lock()
    # Scripted behaviour: subjects refused (code), the message on which the
    # connection drops, and whether it can be opened again.
    refuse: dict[str, int] = {}
    drop_at: int | None = None
    down = False
    comes_back = False
    delay = 0.0

    @classmethod
    def reset(cls):
        cls.opened, cls.received, cls.refuse = 0, [], {}
        cls.drop_at, cls.down, cls.comes_back, cls.delay = None, False, False, 0.0


class Backend(BaseEmailBackend):
    def open(self):
        if Server.down and Server.comes_back:
            Server.down = False
        if Server.down:
            raise ConnectionRefusedError("mail server refused the connection")
        with Server.lock:
            Server.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            if Server.delay:
                time.sleep(Server.delay)
            with Server.lock:
                if Server.drop_at is not None and len(Server.received) + 1 == Server.drop_at:
                    Server.drop_at, Server.down = None, True
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
                code = Server.refuse.get(message.subject)
                if code:
                    raise smtplib.SMTPRecipientsRefused({message.to[0]: (code, b"refused")})
                Server.received.append(message.subject)
        return len(messages)


BACKEND = "tests.secretariat.test_issue18_email_batches.Backend"


@pytest.fixture
def server():
    Server.reset()
    with override_settings(EMAIL_BACKEND=BACKEND):
        yield Server
    Server.reset()


def _pending(user, count, prefix="batch"):
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind="information",
                idempotency_key=f"{prefix}:{k}",
                subject=f"{prefix}-{k:04d}",
                body="text",
            )
            for k in range(count)
        ]
    )
    return list(
        Notification.objects.filter(subject__startswith=f"{prefix}-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_commit_hands_its_emails_over_as_batches_not_one_task_each(
    people, drafting, deadline, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[list[int]] = []

    def apply_async(*, kwargs, **_options):
        queued.append(kwargs["notification_ids"])

    monkeypatch.setattr(send_notification_batch, "apply_async", apply_async)
    before = list(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    pending = set(
        Notification.objects.filter(email_status=EmailStatus.PENDING)
        .exclude(pk__in=before)
        .values_list("pk", flat=True)
    )
    assert len(pending) >= 18
    # One task per commit's notices (per notify call), not one per e-mail.
    assert len(queued) <= 2
    assert sorted(pk for batch in queued for pk in batch) == sorted(pending)
    assert all(len(batch) <= services.EMAIL_BATCH_SIZE for batch in queued)
    assert not Notification.objects.filter(pk__in=pending, queued_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_long_hand_over_is_cut_into_batches(people, monkeypatch):
    queued: list[list[int]] = []
    monkeypatch.setattr(
        send_notification_batch,
        "apply_async",
        lambda *, kwargs, **_o: queued.append(kwargs["notification_ids"]),
    )
    ids = _pending(people["delegate-kaz"], 250)
    assert services.notifications_enqueue(notification_ids=ids) == 250
    assert [len(b) for b in queued] == [100, 100, 50]


@pytest.mark.django_db
def test_a_batch_is_sent_over_one_connection_each_once(people, server):
    ids = _pending(people["delegate-kaz"], 30)
    outcome = services.notifications_send_batch(notification_ids=ids)
    assert (outcome.sent, outcome.failed, outcome.retry, outcome.claimed) == (30, 0, {}, [])
    assert server.opened == 1
    assert sorted(server.received) == [f"batch-{k:04d}" for k in range(30)]
    rows = Notification.objects.filter(pk__in=ids)
    assert rows.filter(email_status=EmailStatus.SENT, attempts=1, claimed_at=None).count() == 30
    # Handed over again (a task queued twice): nothing is sent twice.
    assert services.notifications_send_batch(notification_ids=ids).sent == 0
    assert len(server.received) == 30


@pytest.mark.django_db
def test_one_refused_message_is_recorded_on_its_own(people, server):
    ids = _pending(people["delegate-kaz"], 10)
    server.refuse = {"batch-0003": 550, "batch-0006": 451}
    outcome = services.notifications_send_batch(notification_ids=ids)
    assert (outcome.sent, outcome.failed) == (8, 1)
    assert server.opened == 1
    refused = Notification.objects.get(subject="batch-0003")
    assert (refused.email_status, refused.attempts) == (EmailStatus.FAILED, 1)
    assert "550" in refused.last_error
    busy = Notification.objects.get(subject="batch-0006")
    assert (busy.email_status, busy.attempts, busy.claimed_at) == (EmailStatus.PENDING, 1, None)
    assert outcome.retry == {30: [busy.pk]}
    server.refuse = {}
    assert services.notifications_send_batch(notification_ids=ids).sent == 1
    assert sorted(server.received) == [f"batch-{k:04d}" for k in range(10) if k != 3]


@pytest.mark.django_db
def test_a_connection_dropped_mid_batch_leaves_the_rest_pending_then_sends_them_once(
    people, server
):
    ids = _pending(people["delegate-kaz"], 20)
    server.drop_at = 3  # the third message: the connection drops, the server stays away
    outcome = services.notifications_send_batch(notification_ids=ids)
    assert outcome.sent == 2
    assert outcome.failed == 0
    assert sorted(pk for batch in outcome.retry.values() for pk in batch) == sorted(ids)[2:]
    rows = Notification.objects.filter(pk__in=ids)
    assert rows.filter(email_status=EmailStatus.SENT).count() == 2
    rest = rows.filter(email_status=EmailStatus.PENDING)
    assert rest.count() == 18
    # Not lost, not claimed: the next try takes them; each counted the try.
    assert not rest.filter(claimed_at__isnull=False).exists()
    assert rest.filter(attempts=1).count() == 18
    assert "SMTPServerDisconnected" in rest.get(subject="batch-0002").last_error
    assert "refused" in rest.get(subject="batch-0019").last_error

    server.down = False
    assert services.notifications_send_batch(notification_ids=ids).sent == 18
    assert sorted(server.received) == [f"batch-{k:04d}" for k in range(20)]
    assert rows.filter(email_status=EmailStatus.SENT).count() == 20


@pytest.mark.django_db
def test_a_dropped_connection_is_opened_again_for_the_rest(people, server):
    ids = _pending(people["delegate-kaz"], 10)
    server.drop_at = 4
    server.comes_back = True
    outcome = services.notifications_send_batch(notification_ids=ids)
    assert outcome.sent == 9
    assert server.opened == 2
    dropped = Notification.objects.get(subject="batch-0003")
    assert (dropped.email_status, dropped.attempts) == (EmailStatus.PENDING, 1)
    assert sorted(server.received) == [f"batch-{k:04d}" for k in range(10) if k != 3]


@pytest.mark.django_db
def test_rows_another_worker_holds_are_left_to_it_and_looked_at_again(people, server, settings):
    settings.CICA_OUTBOX_CLAIM_SECONDS = 60
    ids = _pending(people["delegate-kaz"], 5)
    held = ids[1]
    Notification.objects.filter(pk=held).update(claimed_at=timezone.now())
    outcome = services.notifications_send_batch(notification_ids=ids)
    assert outcome.sent == 4
    assert outcome.claimed == [held]
    assert 55 <= outcome.claimed_retry_in <= 62
    assert "batch-0001" not in server.received
    # Its worker died: once the claim lapses, the batch sends it (once).
    Notification.objects.filter(pk=held).update(
        claimed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert services.notifications_send_batch(notification_ids=ids).sent == 1
    assert sorted(server.received) == [f"batch-{k:04d}" for k in range(5)]


@pytest.mark.django_db
def test_the_task_queues_what_is_left_after_its_back_off(people, server, monkeypatch):
    ids = _pending(people["delegate-kaz"], 4)
    server.refuse = {"batch-0002": 451}
    Notification.objects.filter(subject="batch-0003").update(claimed_at=timezone.now())
    queued = []
    monkeypatch.setattr(
        send_notification_batch,
        "apply_async",
        lambda *, kwargs, countdown, **_o: queued.append((kwargs["notification_ids"], countdown)),
    )
    # Task.push_request takes any request field; the stubs name none.
    send_notification_batch.push_request(is_eager=False, retries=0)  # type: ignore[call-arg]
    try:
        send_notification_batch.run(notification_ids=ids)
    finally:
        send_notification_batch.pop_request()
    busy = Notification.objects.get(subject="batch-0002")
    held = Notification.objects.get(subject="batch-0003")
    assert queued[0] == ([busy.pk], 30)
    assert queued[1][0] == [held.pk]
    assert queued[1][1] > 60
    # The periodic re-queue leaves the busy one to its scheduled retry.
    assert busy.queued_at is not None
    assert busy.queued_at > timezone.now() + datetime.timedelta(seconds=20)
    assert len(server.received) == 2


@pytest.mark.django_db
def test_in_process_without_a_broker_the_emails_still_go(
    people, drafting, deadline, django_capture_on_commit_callbacks, eager_celery
):
    """`make run` with nothing configured: Celery eager, the batch in-process."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    rows = Notification.objects.filter(kind="circulation")
    assert rows.count() == 18
    assert rows.filter(email_status=EmailStatus.SENT, attempts=1).count() == 18
    assert len([m for m in mail.outbox if m.subject.startswith("Circulated")]) == 18


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_the_same_rows_send_each_once(people, server):
    """PostgreSQL: SKIP LOCKED and the claim keep two concurrent batches apart."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims: PostgreSQL only (SQLite has no row locks)")
    ids = _pending(people["delegate-kaz"], 300, prefix="twice")
    server.delay = 0.001
    chunks = [ids[k : k + 50] for k in range(0, len(ids), 50)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(order):
        try:
            start.wait(10)
            for chunk in order:
                services.notifications_send_batch(notification_ids=chunk)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(chunks,)),
        threading.Thread(target=worker, args=(chunks[::-1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    # Rows the other worker held are left to it; the two between them sent all.
    assert sorted(server.received) == sorted(f"twice-{k:04d}" for k in range(300))
    rows = Notification.objects.filter(pk__in=ids)
    assert rows.filter(email_status=EmailStatus.SENT, attempts=1).count() == 300
