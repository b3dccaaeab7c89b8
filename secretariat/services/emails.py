"""The e-mails of notifications: one at a time (the task of one e-mail) and
in batches (issue 18: one task sends a commit's notifications over one
connection to the mail server). Each is sent once: claimed in a short
transaction, sent outside any transaction, recorded. The outbox
(:mod:`.outbox`) writes the rows and hands them over.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cica.text import single_line
from members.selectors import notice_languages

from ..models import EmailStatus, Notification, Receipt
from .notices import absolute, notification_links, notification_text
from .outbox import _outbox_claim, _outbox_give_up

logger = logging.getLogger(__name__)


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


def email_backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` tries: 30 s, 1 min,
    2 min … capped at an hour."""
    return int(min(3600, 30 * 2 ** max(0, attempts - 1)))


def notification_retry_at(*, notification_id: int, countdown: int) -> None:
    """A worker will try again in ``countdown`` seconds: the periodic re-queue
    leaves the row alone until then (plus its usual delay)."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
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


def notifications_retry_at(*, notification_ids: Sequence[int], countdown: int) -> None:
    """:func:`notification_retry_at` for a batch's e-mails."""
    Notification.objects.filter(pk__in=notification_ids, email_status=EmailStatus.PENDING).update(
        queued_at=timezone.now() + datetime.timedelta(seconds=countdown)
    )
