"""The notification outbox: notifications written in the event's transaction,
their e-mails handed to Celery after commit in batches (sent once by
:mod:`.emails`: claim, send, record); the re-queue and give-up shared with
webhook deliveries; and the notices of events that the secretariat and
delegates receive.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
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
    ``EMAIL_BATCH_SIZE``: one task each (``send_notification_batch``, see
    :mod:`.emails`), not one per e-mail. If the broker is unreachable the rows
    stay pending with no ``queued_at``; the periodic re-queue sends them
    later. Returns how many were handed over."""
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
