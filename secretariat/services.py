"""The secretariat's writes: meetings, decisions (the consensus rule),
circulations and answers, the notification outbox, the information exchange,
webhooks, and document symbols."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cica.errors import Conflict, DomainError, Forbidden
from cica.errors import NotFound as NotFoundError
from cica.text import single_line
from cica.uploads import document_check, sha256_of
from measures.models import DesignationRole, Initiative, Paper
from measures.workflow import Outcome, Status
from members.models import Delegate, Participant, ParticipationStatus
from members.rules import SECRETARIAT_GROUP, is_secretariat

from .models import (
    Audience,
    Body,
    Circulation,
    CirculationKind,
    CoSubmitter,
    Decision,
    DecisionProcedure,
    DeliveryStatus,
    EmailStatus,
    InformationAttachment,
    InformationKind,
    InformationStatus,
    InformationSubmission,
    Meeting,
    Notification,
    NotificationKind,
    Position,
    Receipt,
    SilenceStatus,
    SymbolSequence,
    Visibility,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

DECISION_BODIES = (Body.SWG, Body.SOC)


@transaction.atomic
def symbol_next(*, prefix: str) -> str:
    """The next running number for a prefix (``CICA/SWG/DEC/2026/`` → ``…/4``).

    The sequence row is locked while it is incremented, so two decisions
    recorded at once never share a symbol.
    """
    try:
        with transaction.atomic():
            SymbolSequence.objects.get_or_create(prefix=prefix)
    except IntegrityError:
        pass  # created by a concurrent writer: use it
    seq = SymbolSequence.objects.select_for_update().get(prefix=prefix)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}{seq.last}"


def _members_on(participants: Iterable[Participant], on: datetime.date) -> dict[str, str | None]:
    ids = [p.pk for p in participants]
    statuses = dict(
        Participant.objects.with_status(on).filter(pk__in=ids).values_list("code", "status")
    )
    return statuses


@transaction.atomic
def meeting_create(
    *,
    actor,
    body: str,
    date: datetime.date,
    place: str = "",
    title: str = "",
    host: Participant | None = None,
    present: Iterable[Participant] = (),
    measure=None,
    experts: Iterable = (),
) -> Meeting:
    """Schedule or record a meeting. The secretariat keeps the calendar.

    Rule: a meeting is hosted by a state (seed: specialised meetings "dans les
    États membres ou observateurs"); those present are participants.
    """
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat schedules meetings."))
    experts = list(experts)
    present = list(dict.fromkeys(present))
    meeting_check(body=body, host=host, measure=measure, experts=experts, date=date)
    meeting_attendance_check(meeting=None, date=date, present=present)
    meeting = Meeting.objects.create(
        body=body,
        date=date,
        place=place,
        title=title,
        host=host,
        measure=measure,
        created_by=actor,
    )
    meeting.present.set(present)
    meeting.experts.set(experts)
    return meeting


def meeting_check(
    *, body: str | None, host: Participant | None, measure=None, experts=(), date=None
) -> None:
    """A meeting has a known body and, if hosted, is hosted by a state
    (specialised meetings "dans les États membres ou observateurs"). A
    specialised meeting examines one measure, with experts designated for it."""
    if body not in Body.values:
        raise DomainError(_("Unknown body %(body)r.") % {"body": body})
    if host is not None and (host.kind != "state" or host.status_on(date) is None):
        raise DomainError(_("A meeting is hosted by a member or observer state."))
    if body == Body.SPECIALISED and measure is None:
        raise DomainError(_("A specialised meeting examines a measure: name it."))
    for expert in experts:
        if measure is not None and expert.measure_id != measure.pk:
            raise DomainError(
                _("%(name)s is designated for %(code)s, not this meeting's measure.")
                % {"name": expert.name, "code": expert.measure.code}
            )
        if date is not None and not expert.active_on(date):
            raise DomainError(
                _("%(name)s is not designated on %(date)s.") % {"name": expert.name, "date": date}
            )


@transaction.atomic
def meeting_set_present(*, actor, meeting: Meeting, present: Iterable[Participant]) -> Meeting:
    """Record or correct who attended (the basis of the consensus check): a
    meeting scheduled without the states present could otherwise never carry
    a decision (issue 13 item 6). The secretariat only; each change is kept
    in the meeting's history (simple-history follows ``present``)."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat records attendance."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    present = list(dict.fromkeys(present))
    meeting_attendance_check(meeting=meeting, date=meeting.date, present=present)
    meeting.present.set(present)
    return meeting


def meeting_attendance_check(
    *, meeting: Meeting | None, date: datetime.date | None, present: Iterable[Participant]
) -> None:
    """Those present are member or observer states or organisations on the
    meeting's date; a state that objected to a decision recorded at the
    meeting stays recorded as present (its objection rests on it)."""
    present = list(present)
    if date is not None:
        statuses = dict(
            Participant.objects.with_status(date)
            .filter(pk__in=[p.pk for p in present])
            .values_list("pk", "status")
        )
        outside = sorted(p.code for p in present if not statuses.get(p.pk))
        if outside:
            raise DomainError(
                _("%(codes)s did not take part in CICA on %(date)s.")
                % {"codes": ", ".join(outside), "date": date}
            )
    if meeting is None or meeting.pk is None:
        return
    kept = {p.pk for p in present}
    objected = sorted(
        {
            code
            for pk, code in Participant.objects.filter(objections__meeting=meeting).values_list(
                "pk", "code"
            )
            if pk not in kept
        }
    )
    if objected:
        raise Conflict(
            _(
                "%(codes)s objected to a decision recorded at this meeting and stays recorded "
                "as present."
            )
            % {"codes": ", ".join(objected)}
        )


def decision_check(
    *,
    body: str,
    meeting: Meeting | None,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
    silence: Circulation | None = None,
) -> list[Participant]:
    """The consensus rule (DESIGN §3; seed: "le principe du consensus").

    Decisions are taken by consensus of the member states present: an
    approval stands only if no member state present objects. Observers may be
    present but never object or block. Under silence procedure there is no
    meeting: the draft is adopted when no member state objected by the
    deadline. Raises a :class:`DomainError` with the reason; returns the
    objecting member states.
    """
    if body not in DECISION_BODIES:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))
    if outcome not in Outcome.values:
        raise DomainError(_("Unknown outcome %(outcome)r.") % {"outcome": outcome})
    objecting = list(dict.fromkeys(objecting))
    if meeting is None:
        if silence is None:
            raise DomainError(_("Name the meeting at which the decision was taken."))
        if silence.silence_status != SilenceStatus.PENDING or silence.body != body:
            raise Conflict(_("This silence procedure is not running."))
        if outcome != Outcome.APPROVED or objecting:
            raise DomainError(_("Silence adopts a draft decision only when nobody objects."))
        if silence.receipts.filter(position=Position.OBJECTION).exists():
            raise Conflict(_("A member state objected: the silence was broken."))
        return []
    if meeting.body != body:
        raise DomainError(
            _("This decision is the %(body)s's, but the meeting is of the %(other)s.")
            % {"body": Body(body).label, "other": meeting.get_body_display()}
        )
    if meeting.date > timezone.localdate():
        raise DomainError(
            _("The meeting of %(date)s has not taken place yet.") % {"date": meeting.date}
        )
    present = set(meeting.present.values_list("pk", flat=True))
    statuses = _members_on([*objecting], meeting.date)
    present_members = Participant.objects.with_status_in(
        ParticipationStatus.MEMBER, meeting.date
    ).filter(pk__in=present)
    if not present_members.exists():
        raise DomainError(_("No member state is recorded as present at this meeting."))
    for state in objecting:
        if statuses.get(state.code) != ParticipationStatus.MEMBER:
            raise DomainError(
                _("%(code)s is not a member state: observers take no part in decisions.")
                % {"code": state.code}
            )
        if state.pk not in present:
            raise DomainError(
                _("%(code)s was not present at the meeting and cannot object.")
                % {"code": state.code}
            )
    if outcome == Outcome.APPROVED and objecting:
        raise DomainError(
            _(
                "No consensus: %(codes)s objected. An approval needs no objection from "
                "the member states present; record 'no consensus' instead."
            )
            % {"codes": ", ".join(s.code for s in objecting)}
        )
    if outcome == Outcome.NO_CONSENSUS and not objecting:
        raise DomainError(_("'No consensus' needs at least one objecting member state."))
    if outcome in (Outcome.RETURNED, Outcome.REJECTED) and not text.strip():
        raise DomainError(_("Give the reasons in the decision's text."))
    return objecting


def decision_meeting_exists(*, body: str) -> bool:
    """Whether a decision of ``body`` can be recorded at a meeting now: one has
    taken place with at least one state present that was a member state on
    its date (what :func:`decision_check` asks of the meeting named)."""
    from django.db.models import Exists, OuterRef

    from members.models import Participation

    member_then = Participation.objects.in_force(OuterRef("meeting__date")).filter(
        participant_id=OuterRef("participant_id"), status=ParticipationStatus.MEMBER
    )
    return (
        Meeting.present.through.objects.filter(
            meeting__body=body, meeting__date__lte=timezone.localdate()
        )
        .filter(Exists(member_then))
        .exists()
    )


def decision_create(
    *,
    actor,
    body: str,
    meeting: Meeting | None,
    initiative: Initiative,
    paper: Paper | None,
    outcome: str,
    text: str,
    objecting: Iterable[Participant],
    silence: Circulation | None = None,
) -> Decision:
    """Write a decision after :func:`decision_check` and notify it. Called by
    the initiative transition that records it, inside its transaction."""
    objecting = decision_check(
        body=body,
        meeting=meeting,
        outcome=outcome,
        text=text,
        objecting=objecting,
        silence=silence,
    )
    if meeting is not None and paper is not None:
        earlier = Decision.objects.filter(meeting=meeting, paper=paper).first()
        if earlier is not None:
            raise Conflict(
                _(
                    "%(decision)s already decided on %(symbol)s at this meeting: one meeting "
                    "takes one decision per paper."
                )
                % {"decision": earlier.symbol, "symbol": paper.symbol}
            )
    year = meeting.date if meeting else timezone.localdate()
    symbol = symbol_next(prefix=f"CICA/{body.upper()}/DEC/{year:%Y}/")
    decision = Decision.objects.create(
        body=body,
        procedure=DecisionProcedure.SILENCE if meeting is None else DecisionProcedure.MEETING,
        meeting=meeting,
        initiative=initiative,
        paper=paper,
        outcome=outcome,
        text=text,
        symbol=symbol,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    decision.objecting.set(objecting)
    if silence is not None:
        # The circulation that adopted it and the decision point at each other.
        silence.silence_status = SilenceStatus.ADOPTED
        silence.decision = decision
        silence.save(update_fields=["silence_status", "decision"])
    notify_decision(decision=decision)
    return decision


def circulation_create(
    *,
    actor,
    initiative: Initiative,
    paper: Paper | None,
    deadline: datetime.date,
    audience: str,
    kind: str = CirculationKind.PAPER,
    body: str = "",
    draft_text: str = "",
    silence: bool = False,
    notice=None,
) -> Circulation:
    """Circulate a paper (or a draft decision) with a comment deadline: one
    receipt per addressed participant and one notification per active
    delegate of each, written in this transaction in a fixed number of
    queries whatever the number of states and delegates. The e-mails leave
    after commit (``notify``). ``notice(circulation)``, when given, returns the
    notice's ``(subject, text)`` and is called in each recipient's language."""
    if audience not in Audience.values:
        raise DomainError(_("Unknown audience %(audience)r.") % {"audience": audience})
    today = timezone.localdate()
    if deadline < today:
        raise DomainError(_("The comment deadline cannot be in the past."))
    if deadline > today + datetime.timedelta(days=365):
        raise DomainError(_("The comment deadline must be within a year."))
    reference = symbol_next(prefix=f"CICA/CIRC/{today:%Y}/")
    circulation = Circulation(
        kind=kind,
        initiative=initiative,
        paper=paper,
        reference=reference,
        audience=audience,
        deadline=deadline,
        circulated_by=actor if getattr(actor, "pk", None) else None,
        body=body,
        draft_text=draft_text,
        silence_status=SilenceStatus.PENDING if silence else SilenceStatus.NONE,
    )
    circulation.save()
    what = paper.symbol if paper else _("a draft decision")
    subject = _("Circulated for comments: %(what)s (%(ref)s), deadline %(deadline)s") % {
        "what": what,
        "ref": reference,
        "deadline": deadline,
    }
    text = _(
        "The secretariat has circulated %(what)s on %(measure)s. Your state's answer is "
        "awaited by %(deadline)s."
    ) % {"what": what, "measure": initiative.measure.code, "deadline": deadline}
    _fan_out(
        circulation=circulation,
        actor=actor,
        kind=NotificationKind.SILENCE if silence else NotificationKind.CIRCULATION,
        subject=subject,
        text=text,
        notice=notice,
    )
    return circulation


def _language_of(user) -> str:
    """The language a delegate reads notices in (the site's when not chosen)."""
    delegate = getattr(user, "delegate", None)
    return (delegate.language if delegate else "") or settings.LANGUAGE_CODE


def _fan_out(
    *, circulation: Circulation, actor, kind: str, subject: str, text: str, notice=None
) -> None:
    """One receipt per addressed participant and one notification per active
    delegate of each, in a fixed number of queries. With ``notice``, each
    delegate's copy is written in their language."""
    today = timezone.localdate()
    statuses = [ParticipationStatus.MEMBER]
    if circulation.audience == Audience.MEMBERS_AND_OBSERVERS:
        statuses.append(ParticipationStatus.OBSERVER)
    addressed = list(
        Participant.objects.with_status(today).filter(status__in=statuses).order_by("code")
    )
    receipts = bulk_create_with_history(
        [Receipt(circulation=circulation, participant=p) for p in addressed],
        Receipt,
        default_user=actor if getattr(actor, "pk", None) else None,
    )
    if any(r.pk is None for r in receipts):  # backends that return no ids
        receipts = list(circulation.receipts.all())
    by_participant = {r.participant_id: r for r in receipts}
    delegates = _active_delegates(participant_ids=list(by_participant))
    rendered: dict[str, tuple[str, str]] = {}
    messages = []
    for user, participant_id in delegates:
        words = (subject, text)
        if notice is not None:
            language = _language_of(user)
            if language not in rendered:
                with translation.override(language):
                    rendered[language] = notice(circulation)
            words = rendered[language]
        messages.append((user, *words, "receipt", by_participant[participant_id].pk))
    notify(
        kind=kind,
        event_key=f"circulation:{circulation.pk}",
        messages=messages,
        url=f"/api/v1/circulations/{circulation.pk}/",
    )


# --- the outbox ---------------------------------------------------------------------


def _active_delegates(*, participant_ids: Iterable[int]) -> list[tuple]:
    """``(user, participant_id)`` for every active delegate of these participants."""
    rows = (
        Delegate.objects.filter(
            participant_id__in=list(participant_ids), is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("participant_id", "user_id")
    )
    return [(d.user, d.participant_id) for d in rows]


def _secretariat_users():
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=SECRETARIAT_GROUP) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def notify(
    *,
    kind: str,
    event_key: str,
    messages: list[tuple],
    url: str = "",
) -> list[int]:
    """Write notifications for one event into the outbox and hand their
    e-mails to Celery once the transaction commits.

    ``messages`` are ``(user, subject, body, target_type, target_id)``. The
    idempotency key ``<event>:<user>`` is unique: writing the same event twice
    (a retried task, a repeated call) adds nothing. A rolled-back
    transaction leaves no row and queues nothing. Returns the ids of the
    notifications this call wrote. Three queries, whatever the number of
    recipients.
    """
    if not messages:
        return []
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


def notifications_enqueue(*, notification_ids: list[int]) -> int:
    """Hand e-mails to Celery (after commit). If the broker is unreachable the
    rows stay pending with no ``queued_at``; the periodic re-queue sends them
    later. Returns how many were handed over."""
    from .tasks import send_notification_email

    return _hand_over(
        ids=notification_ids,
        model=Notification,
        task=send_notification_email,
        argument="notification_id",
    )


def _hand_over(*, ids: list[int], model, task, argument: str) -> int:
    """Queue one task per outbox row (notification or webhook delivery). On a
    broker failure the row keeps ``queued_at`` empty and the rest wait too:
    the periodic re-queue hands them over when the broker is back."""
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


def _outbox_requeue(*, model, status_field: str, pending: str, older_than, enqueue, **extra) -> int:
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


def _outbox_give_up(*, model, pk: int, status_field: str, pending: str, failed: str) -> None:
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


def _outbox_claim(row, *, now) -> None:
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
    import smtplib

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
    failure = None
    try:
        send_mail(
            # Rows written before subjects were made single-line go out too.
            single_line(notification.subject),
            notification.body,
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
                receipt = (
                    Receipt.objects.select_for_update()
                    .filter(pk=notification.target_id, delivered_at__isnull=True)
                    .first()
                )
                if receipt is not None:
                    # save(), not update(): receipts are audited (simple-history).
                    receipt.delivered_at = notification.sent_at
                    receipt.save(update_fields=["delivered_at"])
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


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one (or all) of the user's own notifications read."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification is not None:
        if notification.recipient_id != user.pk:
            raise NotFoundError(_("No such notification."))
        mine = mine.filter(pk=notification.pk)
    return mine.update(read_at=timezone.now())


# --- events that notify -------------------------------------------------------------


def notify_paper_submitted(*, paper: Paper) -> None:
    """The secretariat learns of every new paper version."""
    subject = _("Paper submitted: %(symbol)s") % {"symbol": paper.symbol}
    body = _("%(state)s submitted %(symbol)s (version %(version)s) on %(measure)s.") % {
        "state": paper.submitted_for.code if paper.submitted_for else "—",
        "symbol": paper.symbol,
        "version": paper.version,
        "measure": paper.initiative.measure.code,
    }
    notify(
        kind=NotificationKind.PAPER_SUBMITTED,
        event_key=f"paper:{paper.pk}",
        messages=[(u, subject, body, "paper", paper.pk) for u in _secretariat_users()],
        url=f"/api/v1/initiatives/{paper.initiative_id}/",
    )


def notify_designation(*, initiative: Initiative, designations: list) -> None:
    """The designated states' delegates learn of their designation."""
    roles = {p.pk: role for p, role in designations}
    messages = []
    for user, participant_id in _active_delegates(participant_ids=list(roles)):
        role = DesignationRole(roles[participant_id]).label
        subject = _("Designated %(role)s of %(ref)s") % {"role": role, "ref": initiative.reference}
        body = _(
            "Your state is designated %(role)s of %(ref)s; the Chair asks the "
            "coordinators to draft a concept paper."
        ) % {"role": role, "ref": initiative.reference}
        messages.append((user, subject, body, "initiative", initiative.pk))
    notify(
        kind=NotificationKind.DESIGNATION,
        event_key=f"designation:{initiative.pk}:{initiative.designations.count()}",
        messages=messages,
        url=f"/api/v1/initiatives/{initiative.pk}/",
    )


def notify_decision(*, decision: Decision) -> None:
    """Delegates of the interested and coordinator states learn of a decision;
    for an SOC decision, every member state's."""
    initiative = decision.initiative
    if decision.body == Body.SOC:
        ids = Participant.objects.with_status_in(ParticipationStatus.MEMBER).values_list(
            "pk", flat=True
        )
    else:
        ids = set(initiative.declarations.values_list("participant_id", flat=True)) | set(
            initiative.designations.filter(ended_on__isnull=True).values_list(
                "participant_id", flat=True
            )
        )
    subject = _("%(body)s decision on %(ref)s: %(outcome)s") % {
        "body": decision.get_body_display(),
        "ref": initiative.reference,
        "outcome": decision.get_outcome_display(),
    }
    body = f"{decision.symbol}\n\n{decision.text}".strip()
    if decision.outcome in (Outcome.RETURNED, Outcome.NO_CONSENSUS):
        body += "\n\n" + _(
            "The paper goes back to its coordinators for a revised version, which will be "
            "circulated again."
        )
    objecting = sorted(p.code for p in decision.objecting.all())
    if objecting:
        body += "\n" + _("Objected: %(codes)s.") % {"codes": ", ".join(objecting)}
    if decision.procedure == DecisionProcedure.SILENCE and decision.adopted_under:
        body += "\n" + _("Adopted by silence procedure (%(ref)s): no member state objected.") % {
            "ref": decision.adopted_under.reference
        }
    notify(
        kind=NotificationKind.DECISION,
        event_key=f"decision:{decision.pk}",
        messages=[
            (u, subject, body, "decision", decision.pk)
            for u, _pid in _active_delegates(participant_ids=list(ids))
        ],
        url=f"/api/v1/decisions/{decision.pk}/",
    )


# --- answers ------------------------------------------------------------------------


def _own_receipt(actor, circulation: Circulation) -> Receipt:
    """The receipt of the state the actor acts for; a delegate answers for
    their own state only, and a circulation not addressed to it is not theirs."""
    from members.rules import acting_for

    participant = acting_for(actor)
    if participant is None:
        raise Forbidden(_("Only a delegate answers a circulation, for their own state."))
    receipt = (
        Receipt.objects.select_for_update()
        .select_related("participant")
        .filter(circulation=circulation, participant=participant)
        .first()
    )
    if receipt is None:
        raise NotFoundError(
            _("%(ref)s was not addressed to %(code)s.")
            % {"ref": circulation.reference, "code": participant.code}
        )
    return receipt


@transaction.atomic
def receipt_mark_read(*, actor, circulation: Circulation) -> Receipt | None:
    """Record the first reading by a delegate of the addressed state (once)."""
    from members.rules import acting_for

    participant = acting_for(actor)
    if participant is None:
        return None
    receipt = (
        Receipt.objects.select_for_update()
        .filter(circulation=circulation, participant=participant, first_read_at__isnull=True)
        .first()
    )
    if receipt is not None:
        receipt.first_read_at = timezone.now()
        receipt.first_read_by = actor
        receipt.save(update_fields=["first_read_at", "first_read_by"])
    return receipt


@transaction.atomic
def receipt_acknowledge(*, actor, circulation: Circulation) -> Receipt:
    """A delegate acknowledges receipt for their state (members and observers)."""
    receipt = _own_receipt(actor, circulation)
    now = timezone.now()
    changed = []
    if receipt.first_read_at is None:
        receipt.first_read_at, receipt.first_read_by = now, actor
        changed += ["first_read_at", "first_read_by"]
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor
        changed += ["acknowledged_at", "acknowledged_by"]
    if changed:
        receipt.save(update_fields=changed)
    return receipt


@transaction.atomic
def receipt_answer(*, actor, circulation: Circulation, position: str, text: str = "") -> Receipt:
    """A member state's position on a circulation, changeable until the
    deadline; every change is kept in the receipt's history. Observers take
    no part in decisions: they acknowledge, they do not take positions.

    On a draft decision under silence procedure, an objection breaks the
    silence and records the state that broke it.
    """
    from members.rules import acting_for

    if position not in Position.values:
        raise DomainError(_("Unknown position %(position)r.") % {"position": position})
    circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
    receipt = _own_receipt(actor, circulation)
    if circulation.kind == CirculationKind.INFORMATION:
        raise Conflict(_("Disseminated information is acknowledged, not answered."))
    if acting_for(actor).status_on() != ParticipationStatus.MEMBER:
        raise Forbidden(_("Observers acknowledge circulations; only member states take positions."))
    if circulation.deadline and timezone.localdate() > circulation.deadline:
        raise Conflict(
            _("The deadline (%(deadline)s) has passed: positions can no longer change.")
            % {"deadline": circulation.deadline}
        )
    if (
        position in (Position.COMMENT, Position.OBJECTION, Position.RESERVATION)
        and not text.strip()
    ):
        raise DomainError(
            _("Give the text that goes with “%(position)s”.")
            % {"position": Position(position).label}
        )
    now = timezone.now()
    receipt.position, receipt.position_text = position, text
    receipt.position_at, receipt.position_by = now, actor
    if receipt.first_read_at is None:
        receipt.first_read_at, receipt.first_read_by = now, actor
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor
    receipt.save()
    if position == Position.OBJECTION and circulation.silence_status == SilenceStatus.PENDING:
        _silence_break(circulation=circulation, receipt=receipt)
    return receipt


# --- silence procedure (extension) -------------------------------------------------


@transaction.atomic
def silence_procedure_start(
    *, actor, initiative: Initiative, body: str, draft_text: str, deadline: datetime.date
) -> Circulation:
    """Circulate a draft decision of the SWG or the SOC under silence
    procedure: adopted by consensus when no member state objects by the
    deadline (an extension of the seed's consensus rule). The initiative must
    be before that body."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat starts a silence procedure."))
    if body not in DECISION_BODIES:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))
    if not draft_text.strip():
        raise DomainError(_("Give the text of the draft decision."))
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expected = {Body.SWG: "swg_review", Body.SOC: "soc_review"}[body]
    if initiative.status != expected:
        raise Conflict(
            _(
                "The initiative is at “%(status)s”: a %(body)s draft decision needs it at "
                "“%(expected)s”."
            )
            % {
                "status": initiative.get_status_display(),
                "body": Body(body).label,
                "expected": Status(expected).label,
            }
        )
    if initiative.circulations.filter(silence_status=SilenceStatus.PENDING).exists():
        raise Conflict(_("A silence procedure is already running on this initiative."))
    paper = initiative.papers.order_by("-version").first()
    circulation = circulation_create(
        actor=actor,
        initiative=initiative,
        paper=paper,
        deadline=deadline,
        audience=Audience.MEMBERS,
        kind=CirculationKind.DRAFT_DECISION,
        body=body,
        draft_text=draft_text,
        silence=True,
        notice=silence_notice,
    )
    _silence_on_timeline(
        circulation=circulation,
        kind="silence_started",
        actor=actor,
        reason=draft_text,
        details={"body": body, "deadline": deadline.isoformat()},
    )
    return circulation


def silence_deadline_zone(day: datetime.date) -> str:
    """The time zone a silence deadline runs in, with its offset on that day
    ("Asia/Almaty, UTC+05:00"): the procedure closes after 23:59 there."""
    end = datetime.datetime.combine(
        day, datetime.time(23, 59), tzinfo=timezone.get_default_timezone()
    )
    offset = end.strftime("%z")
    return f"{settings.TIME_ZONE}, UTC{offset[:3]}:{offset[3:]}"


def silence_notice(circulation: Circulation) -> tuple[str, str]:
    """The notice of a draft decision under silence procedure, in the active
    language: what it is, the draft itself, the deadline with its time zone,
    and that silence means consent (DESIGN §3)."""
    initiative = circulation.initiative
    values = {
        "body": Body(circulation.body).label,
        "ref": initiative.reference,
        "measure": initiative.measure.title,
        "circulation": circulation.reference,
        "deadline": date_format(circulation.deadline, "DATE_FORMAT"),
        "zone": silence_deadline_zone(circulation.deadline),
        "draft": circulation.draft_text.strip(),
    }
    subject = (
        _(
            "Silence procedure: draft decision of the %(body)s on %(ref)s, "
            "objections by %(deadline)s (%(circulation)s)"
        )
        % values
    )
    text = (
        _(
            "A draft decision of the %(body)s on %(ref)s (%(measure)s) is circulated under "
            "silence procedure (%(circulation)s).\n\n"
            "Draft decision:\n“%(draft)s”\n\n"
            "Deadline: %(deadline)s, 23:59 (%(zone)s).\n\n"
            "A member state that does not object by then is taken to agree: the draft "
            "decision is then adopted by consensus, without a meeting. To object, answer "
            "%(circulation)s with the position “Objection” and your reasons before the "
            "deadline."
        )
        % values
    )
    return subject, text


def _silence_on_timeline(
    *, circulation: Circulation, kind: str, actor=None, acting_for=None, reason="", details=None
) -> None:
    from measures.services import initiative_note

    initiative_note(
        initiative=circulation.initiative,
        kind=kind,
        actor=actor,
        acting_for=acting_for,
        reason=reason,
        details={"circulation": circulation.reference, **(details or {})},
    )


def _silence_break(*, circulation: Circulation, receipt: Receipt) -> None:
    circulation.silence_status = SilenceStatus.BROKEN
    circulation.silence_broken_by = receipt.participant
    circulation.silence_broken_at = timezone.now()
    circulation.save(update_fields=["silence_status", "silence_broken_by", "silence_broken_at"])
    _silence_on_timeline(
        circulation=circulation,
        kind="silence_broken",
        actor=receipt.position_by,
        acting_for=receipt.participant,
        reason=receipt.position_text,
    )
    subject = _("Silence broken by %(code)s: %(ref)s") % {
        "code": receipt.participant.code,
        "ref": circulation.reference,
    }
    notify(
        kind=NotificationKind.SILENCE_BROKEN,
        event_key=f"silence-broken:{circulation.pk}",
        messages=[
            (u, subject, receipt.position_text, "circulation", circulation.pk)
            for u in _secretariat_users()
        ],
        url=f"/api/v1/circulations/{circulation.pk}/",
    )


def silence_procedures_close(*, today: datetime.date | None = None) -> list[str]:
    """Periodic: every silence procedure whose deadline has passed with no
    member state objecting is recorded as a decision adopted by consensus.
    Each is closed in its own transaction, under a row lock, once."""
    from measures.services import initiative_record_decision

    today = today or timezone.localdate()
    closed = []
    due = Circulation.objects.filter(
        silence_status=SilenceStatus.PENDING, deadline__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            circulation = Circulation.objects.select_for_update().get(pk=pk)
            if circulation.silence_status != SilenceStatus.PENDING:
                continue
            try:
                _initiative, event = initiative_record_decision(
                    actor=None,
                    initiative=circulation.initiative,
                    body=circulation.body,
                    meeting=None,
                    outcome=Outcome.APPROVED,
                    text=circulation.draft_text,
                    silence_circulation=circulation,
                )
            except DomainError as refused:
                logger.warning(
                    "Silence procedure %s not closed: %s", circulation.reference, refused.message
                )
                continue
            # decision_create marked the circulation adopted and linked the decision.
            _silence_on_timeline(
                circulation=circulation,
                kind="silence_closed",
                reason=circulation.draft_text,
                details={"decision": event.details["decision"], "body": circulation.body},
            )
            closed.append(circulation.reference)
    return closed


# --- reminders and deadline summaries ------------------------------------------------


def circulations_send_reminders(*, today: datetime.date | None = None) -> int:
    """Periodic: a reminder, once, to every member state that has not given
    its position when a deadline is ``CICA_REMINDER_DAYS_BEFORE`` days away
    or nearer (and not yet passed)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE)
    sent = 0
    circulations = Circulation.objects.filter(deadline__gte=today, deadline__lte=horizon)
    for circulation in circulations.select_related("paper", "initiative__measure"):
        with transaction.atomic():
            waiting = Receipt.objects.filter(circulation=circulation, position="").filter(
                participant__in=Participant.objects.with_status_in(
                    ParticipationStatus.MEMBER, today
                )
            )
            by_participant = dict(waiting.values_list("participant_id", "pk"))
            if not by_participant:
                continue
            subject = _("Reminder: your position on %(ref)s is due by %(deadline)s") % {
                "ref": circulation.reference,
                "deadline": circulation.deadline,
            }
            body = _("Your state has not yet answered %(ref)s on %(measure)s.") % {
                "ref": circulation.reference,
                "measure": circulation.initiative.measure.code,
            }
            messages = [
                (user, subject, body, "receipt", by_participant[pid])
                for user, pid in _active_delegates(participant_ids=list(by_participant))
            ]
            sent += len(
                notify(
                    kind=NotificationKind.REMINDER,
                    event_key=f"reminder:{circulation.pk}",
                    messages=messages,
                    url=f"/api/v1/circulations/{circulation.pk}/",
                )
            )
    return sent


def circulations_summarise_deadlines(*, today: datetime.date | None = None) -> list[str]:
    """Periodic: when a deadline has passed, the secretariat gets one summary
    of who answered what (and who did not)."""
    today = today or timezone.localdate()
    done = []
    due = Circulation.objects.filter(deadline__lt=today, summary_sent_at__isnull=True)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            circulation = Circulation.objects.select_for_update().get(pk=pk)
            if circulation.summary_sent_at is not None:
                continue
            lines = []
            for receipt in circulation.receipts.select_related("participant").order_by(
                "participant__code"
            ):
                answer = receipt.get_position_display() if receipt.position else _("no answer")
                if not receipt.position and receipt.acknowledged_at:
                    answer = _("acknowledged, no position")
                lines.append(f"{receipt.participant.code}: {answer}")
            subject = _("Deadline passed: %(ref)s — %(n)s of %(total)s answered") % {
                "ref": circulation.reference,
                "n": sum(1 for line in lines if not line.endswith(str(_("no answer")))),
                "total": len(lines),
            }
            notify(
                kind=NotificationKind.DEADLINE_SUMMARY,
                event_key=f"deadline:{circulation.pk}",
                messages=[
                    (u, subject, "\n".join(lines), "circulation", circulation.pk)
                    for u in _secretariat_users()
                ],
                url=f"/api/v1/circulations/{circulation.pk}/",
            )
            circulation.summary_sent_at = timezone.now()
            circulation.save(update_fields=["summary_sent_at"])
            done.append(circulation.reference)
    return done


def circulation_all_answered(circulation: Circulation) -> bool:
    """Every addressed member state has given a position."""
    members = Participant.objects.with_status_in(ParticipationStatus.MEMBER)
    return not circulation.receipts.filter(participant__in=members, position="").exists()


# --- the information exchange ---------------------------------------------------------

# PostgreSQL text-search configurations for our languages; 'simple' (no
# stemming) is added for every text so a word in any language matches.
SEARCH_CONFIG = {"en": "english", "fr": "french", "ru": "russian"}


def _information_index(submission: InformationSubmission) -> None:
    """Keep the full-text vector in step (PostgreSQL; SQLite searches with LIKE)."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    stemmed = SEARCH_CONFIG.get(submission.language, "simple")
    vector = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("text", weight="B", config="simple")
        + SearchVector("title", "text", weight="C", config=stemmed)
    )
    InformationSubmission.objects.filter(pk=submission.pk).update(search_vector=vector)


@transaction.atomic
def information_submit(
    *,
    actor,
    title: str,
    text: str,
    kind: str,
    language: str,
    visibility: str,
    measures: Iterable,
    co_submitters: Iterable[Participant] = (),
    attachments: Iterable = (),
    submitted_for: Participant | None = None,
) -> InformationSubmission:
    """A member state (or a group of member states) submits information on
    agreed measures to the secretariat for dissemination (seed, introduction
    of the cooperative approach). A delegate submits for their own state;
    each co-submitting state confirms through its own delegate."""
    from members.rules import acting_for

    lead = acting_for(actor)
    if lead is None or lead.status_on() != ParticipationStatus.MEMBER:
        raise Forbidden(_("Only a member state's delegate submits information, for their state."))
    if submitted_for is not None and submitted_for != lead:
        raise Forbidden(
            _("You act for %(own)s and cannot submit for %(other)s.")
            % {"own": lead.code, "other": submitted_for.code}
        )
    measures = list(measures)
    if not measures:
        raise DomainError(_("Name the measures the information concerns."))
    if not title.strip() or not text.strip():
        raise DomainError(_("Give a title and a text."))
    if kind not in InformationKind.values:
        raise DomainError(_("Unknown kind %(kind)r.") % {"kind": kind})
    if visibility not in Visibility.values:
        raise DomainError(_("Unknown visibility %(v)r.") % {"v": visibility})
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language %(lang)r.") % {"lang": language})
    co_submitters = [p for p in dict.fromkeys(co_submitters) if p != lead]
    for state in co_submitters:
        if state.status_on() != ParticipationStatus.MEMBER:
            raise DomainError(
                _("%(code)s is not a member state: only member states submit information.")
                % {"code": state.code}
            )
    checked = [(upload, *document_check(upload)) for upload in attachments]
    submission = InformationSubmission.objects.create(
        reference=symbol_next(prefix=f"CICA/INF/{timezone.localdate():%Y}/"),
        kind=kind,
        title=title.strip(),
        text=text,
        language=language,
        visibility=visibility,
        submitted_for=lead,
        submitted_by=actor,
    )
    submission.measures.set(measures)
    for state in co_submitters:
        CoSubmitter.objects.create(submission=submission, participant=state)
    stored = []
    try:
        for upload, extension, mime in checked:
            attachment = InformationAttachment(
                submission=submission,
                original_name=(upload.name or "attachment")[:255],
                content_type=mime,
                size=upload.size,
                sha256=sha256_of(upload),
            )
            attachment.file.save(f"attachment.{extension}", upload, save=False)
            stored.append(attachment.file.name)
            attachment.save()
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    _information_index(submission)
    subject = _("Information submitted: %(ref)s %(title)s") % {
        "ref": submission.reference,
        "title": submission.title,
    }
    notify(
        kind=NotificationKind.INFORMATION_SUBMITTED,
        event_key=f"information-submitted:{submission.pk}",
        messages=[
            (u, subject, submission.text[:2000], "information", submission.pk)
            for u in _secretariat_users()
        ],
        url=f"/api/v1/information/{submission.pk}/",
    )
    if co_submitters:
        due = information_confirm_by(submission)

        def ask(_user):
            values = _co_values(submission, due=due)
            return (
                _(
                    "%(lead)s names your state as co-submitting %(ref)s: "
                    "please confirm or decline by %(date)s."
                )
                % values,
                _(
                    "%(lead)s names your state as co-submitting “%(title)s” (%(ref)s) to the "
                    "CICA secretariat for dissemination. It is disseminated in your state's "
                    "name only if a delegate of your state confirms. Please confirm, or decline "
                    "with a reason, by %(date)s on its page: %(page)s"
                )
                % values,
            )

        notify(
            kind=NotificationKind.CONFIRMATION_REQUESTED,
            event_key=f"information-confirm:{submission.pk}",
            messages=_in_their_language(
                [u for u, _pid in _active_delegates(participant_ids=[p.pk for p in co_submitters])],
                ask,
                submission,
            ),
            url=f"/api/v1/information/{submission.pk}/",
        )
    return submission


# --- co-submission: confirm, decline, remove, remind (issue 13 item 13) ---------------


def information_confirm_by(submission: InformationSubmission) -> datetime.date:
    """The date by which the states named as co-submitting should answer:
    ``CICA_CO_SUBMISSION_DAYS`` after the submission."""
    submitted = timezone.localdate(submission.submitted_at or timezone.now())
    return submitted + datetime.timedelta(days=settings.CICA_CO_SUBMISSION_DAYS)


def _co_values(submission: InformationSubmission, **extra) -> dict:
    """What every co-submission notice quotes; dates formatted in the active
    language (call it inside the recipient's language)."""
    from django.utils.formats import date_format

    values = {
        "lead": submission.submitted_for.code,
        "ref": submission.reference,
        "title": submission.title,
        "page": f"/information/{submission.pk}/",
    }
    for key, value in extra.items():
        values[key if key != "due" else "date"] = (
            date_format(value, "DATE_FORMAT") if isinstance(value, datetime.date) else value
        )
    return values


def _in_their_language(users, build, submission: InformationSubmission) -> list[tuple]:
    """``notify`` messages, each written in its recipient's language (their
    delegate record's; otherwise the site's): ``build(user)`` returns
    ``(subject, body)`` and runs with that language active."""
    from django.utils import translation

    users = list(users)
    languages = dict(
        Delegate.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "language")
    )
    messages = []
    for user in users:
        with translation.override(languages.get(user.pk) or settings.LANGUAGE_CODE):
            subject, body = build(user)
            messages.append((user, str(subject), str(body), "information", submission.pk))
    return messages


def _lock_submitted(submission: InformationSubmission) -> InformationSubmission:
    """Lock the submission (so that the last two answers, arriving together,
    still see each other) and check that it is still open to answers."""
    locked = InformationSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != InformationStatus.SUBMITTED:
        raise Conflict(
            _("The submission is already at “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _co_submission_answered(submission: InformationSubmission) -> None:
    """When no named state is awaited any longer, tell the lead state and the
    secretariat, once: the submission can now be disseminated."""
    rows = list(submission.co_submitters.select_related("participant"))
    if any(r.answer == "awaited" for r in rows):
        return
    confirmed = [r.participant.code for r in rows if r.answer == "confirmed"]
    declined = [r.participant.code for r in rows if r.answer == "declined"]
    staff = _secretariat_users()
    leads = [u for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])]

    def build(user):
        values = _co_values(
            submission,
            confirmed=", ".join(confirmed) or _("none"),
            declined=", ".join(declined) or _("none"),
        )
        subject = _("Every co-submitter has answered: %(ref)s") % values
        if user in staff:
            body = _(
                "Every state named as co-submitting “%(title)s” (%(ref)s, from %(lead)s) has "
                "answered. Confirmed: %(confirmed)s. Declined: %(declined)s. It is ready for "
                "you to disseminate or return: %(page)s"
            )
        else:
            body = _(
                "Every state you named as co-submitting “%(title)s” (%(ref)s) has answered. "
                "Confirmed: %(confirmed)s. Declined: %(declined)s. The secretariat can now "
                "disseminate it; you need do nothing."
            )
        return subject, body % values

    notify(
        kind=NotificationKind.CO_SUBMISSION_COMPLETE,
        event_key=f"information-answered:{submission.pk}",
        messages=_in_their_language([*leads, *staff], build, submission),
        url=f"/api/v1/information/{submission.pk}/",
    )


def _own_co_submitter_row(
    actor, submission: InformationSubmission
) -> tuple[InformationSubmission, CoSubmitter]:
    """The caller's state's row, locked after the submission (always in that
    order, as removal does, so two answers never deadlock)."""
    from members.rules import acting_for

    participant = acting_for(actor)
    mine = CoSubmitter.objects.filter(submission=submission, participant=participant)
    if participant is None or not mine.exists():
        raise Forbidden(_("Your state is not named as co-submitting this information."))
    submission = _lock_submitted(submission)
    row = mine.select_for_update().select_related("participant").first()
    if row is None:  # removed by the lead meanwhile
        raise Forbidden(_("Your state is not named as co-submitting this information."))
    return submission, row


@transaction.atomic
def information_confirm(*, actor, submission: InformationSubmission) -> CoSubmitter:
    """A co-submitting state's delegate confirms: only then is the submission
    theirs (a state that had declined may change its mind while the
    submission is open). The last answer tells the lead and the secretariat."""
    submission, row = _own_co_submitter_row(actor, submission)
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by = timezone.now(), actor
        row.declined_at, row.declined_by, row.decline_reason = None, None, ""
        row.save(
            update_fields=[
                "confirmed_at",
                "confirmed_by",
                "declined_at",
                "declined_by",
                "decline_reason",
            ]
        )
        _co_submission_answered(submission)
    return row


@transaction.atomic
def information_decline(*, actor, submission: InformationSubmission, reason: str) -> CoSubmitter:
    """A state named as co-submitting declines, with its reason: the
    submission is not disseminated in its name and no longer waits for it.
    The lead state is told (it may remove the state); the last answer tells
    the lead and the secretariat."""
    submission, row = _own_co_submitter_row(actor, submission)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason why your state declines."))
    if row.confirmed_at is not None:
        raise Conflict(_("Your state has already confirmed this co-submission."))
    if row.declined_at is not None:
        raise Conflict(_("Your state has already declined this co-submission."))
    row.declined_at, row.declined_by, row.decline_reason = timezone.now(), actor, reason
    row.save(update_fields=["declined_at", "declined_by", "decline_reason"])
    code = row.participant.code
    leads = [u for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])]

    def build(_user):
        values = _co_values(submission, code=code, reason=reason)
        return (
            _("%(code)s declines to co-submit %(ref)s") % values,
            _(
                "%(code)s declines to co-submit “%(title)s” (%(ref)s). Its reason: %(reason)s\n"
                "The submission will not be disseminated in the name of %(code)s and no longer "
                "waits for it. You need do nothing; you may remove %(code)s on its page: "
                "%(page)s"
            )
            % values,
        )

    notify(
        kind=NotificationKind.CO_SUBMISSION_DECLINED,
        event_key=f"information-declined:{submission.pk}:{row.participant_id}",
        messages=_in_their_language(leads, build, submission),
        url=f"/api/v1/information/{submission.pk}/",
    )
    _co_submission_answered(submission)
    return row


@transaction.atomic
def information_remove_co_submitter(
    *, actor, submission: InformationSubmission, participant: Participant
) -> None:
    """The lead state's delegate removes a state named as co-submitting
    (awaited, declined or even confirmed) while the submission is open. The
    removed state is told; if nobody else is awaited, the lead and the
    secretariat are told it can be disseminated."""
    from members.rules import acting_for

    lead = acting_for(actor)
    if lead is None or lead.pk != submission.submitted_for_id:
        raise Forbidden(_("Only a delegate of the submitting state removes a co-submitter."))
    submission = _lock_submitted(submission)
    row = CoSubmitter.objects.filter(submission=submission, participant=participant).first()
    if row is None:
        raise NotFoundError(
            _("%(code)s is not named as co-submitting %(ref)s.")
            % {"code": participant.code, "ref": submission.reference}
        )
    row.delete()
    removed = [u for u, _pid in _active_delegates(participant_ids=[participant.pk])]

    def build(_user):
        values = _co_values(submission)
        return (
            _("Removed from co-submission %(ref)s") % values,
            _(
                "%(lead)s removed your state from the states co-submitting “%(title)s” "
                "(%(ref)s). It will not be disseminated in your state's name; your state need "
                "do nothing."
            )
            % values,
        )

    notify(
        kind=NotificationKind.CO_SUBMITTER_REMOVED,
        event_key=f"information-removed:{submission.pk}:{participant.pk}:{row.pk}",
        messages=_in_their_language(removed, build, submission),
        url="",
    )
    _co_submission_answered(submission)


def information_send_co_submission_reminders(*, today: datetime.date | None = None) -> int:
    """Periodic (with the circulation reminders): once, to every state named
    as co-submitting that has not answered when the date to answer is
    ``CICA_REMINDER_DAYS_BEFORE`` days away or nearer; once, to the lead
    state, when that date has passed and states are still awaited. Returns
    the notices written (none twice: each is keyed to its stage)."""
    today = today or timezone.localdate()
    before = datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE)
    earliest = today - datetime.timedelta(days=settings.CICA_CO_SUBMISSION_DAYS) + before
    waiting = (
        InformationSubmission.objects.filter(
            status=InformationStatus.SUBMITTED,
            submitted_at__date__lte=earliest,
            co_submitters__confirmed_at__isnull=True,
            co_submitters__declined_at__isnull=True,
        )
        .select_related("submitted_for")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for submission in waiting:
        due = information_confirm_by(submission)
        awaited = list(
            submission.co_submitters.filter(
                confirmed_at__isnull=True, declined_at__isnull=True
            ).select_related("participant")
        )
        codes = ", ".join(r.participant.code for r in awaited)
        with transaction.atomic():
            if today <= due:

                def remind(_user, submission=submission, due=due):
                    values = _co_values(submission, due=due)
                    return (
                        _("Reminder: confirm or decline co-submitting %(ref)s by %(date)s")
                        % values,
                        _(
                            "%(lead)s named your state as co-submitting “%(title)s” (%(ref)s) "
                            "to the CICA secretariat for dissemination, and your state has not "
                            "answered yet. Please confirm, or decline with a reason, by "
                            "%(date)s on its page: %(page)s"
                        )
                        % values,
                    )

                users = [
                    u
                    for u, _pid in _active_delegates(
                        participant_ids=[r.participant_id for r in awaited]
                    )
                ]
                sent += len(
                    notify(
                        kind=NotificationKind.CO_SUBMISSION_REMINDER,
                        event_key=f"information-confirm-reminder:{submission.pk}",
                        messages=_in_their_language(users, remind, submission),
                        url=f"/api/v1/information/{submission.pk}/",
                    )
                )
            else:

                def overdue(_user, submission=submission, due=due, codes=codes):
                    values = _co_values(submission, due=due, codes=codes)
                    return (
                        _("Co-submission of %(ref)s: %(codes)s still awaited") % values,
                        _(
                            "%(codes)s did not answer by %(date)s whether they co-submit "
                            "“%(title)s” (%(ref)s). The secretariat cannot disseminate it while "
                            "a named state is awaited: ask them to answer, or remove them on "
                            "its page: %(page)s"
                        )
                        % values,
                    )

                leads = [
                    u
                    for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])
                ]
                sent += len(
                    notify(
                        kind=NotificationKind.CO_SUBMISSION_REMINDER,
                        event_key=f"information-confirm-overdue:{submission.pk}",
                        messages=_in_their_language(leads, overdue, submission),
                        url=f"/api/v1/information/{submission.pk}/",
                    )
                )
    return sent


@transaction.atomic
def information_disseminate(*, actor, submission: InformationSubmission) -> Circulation:
    """The secretariat disseminates a submission: a circulation to the states
    its visibility names, with a receipt for each and a notification to each
    of their delegates. Every co-submitting state must have confirmed."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat disseminates information."))
    submission = InformationSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != InformationStatus.SUBMITTED:
        raise Conflict(
            _("The submission is already at “%(status)s”.")
            % {"status": submission.get_status_display()}
        )
    waiting = list(
        submission.co_submitters.filter(
            confirmed_at__isnull=True, declined_at__isnull=True
        ).values_list("participant__code", flat=True)
    )
    if waiting:
        raise Conflict(
            _("Waiting for %(codes)s to confirm co-submission.") % {"codes": ", ".join(waiting)}
        )
    audience = (
        Audience.MEMBERS
        if submission.visibility == Visibility.MEMBERS
        else Audience.MEMBERS_AND_OBSERVERS
    )
    circulation = Circulation.objects.create(
        kind=CirculationKind.INFORMATION,
        information=submission,
        reference=symbol_next(prefix=f"CICA/CIRC/{timezone.localdate():%Y}/"),
        audience=audience,
        circulated_by=actor,
    )
    submission.status = InformationStatus.DISSEMINATED
    submission.disseminated_at = timezone.now()
    submission.save(update_fields=["status", "disseminated_at"])
    submitters = ", ".join(information_submitters(submission))
    _fan_out(
        circulation=circulation,
        actor=actor,
        kind=NotificationKind.INFORMATION,
        subject=_("Information from %(who)s: %(title)s")
        % {"who": submitters, "title": submission.title},
        text=submission.text[:5000],
    )
    return circulation


@transaction.atomic
def information_return(*, actor, submission: InformationSubmission, reason: str):
    """The secretariat returns a submission with its reasons."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat returns submissions."))
    if not reason.strip():
        raise DomainError(_("Give the reasons for returning it."))
    submission = InformationSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != InformationStatus.SUBMITTED:
        raise Conflict(
            _("The submission is already at “%(status)s”.")
            % {"status": submission.get_status_display()}
        )
    submission.status = InformationStatus.RETURNED
    submission.returned_at = timezone.now()
    submission.return_reason = reason
    submission.save(update_fields=["status", "returned_at", "return_reason"])
    states = [
        submission.submitted_for_id,
        *submission.co_submitters.values_list("participant_id", flat=True),
    ]
    subject = _("Returned: %(ref)s") % {"ref": submission.reference}
    notify(
        kind=NotificationKind.INFORMATION_RETURNED,
        event_key=f"information-returned:{submission.pk}",
        messages=[
            (u, subject, reason, "information", submission.pk)
            for u, _pid in _active_delegates(participant_ids=states)
        ],
        url=f"/api/v1/information/{submission.pk}/",
    )
    return submission


def information_submitters(submission: InformationSubmission) -> list[str]:
    """The lead state and the co-submitting states that have confirmed."""
    confirmed = [
        c.participant.code for c in submission.co_submitters.all() if c.confirmed_at is not None
    ]
    return [submission.submitted_for.code, *sorted(confirmed)]


def circulation_remind_now(*, actor, circulation: Circulation) -> int:
    """The secretariat reminds, now, every member state that has not given its
    position (at most once a day per circulation: a second click adds nothing)."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat sends reminders."))
    if circulation.kind == CirculationKind.INFORMATION or circulation.deadline is None:
        raise Conflict(_("Disseminated information has no answers to remind of."))
    today = timezone.localdate()
    if circulation.deadline < today:
        raise Conflict(_("The deadline has passed."))
    with transaction.atomic():
        waiting = Receipt.objects.filter(circulation=circulation, position="").filter(
            participant__in=Participant.objects.with_status_in(ParticipationStatus.MEMBER, today)
        )
        by_participant = dict(waiting.values_list("participant_id", "pk"))
        subject = _("Reminder: your position on %(ref)s is due by %(deadline)s") % {
            "ref": circulation.reference,
            "deadline": circulation.deadline,
        }
        body = _("The secretariat reminds your state that %(ref)s awaits its answer.") % {
            "ref": circulation.reference
        }
        return len(
            notify(
                kind=NotificationKind.REMINDER,
                event_key=f"reminder-now:{circulation.pk}:{today.isoformat()}",
                messages=[
                    (user, subject, body, "receipt", by_participant[pid])
                    for user, pid in _active_delegates(participant_ids=list(by_participant))
                ],
                url=f"/api/v1/circulations/{circulation.pk}/",
            )
        )


# --- webhooks: push for REST clients ---------------------------------------------------

WEBHOOK_DISABLE_AFTER = 10


def webhooks_emit(*, event: str, event_key: str, payload: dict) -> list[int]:
    """Write one delivery per interested active subscription, in the event's
    transaction; hand them to Celery after commit. Unique per (subscription,
    event): the same event emitted twice is delivered once. ``event`` is one
    of :class:`WebhookEvent`."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(is_active=True) if s.wants(event)
    ]
    if not subscriptions:
        return []
    existing = set(
        WebhookDelivery.objects.filter(
            event_key=event_key, subscription__in=subscriptions
        ).values_list("subscription_id", flat=True)
    )
    fresh = [
        WebhookDelivery(subscription=s, event=event, event_key=event_key, payload=payload)
        for s in subscriptions
        if s.pk not in existing
    ]
    WebhookDelivery.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(
            event_key=event_key, status=DeliveryStatus.PENDING, queued_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(partial(webhooks_enqueue, delivery_ids=ids), robust=True)
    return ids


def webhooks_enqueue(*, delivery_ids: list[int]) -> int:
    from .tasks import deliver_webhook

    return _hand_over(
        ids=delivery_ids, model=WebhookDelivery, task=deliver_webhook, argument="delivery_id"
    )


def webhooks_requeue(*, older_than: datetime.timedelta | None = None) -> int:
    """Periodic: hand pending deliveries to Celery again (after a failure or an outage)."""
    return _outbox_requeue(
        model=WebhookDelivery,
        status_field="status",
        pending=DeliveryStatus.PENDING,
        older_than=older_than,
        enqueue=lambda ids: webhooks_enqueue(delivery_ids=ids),
        subscription__is_active=True,
    )


def webhook_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC of the body with the subscription's secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDeliveryError(Exception):
    """The receiver failed; the delivery records it and stays pending."""


def webhook_deliver(*, delivery_id: int) -> str:
    """POST one delivery, signed, once, holding no lock while it is posted:
    claim the row (short transaction), POST outside any transaction
    (``CICA_WEBHOOK_TIMEOUT``), record the result (second short transaction),
    as :func:`notification_send_email` does. A receiver's failure is
    recorded, counts against the subscription, and disables it after too many
    in a row."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.PENDING:
            return f"already {delivery.status}"
        subscription = delivery.subscription
        if not subscription.is_active:
            return "subscription disabled"
        _outbox_claim(delivery, now=timezone.now())
    body = json.dumps(
        {"event": delivery.event, "delivery": delivery.pk, "data": delivery.payload},
        sort_keys=True,
    ).encode()
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "cica-webhooks/1",
            "X-CICA-Event": delivery.event,
            "X-CICA-Delivery": str(delivery.pk),
            "X-CICA-Signature": webhook_signature(subscription.secret, body),
        },
    )
    error, response_code = "", None
    try:
        with urllib.request.urlopen(request, timeout=settings.CICA_WEBHOOK_TIMEOUT) as answer:
            response_code = answer.status
    except urllib.error.HTTPError as exc:
        error, response_code = f"HTTP {exc.code}", exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.PENDING:
            return f"already {delivery.status}"
        delivery.attempts += 1
        delivery.claimed_at = None
        if response_code is not None:
            delivery.response_code = response_code
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.save()
            WebhookSubscription.objects.filter(
                pk=delivery.subscription_id, consecutive_failures__gt=0
            ).update(consecutive_failures=0)
            return "delivered"
        delivery.last_error = error[:2000]
        delivery.save()
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        failures = subscription.consecutive_failures + 1
        changes = {"consecutive_failures": failures}
        if failures >= WEBHOOK_DISABLE_AFTER:
            changes.update(is_active=False, disabled_at=timezone.now())
        WebhookSubscription.objects.filter(pk=subscription.pk).update(**changes)
    raise WebhookDeliveryError(error)


def webhook_give_up(*, delivery_id: int) -> None:
    """Mark failed, for the secretariat to look at."""
    _outbox_give_up(
        model=WebhookDelivery,
        pk=delivery_id,
        status_field="status",
        pending=DeliveryStatus.PENDING,
        failed=DeliveryStatus.FAILED,
    )
