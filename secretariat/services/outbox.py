"""The notification outbox: notifications written in the event's transaction,
their e-mails handed to Celery after commit and sent once (claim, send,
record); the re-queue and give-up shared with webhook deliveries; and the
notices of events that the secretariat and delegates receive.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cica.errors import NotFound as NotFoundError
from cica.text import single_line
from measures.models import Initiative, Paper
from members.models import Delegate, Participant
from members.rules import SECRETARIAT_GROUP
from members.selectors import digest_readers, notice_languages

from ..models import (
    EmailStatus,
    Notification,
    NotificationKind,
    Receipt,
)
from .notices import Params, absolute, notice_render, notification_links, notification_text

if TYPE_CHECKING:
    from celery import Task
    from django.contrib.auth.models import User

    from ..models import WebhookDelivery

logger = logging.getLogger(__name__)

# ``(user, subject, body, target_type, target_id)``: one notification to write.
Message: TypeAlias = "tuple[User, str, str, str, int | None]"
# ``(user, target_type, target_id)``: one recipient of a notice in their language.
Recipient: TypeAlias = "tuple[User, str, int | None]"
# The two outboxes: notifications' e-mails and webhook deliveries.
OutboxModel: TypeAlias = "type[Notification] | type[WebhookDelivery]"


def _active_delegates(*, participant_ids: Iterable[int]) -> list[tuple[User, int]]:
    """``(user, participant_id)`` for every active delegate of these participants."""
    rows = (
        Delegate.objects.filter(
            participant_id__in=list(participant_ids), is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("participant_id", "user_id")
    )
    return [(d.user, d.participant_id) for d in rows]


def _secretariat_users() -> list[User]:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=SECRETARIAT_GROUP) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def _in_their_language(
    recipients: Iterable[Recipient], build: Callable[[User], tuple[str, str]]
) -> list[Message]:
    """``notify`` messages, each written in its recipient's language (their
    preference, else their delegate record's, else the site's). ``recipients``
    are ``(user, target_type, target_id)``; ``build(user)`` returns ``(subject,
    body)`` and runs with that language active. Two queries for all the
    languages."""
    recipients = list(recipients)
    languages = notice_languages(user.pk for user, *_target in recipients)
    messages = []
    for user, target_type, target_id in recipients:
        with translation.override(languages.get(user.pk) or settings.LANGUAGE_CODE):
            subject, body = build(user)
            messages.append((user, str(subject), str(body), target_type, target_id))
    return messages


def _rendered(recipients: Iterable[Recipient], *, kind: str, params: Params) -> list[Message]:
    """``notify`` messages of a notice that is written from its parameters
    (``notices.RENDERERS``), each in its recipient's language; rendered once
    per language."""
    rendered: dict[str, tuple[str, str]] = {}

    def build(_user: User) -> tuple[str, str]:
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in rendered:
            rendered[language] = notice_render(kind=kind, params=params)
        return rendered[language]

    return _in_their_language(recipients, build)


def notify(
    *,
    kind: str,
    event_key: str,
    messages: Sequence[Message],
    url: str = "",
    params: Params | None = None,
) -> list[int]:
    """Write notifications for one event into the outbox and hand their
    e-mails to Celery once the transaction commits.

    ``messages`` are ``(user, subject, body, target_type, target_id)``. The
    idempotency key ``<event>:<user>`` is unique: writing the same event twice
    (a retried task, a repeated call) adds nothing. A rolled-back
    transaction leaves no row and queues nothing. Returns the ids of the
    notifications this call wrote. Four queries, whatever the number of
    recipients.

    ``params``, when given, are what the notice says as data (see
    ``notices``): the page and the e-mail write it again in the reader's
    language. A reader who chose the daily digest gets no e-mail now: their
    row waits for the digest (``notifications_send_digests``).
    """
    if not messages:
        return []
    digest = digest_readers(user.pk for user, *_rest in messages)
    rows = []
    for user, subject, body, target_type, target_id in messages:
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                idempotency_key=f"{event_key}:{user.pk}",
                subject=single_line(subject)[:300],
                body=str(body),
                target_type=target_type or "",
                target_id=target_id,
                url=url,
                params=params or {},
                email_status=EmailStatus.DIGEST if user.pk in digest else EmailStatus.PENDING,
            )
        )
    keys = [r.idempotency_key for r in rows]
    already = set(
        Notification.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    fresh = [r for r in rows if r.idempotency_key not in already]
    if not fresh:
        return []
    # ignore_conflicts: a concurrent writer of the same event wins, once.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = list(
        Notification.objects.filter(
            idempotency_key__in=[r.idempotency_key for r in fresh],
            email_status=EmailStatus.PENDING,
            queued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(partial(notifications_enqueue, notification_ids=ids), robust=True)
    return ids


# E-mails one task sends over one connection to the mail server: a commit's
# notifications (a circulation: 18) go as one batch; the claim's lease
# (CICA_OUTBOX_CLAIM_SECONDS) bounds how long a batch may keep sending.
EMAIL_BATCH_SIZE = 100


def notifications_enqueue(*, notification_ids: list[int]) -> int:
    """Hand e-mails to Celery (after commit), in batches of
    ``EMAIL_BATCH_SIZE``: one task each (``send_notification_batch``), not
    one per e-mail. If the broker is unreachable the rows stay pending with
    no ``queued_at``; the periodic re-queue sends them later. Returns how many
    were handed over."""
    # Imported here: secretariat.tasks imports this package (a real cycle).
    from ..tasks import send_notification_batch  # noqa: PLC0415

    handed = 0
    for start in range(0, len(notification_ids), EMAIL_BATCH_SIZE):
        batch = list(notification_ids[start : start + EMAIL_BATCH_SIZE])
        try:
            Notification.objects.filter(pk__in=batch).update(queued_at=timezone.now())
            send_notification_batch.apply_async(kwargs={"notification_ids": batch}, retry=False)
        except Exception as exc:  # broker down: the outbox keeps the rows pending
            logger.warning("Broker unavailable, %s e-mail(s) wait: %s", len(batch), exc)
            Notification.objects.filter(pk__in=batch).update(queued_at=None)
            break
        handed += len(batch)
    return handed


def _hand_over(*, ids: list[int], model: OutboxModel, task: Task[Any, Any], argument: str) -> int:
    """Queue one task per outbox row (webhook deliveries; e-mails go in
    batches, see :func:`notifications_enqueue`). On a broker failure the row
    keeps ``queued_at`` empty and the rest wait too: the periodic re-queue
    hands them over when the broker is back."""
    handed = 0
    for pk in ids:
        try:
            model.objects.filter(pk=pk).update(queued_at=timezone.now())
            task.apply_async(kwargs={argument: pk}, retry=False)
        except Exception as exc:  # broker down: the outbox keeps the row pending
            logger.warning("Broker unavailable, %s %s waits: %s", model.__name__, pk, exc)
            model.objects.filter(pk=pk).update(queued_at=None)
            break
        handed += 1
    return handed


def _outbox_requeue(
    *,
    model: OutboxModel,
    status_field: str,
    pending: str,
    older_than: datetime.timedelta | None,
    enqueue: Callable[[list[int]], int],
    **extra: object,
) -> int:
    """Hand an outbox's pending rows (e-mails or webhook deliveries) to Celery
    again: never queued (broker was down) or queued long ago without being
    sent (a lost task). A row a worker is sending now (claimed less than
    ``CICA_OUTBOX_CLAIM_SECONDS`` ago) is left alone; an older claim was left
    by a worker that died mid-send and counts as pending again. The send task
    is idempotent, so a row queued twice is still sent once."""
    if older_than is None:
        older_than = datetime.timedelta(minutes=settings.CICA_REQUEUE_AFTER_MINUTES)
    now = timezone.now()
    cutoff = now - older_than
    claim_cutoff = now - datetime.timedelta(seconds=settings.CICA_OUTBOX_CLAIM_SECONDS)
    ids = list(
        model.objects.filter(**{status_field: pending}, **extra)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff))
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim_cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    return enqueue(ids)


def _outbox_give_up(
    *, model: OutboxModel, pk: int, status_field: str, pending: str, failed: str
) -> None:
    """Mark a pending outbox row failed, for the secretariat to look at."""
    model.objects.filter(pk=pk, **{status_field: pending}).update(
        **{status_field: failed, "claimed_at": None}
    )


class OutboxClaimed(Exception):
    """Another worker is sending this row now (its claim is younger than
    ``CICA_OUTBOX_CLAIM_SECONDS``): try again once the claim may have lapsed."""

    def __init__(self, retry_in: int):
        super().__init__(f"claimed by another worker; try again in {retry_in} s")
        self.retry_in = retry_in


def _outbox_claim(row: Notification | WebhookDelivery, *, now: datetime.datetime) -> None:
    """Inside the claiming transaction (row locked): refuse a live claim, else
    take it. Committed before anything is sent, so a second worker sees it."""
    lease = datetime.timedelta(seconds=settings.CICA_OUTBOX_CLAIM_SECONDS)
    if row.claimed_at is not None and row.claimed_at > now - lease:
        raise OutboxClaimed(max(1, int((row.claimed_at + lease - now).total_seconds()) + 1))
    row.claimed_at = now
    row.save(update_fields=["claimed_at"])


def notifications_requeue(*, older_than: datetime.timedelta | None = None) -> int:
    """Re-queue e-mails still pending (see :func:`_outbox_requeue`)."""
    return _outbox_requeue(
        model=Notification,
        status_field="email_status",
        pending=EmailStatus.PENDING,
        older_than=older_than,
        enqueue=lambda ids: notifications_enqueue(notification_ids=ids),
    )


# Tries at one notification's e-mail before it is marked failed: the first
# and every retry, however it was queued (a Celery retry or the periodic
# re-queue), counted on the row so that re-queueing never starts over.
NOTIFICATION_MAX_ATTEMPTS = 9


class EmailDeliveryError(Exception):
    """The mail server failed for now; the row records it and stays pending."""

    def __init__(self, message: str, *, attempts: int = 0):
        super().__init__(message)
        self.attempts = attempts


def email_failure_is_permanent(exc: BaseException) -> bool:
    """Whether trying the same e-mail again cannot help: a header or address
    Django refuses (BadHeaderError and invalid addresses are ValueErrors), or
    the mail server's 5xx answer for the recipients or the message. A refused
    log-in (535) is the site's configuration, not the message's: retried."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def notification_send_email(*, notification_id: int) -> str:
    """Send one notification's e-mail, once, holding no lock while it is sent.

    Three steps: claim the row (a short transaction that locks it, checks it
    is still pending and not claimed, and marks it claimed), send outside any
    transaction (``EMAIL_TIMEOUT`` bounds the mail server), record the result
    in a second short transaction. A second worker given the same id (a task
    queued twice, redelivered after a worker died) finds it claimed
    (:class:`OutboxClaimed`) or sent, and does not send. A claim left by a
    worker killed mid-send lapses after ``CICA_OUTBOX_CLAIM_SECONDS``.

    A permanent failure (see :func:`email_failure_is_permanent`) or the last
    of ``NOTIFICATION_MAX_ATTEMPTS`` tries marks it failed, with the reason in
    ``last_error``, for the secretariat to see in the admin; a passing
    failure raises :class:`EmailDeliveryError` for the caller to retry.
    """
    with transaction.atomic():
        # Lock the notification only (of="self"): locking the joined user too
        # made every e-mail to one person wait for the previous one.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "missing"
        if notification.email_status != EmailStatus.PENDING:
            return f"already {notification.email_status}"
        address = notification.recipient.email
        if not address:
            notification.email_status = EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return "skipped"
        _outbox_claim(notification, now=timezone.now())
    # Committed: the claim is visible; nothing is locked while the server answers.
    subject, body = _email_text(notification)
    failure = None
    try:
        send_mail(
            # Rows written before subjects were made single-line go out too.
            single_line(subject),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    except Exception as exc:
        failure = exc
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",)).filter(pk=notification_id).first()
        )
        if notification is None:
            return "missing"
        if notification.email_status != EmailStatus.PENDING:
            return f"already {notification.email_status}"
        notification.attempts += 1
        notification.claimed_at = None
        if failure is None:
            notification.email_status = EmailStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(
                update_fields=["email_status", "sent_at", "attempts", "last_error", "claimed_at"]
            )
            if notification.target_type == "receipt" and notification.target_id:
                _receipt_delivered(receipt_id=notification.target_id, at=notification.sent_at)
            return "sent"
        notification.last_error = f"{type(failure).__name__}: {failure}"[:2000]
        fields = ["attempts", "last_error", "claimed_at"]
        if (
            email_failure_is_permanent(failure)
            or notification.attempts >= NOTIFICATION_MAX_ATTEMPTS
        ):
            notification.email_status = EmailStatus.FAILED
            fields.append("email_status")
        notification.save(update_fields=fields)
    if notification.email_status == EmailStatus.FAILED:
        logger.warning(
            "E-mail of notification %s given up after %s attempt(s): %s",
            notification_id,
            notification.attempts,
            notification.last_error,
        )
        return "failed"
    # Raised after the transaction: the attempt and its error stay recorded.
    raise EmailDeliveryError(notification.last_error, attempts=notification.attempts)


def _receipt_delivered(*, receipt_id: int, at: datetime.datetime) -> None:
    """The receipt a sent notice was about is delivered (once)."""
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update()
            .filter(pk=receipt_id, delivered_at__isnull=True)
            .first()
        )
        if receipt is not None:
            # save(), not update(): receipts are audited (simple-history).
            receipt.delivered_at = at
            receipt.save(update_fields=["delivered_at"])


def _email_text(notification: Notification) -> tuple[str, str]:
    """The e-mail of one notification, in its recipient's language now, with
    the address of the page it is about."""
    language = notice_languages([notification.recipient_id])[notification.recipient_id]
    link = notification_links([notification])[notification.pk]
    return _email_text_in(notification, language=language, link=link)


def _email_text_in(notification: Notification, *, language: str, link: str) -> tuple[str, str]:
    subject, body = notification_text(notification, language=language)
    if link:
        with translation.override(language):
            opening = _("Open: %(link)s") % {"link": absolute(link)}
        body = f"{body}\n\n{opening}"
    return subject, body


@dataclass
class EmailBatch:
    """What one batch did. ``retry`` holds the e-mails that failed for now,
    by the back-off (seconds) their attempts call for; ``claimed`` those of
    the given ids another worker holds, to look at again in ``claimed_retry_in``
    seconds (sent by then, or their worker died and its claim lapsed);
    ``released`` those claimed but not tried (the batch ran out of its lease),
    pending as before and to hand over again."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry: dict[int, list[int]] = field(default_factory=dict)
    claimed: list[int] = field(default_factory=list)
    claimed_retry_in: int = 0
    released: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        waiting = sum(len(ids) for ids in self.retry.values())
        return (
            f"sent {self.sent}, failed {self.failed}, skipped {self.skipped}, "
            f"pending {waiting + len(self.released)}, claimed elsewhere {len(self.claimed)}"
        )


def email_backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` tries: 30 s, 1 min,
    2 min … capped at an hour."""
    return int(min(3600, 30 * 2 ** max(0, attempts - 1)))


def _connection_lost(exc: BaseException) -> bool:
    """Whether the mail server's connection is gone (dropped, refused, timed
    out, or the server closing it with 421), not just this message refused."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    # SMTPException is an OSError too: only the socket's own errors count here.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def notifications_send_batch(*, notification_ids: Sequence[int]) -> EmailBatch:
    """Send the e-mails of these notifications over one connection to the
    mail server, each once, holding no lock while they are sent.

    The steps of :func:`notification_send_email`, for many rows: claim them
    in one short transaction (``SKIP LOCKED`` on PostgreSQL: rows another
    worker is claiming now are left to it, not waited for; rows with a live
    claim are another worker's), send each over the one connection, and
    record each result as soon as it is known (a worker killed mid-batch
    leaves the e-mails it sent recorded, and the rest claimed until the lease
    lapses). One message's failure is recorded on that message only: a
    permanent one marks it failed, a passing one counts an attempt and
    leaves it pending (``retry``). When the connection drops, it is opened
    again for the rest; if the server cannot be reached, each remaining
    e-mail counts the attempt (as it would have sent alone) and stays pending.
    A batch stops sending at half the claim's lease and releases the rest.
    """
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.CICA_OUTBOX_CLAIM_SECONDS)
    ids = list(dict.fromkeys(notification_ids))
    outcome = EmailBatch()
    with transaction.atomic():
        rows = list(
            # of="self": the recipients' rows stay unlocked (see notification_send_email).
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("recipient")
            .filter(pk__in=ids, email_status=EmailStatus.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - lease))
            .order_by("pk")
        )
        nowhere = [r.pk for r in rows if not r.recipient.email]
        if nowhere:
            Notification.objects.filter(pk__in=nowhere).update(email_status=EmailStatus.SKIPPED)
            outcome.skipped = len(nowhere)
        rows = [r for r in rows if r.recipient.email]
        if rows:
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_at=now)
    # Committed: the claims are visible; nothing is locked while the server answers.
    taken = {r.pk for r in rows} | set(nowhere)
    others = list(
        Notification.objects.filter(
            pk__in=[pk for pk in ids if pk not in taken], email_status=EmailStatus.PENDING
        ).values_list("pk", "claimed_at")
    )
    if others:
        outcome.claimed = [pk for pk, _claimed_at in others]
        # A row locked but not claimed was between two short transactions: soon.
        outcome.claimed_retry_in = max(
            max(1, int((at + lease - now).total_seconds()) + 1) if at else 1 for _pk, at in others
        )
    if not rows:
        return outcome
    languages = notice_languages({r.recipient_id for r in rows})
    links = notification_links(rows)
    connection = get_connection(fail_silently=False)
    unreachable: Exception | None = None
    try:
        connection.open()
    except Exception as exc:
        unreachable = exc
    with _records_committed_lazily():
        try:
            for index, row in enumerate(rows):
                if timezone.now() - now > lease / 2:
                    # Past half the lease: the rest go back before their claims
                    # lapse and another worker could take them while this one sends.
                    rest = [r.pk for r in rows[index:]]
                    Notification.objects.filter(
                        pk__in=rest, email_status=EmailStatus.PENDING, claimed_at=now
                    ).update(claimed_at=None)
                    outcome.released = rest
                    break
                failure = unreachable
                if failure is None:
                    try:
                        subject, body = _email_text_in(
                            row, language=languages[row.recipient_id], link=links[row.pk]
                        )
                        connection.send_messages(
                            [
                                EmailMessage(
                                    # Rows written before subjects were made single-line go out too.
                                    single_line(subject),
                                    body,
                                    settings.DEFAULT_FROM_EMAIL,
                                    [row.recipient.email],
                                )
                            ]
                        )
                    except Exception as exc:
                        failure = exc
                        if _connection_lost(exc):
                            with suppress(Exception):
                                connection.close()
                            try:
                                connection.open()
                            except Exception as again:
                                unreachable = again
                _batch_record(row, failure, outcome)
        finally:
            with suppress(Exception):
                connection.close()
    return outcome


@contextmanager
def _records_committed_lazily() -> Iterator[None]:
    """On PostgreSQL, outside a transaction: the batch's records commit
    without waiting for the disk (``synchronous_commit = off``); that wait
    was most of the time of an e-mail sent in a batch. A killed worker loses
    none of them (they are committed); a crash of the database server itself
    could lose the last fraction of a second of records, and those e-mails
    would go again once their claims lapse, as an e-mail sent just before
    such a crash on the one-e-mail path would."""
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _batch_record(row: Notification, failure: Exception | None, outcome: EmailBatch) -> None:
    """Record one e-mail of a batch at once, in one statement, as
    :func:`notification_send_email` records it (and only while it is still
    pending)."""
    attempts = row.attempts + 1
    pending = Notification.objects.filter(pk=row.pk, email_status=EmailStatus.PENDING)
    if failure is None:
        sent_at = timezone.now()
        recorded = pending.update(
            email_status=EmailStatus.SENT,
            sent_at=sent_at,
            attempts=attempts,
            last_error="",
            claimed_at=None,
        )
        if recorded and row.target_type == "receipt" and row.target_id:
            _receipt_delivered(receipt_id=row.target_id, at=sent_at)
        outcome.sent += 1
        return
    error = f"{type(failure).__name__}: {failure}"[:2000]
    if email_failure_is_permanent(failure) or attempts >= NOTIFICATION_MAX_ATTEMPTS:
        pending.update(
            email_status=EmailStatus.FAILED, attempts=attempts, last_error=error, claimed_at=None
        )
        logger.warning(
            "E-mail of notification %s given up after %s attempt(s): %s", row.pk, attempts, error
        )
        outcome.failed += 1
        return
    pending.update(attempts=attempts, last_error=error, claimed_at=None)
    outcome.retry.setdefault(email_backoff(attempts), []).append(row.pk)


def notification_retry_at(*, notification_id: int, countdown: int) -> None:
    """A worker will try again in ``countdown`` seconds: the periodic re-queue
    leaves the row alone until then (plus its usual delay)."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        queued_at=timezone.now() + datetime.timedelta(seconds=countdown)
    )


def notifications_retry_at(*, notification_ids: Sequence[int], countdown: int) -> None:
    """:func:`notification_retry_at` for a batch's e-mails."""
    Notification.objects.filter(pk__in=notification_ids, email_status=EmailStatus.PENDING).update(
        queued_at=timezone.now() + datetime.timedelta(seconds=countdown)
    )


def notification_give_up(*, notification_id: int) -> None:
    """Mark failed, for the secretariat to look at."""
    _outbox_give_up(
        model=Notification,
        pk=notification_id,
        status_field="email_status",
        pending=EmailStatus.PENDING,
        failed=EmailStatus.FAILED,
    )


def notification_mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Mark one (or all) of the user's own notifications read."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification is not None:
        if notification.recipient_id != user.pk:
            raise NotFoundError(_("No such notification."))
        mine = mine.filter(pk=notification.pk)
    return mine.update(read_at=timezone.now())


# --- the notices of events -----------------------------------------------------------


def notify_paper_submitted(*, paper: Paper) -> None:
    """The secretariat learns of every new paper version, each in their language."""
    params = {
        "state": paper.submitted_for.code if paper.submitted_for else "—",
        "symbol": paper.symbol,
        "version": paper.version,
        "measure": paper.initiative.measure.code,
    }
    notify(
        kind=NotificationKind.PAPER_SUBMITTED,
        event_key=f"paper:{paper.pk}",
        messages=_rendered(
            [(u, "paper", paper.pk) for u in _secretariat_users()],
            kind=NotificationKind.PAPER_SUBMITTED,
            params=params,
        ),
        url=f"/api/v1/initiatives/{paper.initiative_id}/",
        params=params,
    )


def notify_designation(
    *, initiative: Initiative, designations: list[tuple[Participant, str]]
) -> None:
    """The designated states' delegates learn of their designation, each in
    their language."""
    roles = {p.pk: role for p, role in designations}
    event_key = f"designation:{initiative.pk}:{initiative.designations.count()}"
    by_role: dict[str, list[Recipient]] = {}
    for user, participant_id in _active_delegates(participant_ids=list(roles)):
        by_role.setdefault(str(roles[participant_id]), []).append(
            (user, "initiative", initiative.pk)
        )
    for role, recipients in by_role.items():
        params = {"role": role, "ref": initiative.reference}
        notify(
            kind=NotificationKind.DESIGNATION,
            event_key=event_key,
            messages=_rendered(recipients, kind=NotificationKind.DESIGNATION, params=params),
            url=f"/api/v1/initiatives/{initiative.pk}/",
            params=params,
        )


# --- read, cleared, digested ----------------------------------------------------------


def notifications_clear(*, target_type: str, target_id: int) -> int:
    """Mark read every notice about one object (a state's receipt of a
    circulation) once it has been acted on: the state answered, so none of
    its delegates is still asked to. Runs in the acting transaction; returns
    how many were cleared."""
    return Notification.objects.filter(
        target_type=target_type, target_id=target_id, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_send_digests(*, now: datetime.datetime | None = None) -> int:
    """Periodic (daily): one e-mail per reader who chose the daily digest,
    listing their notices still unread and not yet e-mailed, each in the
    reader's language with its link. Each notice goes out once: the reader's
    rows are claimed in a short transaction (as the e-mail outbox claims a
    row) before the mail server is asked, and marked sent after; a notice
    read before its digest is not e-mailed. A failed send leaves the rows
    for the next run. Returns the number of digests sent."""
    now = now or timezone.now()
    readers = list(
        Notification.objects.filter(email_status=EmailStatus.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    for reader in readers:
        try:
            if _digest_send(recipient_id=reader, now=now):
                sent += 1
        except OutboxClaimed:
            continue  # another worker sends this reader's digest now
        except Exception as exc:  # the mail server failed: next run tries again
            logger.warning("Digest for user %s not sent, kept for the next run: %s", reader, exc)
    return sent


def _digest_send(*, recipient_id: int, now: datetime.datetime) -> bool:
    lease = datetime.timedelta(seconds=settings.CICA_OUTBOX_CLAIM_SECONDS)
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(recipient_id=recipient_id, email_status=EmailStatus.DIGEST)
            .order_by("created_at", "pk")
        )
        if any(r.claimed_at is not None and r.claimed_at > now - lease for r in rows):
            raise OutboxClaimed(int(lease.total_seconds()))
        read = [r.pk for r in rows if r.read_at is not None]
        if read:
            Notification.objects.filter(pk__in=read).update(
                email_status=EmailStatus.SKIPPED,
                last_error="read before the daily digest",
                claimed_at=None,
            )
        rows = [r for r in rows if r.read_at is None]
        if not rows:
            return False
        address = rows[0].recipient.email
        if not address:
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                email_status=EmailStatus.SKIPPED
            )
            return False
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_at=now)
    # Committed: the claim is visible; nothing is locked while the server answers.
    ids = [r.pk for r in rows]
    language = notice_languages([recipient_id])[recipient_id]
    links = notification_links(rows)
    with translation.override(language):
        subject = _("CICA: your daily digest, %(count)s unread notice(s)") % {"count": len(rows)}
        parts = []
        for row in rows:
            title, text = notification_text(row, language=language)
            link = absolute(links[row.pk])
            parts.append("\n".join(x for x in (f"* {single_line(title)}", text, link) if x))
        body = "\n\n".join(parts)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except Exception as exc:
        Notification.objects.filter(pk__in=ids, email_status=EmailStatus.DIGEST).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    Notification.objects.filter(pk__in=ids, email_status=EmailStatus.DIGEST).update(
        email_status=EmailStatus.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    receipts = [r.target_id for r in rows if r.target_type == "receipt" and r.target_id]
    with transaction.atomic():
        for receipt in Receipt.objects.select_for_update().filter(
            pk__in=receipts, delivered_at__isnull=True
        ):
            # save(), not update(): receipts are audited (simple-history).
            receipt.delivered_at = timezone.now()
            receipt.save(update_fields=["delivered_at"])
    return True
