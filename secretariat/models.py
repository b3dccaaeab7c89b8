"""Meetings and their decisions, circulations of papers (receipts and
notifications follow in the circulation ledger)."""

import functools
import uuid
import zoneinfo
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from measures.models import Initiative, Paper
from measures.workflow import Outcome
from members.models import Participant

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager


class Body(models.TextChoices):
    SWG = "swg", _("Special Working Group")
    SOC = "soc", _("Senior Officials Committee")
    SPECIALISED = "specialised", _("Specialised meeting")
    MINISTERIAL = "ministerial", _("Ministerial meeting")
    SUMMIT = "summit", _("Summit")


DECISION_BODY_CHOICES = [(Body.SWG.value, Body.SWG.label), (Body.SOC.value, Body.SOC.label)]


def default_time_zone() -> str:
    return settings.TIME_ZONE


@functools.cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the tz database's files


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name this Python knows (``Asia/Almaty``)."""
    if value not in _time_zone_names():
        raise ValidationError(
            _("%(value)s is not a time zone: give an IANA name such as Asia/Almaty."),
            code="time_zone",
            params={"value": value},
        )


class Meeting(models.Model):
    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(
        _("starts at"), null=True, blank=True, help_text=_("Local time at the venue, if known.")
    )
    end_time = models.TimeField(
        _("ends at"),
        null=True,
        blank=True,
        help_text=_("Local time at the venue, on the same day; only with a start time."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The venue's time zone, an IANA name (Asia/Almaty, Asia/Bangkok...)."),
    )
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Stays in the calendar, marked cancelled.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host"),
    )
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("measure"),
        help_text=_("For a specialised meeting: the measure it examines."),
    )
    experts = models.ManyToManyField(
        "measures.Expert",
        related_name="meetings",
        blank=True,
        verbose_name=_("attending experts"),
    )
    present = models.ManyToManyField(
        Participant,
        related_name="meetings_attended",
        blank=True,
        verbose_name=_("present"),
        help_text=_("Member states (and observers) present."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # The calendar's SEQUENCE and LAST-MODIFIED (RFC 5545): bumped and moved
    # by the meeting services on each change, so subscribed calendars update.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "body"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=Q(body__in=Body.values), name="meeting_body_valid"),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__gt=F("start_time")),
                name="meeting_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.date:%Y-%m-%d}" + (
            f" ({self.place})" if self.place else ""
        )


class DecisionProcedure(models.TextChoices):
    MEETING = "meeting", _("At a meeting")
    SILENCE = "silence", _("Silence procedure")


class Decision(models.Model):
    """A decision of the SWG or the SOC on an initiative, taken by consensus of
    the member states present: an approval stands only if none objects."""

    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    procedure = models.CharField(
        _("procedure"),
        max_length=16,
        choices=DecisionProcedure.choices,
        default=DecisionProcedure.MEETING,
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("initiative"),
    )
    paper = models.ForeignKey(
        Paper,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("paper"),
    )
    # A decision on an action plan (issue 17) rather than on the initiative's
    # paper: the same consensus rule, symbol and notice.
    action_plan = models.ForeignKey(
        "implementation.ActionPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("action plan"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    text = models.TextField(_("text"), blank=True)
    objecting = models.ManyToManyField(
        Participant, related_name="objections", blank=True, verbose_name=_("objecting states")
    )
    symbol = models.CharField(_("document symbol"), max_length=64, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(body__in=[Body.SWG, Body.SOC]), name="decision_body_swg_or_soc"
            ),
            models.CheckConstraint(
                condition=Q(procedure="meeting", meeting__isnull=False)
                | Q(procedure="silence", meeting__isnull=True),
                name="decision_meeting_or_silence",
            ),
            # One meeting takes one decision per paper.
            models.UniqueConstraint(
                fields=["meeting", "paper"],
                condition=Q(meeting__isnull=False, paper__isnull=False),
                name="decision_one_per_paper_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting", "action_plan"],
                condition=Q(meeting__isnull=False, action_plan__isnull=False),
                name="decision_one_per_plan_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol}: {self.get_outcome_display()}"

    @property
    def adopted_under(self) -> "Circulation | None":
        """The silence procedure (a circulation) that adopted this decision, if any."""
        try:
            return self.silence_circulation
        except ObjectDoesNotExist:
            return None


class Audience(models.TextChoices):
    MEMBERS = "members", _("Member states")
    MEMBERS_AND_OBSERVERS = "members_and_observers", _("Member states and observers")


class CirculationKind(models.TextChoices):
    PAPER = "paper", _("Paper for comments")
    DRAFT_DECISION = "draft_decision", _("Draft decision")
    INFORMATION = "information", _("Information for dissemination")


class SilenceStatus(models.TextChoices):
    NONE = "", _("No silence procedure")
    PENDING = "pending", _("Silence running")
    ADOPTED = "adopted", _("Adopted under silence")
    BROKEN = "broken", _("Silence broken")


class Circulation(models.Model):
    """A paper (or a draft decision) circulated by the secretariat with a
    comment deadline (seed: "Ce document sera diffusé par le secrétariat
    auprès des États membres"). One receipt per addressed participant."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=CirculationKind.choices, default=CirculationKind.PAPER
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="circulations",
        verbose_name=_("initiative"),
        null=True,
        blank=True,
    )
    paper = models.ForeignKey(
        Paper,
        on_delete=models.PROTECT,
        related_name="circulations",
        verbose_name=_("paper"),
        null=True,
        blank=True,
    )
    information = models.OneToOneField(
        "InformationSubmission",
        on_delete=models.PROTECT,
        related_name="circulation",
        verbose_name=_("information"),
        null=True,
        blank=True,
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    audience = models.CharField(
        _("audience"), max_length=24, choices=Audience.choices, default=Audience.MEMBERS
    )
    deadline = models.DateField(_("comment deadline"), null=True, blank=True)
    circulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("circulated by"),
    )
    circulated_at = models.DateTimeField(_("circulated at"), auto_now_add=True)
    # A draft decision, possibly under silence procedure (extension): adopted
    # by consensus when no member state objects by the deadline.
    body = models.CharField(_("deciding body"), max_length=16, choices=Body.choices, blank=True)
    draft_text = models.TextField(_("draft decision"), blank=True)
    silence_status = models.CharField(
        _("silence procedure"),
        max_length=16,
        choices=SilenceStatus.choices,
        blank=True,
        default=SilenceStatus.NONE,
    )
    silence_broken_by = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("silence broken by"),
    )
    silence_broken_at = models.DateTimeField(_("silence broken at"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(
        _("deadline summary sent at"), null=True, blank=True, editable=False
    )
    decision = models.OneToOneField(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="silence_circulation",
        verbose_name=_("decision adopted under silence"),
    )

    class Meta:
        ordering = ["-circulated_at", "-pk"]
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="paper",
                    paper__isnull=False,
                    initiative__isnull=False,
                    deadline__isnull=False,
                )
                | Q(
                    kind="draft_decision",
                    body__in=["swg", "soc"],
                    initiative__isnull=False,
                    deadline__isnull=False,
                )
                | Q(kind="information", information__isnull=False),
                name="circulation_kind_matches_content",
            ),
            models.CheckConstraint(
                condition=Q(silence_status="") | Q(kind="draft_decision"),
                name="circulation_silence_only_on_draft_decisions",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Position(models.TextChoices):
    SUPPORT = "support", _("Support")
    NO_OBJECTION = "no_objection", _("No objection")
    COMMENT = "comment", _("Comment")
    OBJECTION = "objection", _("Objection")
    RESERVATION = "reservation", _("Reservation")


class Receipt(models.Model):
    """One addressed participant's copy of a circulation: delivered, read,
    acknowledged, and the state's position (changeable until the deadline;
    every change is kept in the history)."""

    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    circulation = models.ForeignKey(
        Circulation,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("circulation"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("participant"),
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    first_read_at = models.DateTimeField(_("first read at"), null=True, blank=True)
    first_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first read by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    position = models.CharField(_("position"), max_length=16, choices=Position.choices, blank=True)
    position_text = models.TextField(_("position text"), blank=True)
    position_at = models.DateTimeField(_("position given at"), null=True, blank=True)
    position_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("position given by"),
    )

    class Meta:
        ordering = ["circulation", "participant__code"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["circulation", "participant"], name="receipt_one_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(position="") | Q(position__in=Position.values),
                name="receipt_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circulation.reference} → {self.participant.code}"


class NotificationKind(models.TextChoices):
    CIRCULATION = "circulation", _("Paper circulated")
    REMINDER = "reminder", _("Reminder before a deadline")
    DEADLINE_SUMMARY = "deadline_summary", _("Deadline passed: who answered what")
    DECISION = "decision", _("Decision recorded")
    PAPER_SUBMITTED = "paper_submitted", _("Paper submitted")
    DESIGNATION = "designation", _("Designated coordinator")
    SILENCE = "silence", _("Draft decision under silence procedure")
    SILENCE_BROKEN = "silence_broken", _("Silence broken")
    INFORMATION = "information", _("Information disseminated")
    INFORMATION_SUBMITTED = "information_submitted", _("Information submitted")
    CONFIRMATION_REQUESTED = "confirmation_requested", _("Co-submission to confirm")
    INFORMATION_RETURNED = "information_returned", _("Information returned")
    CO_SUBMISSION_DECLINED = "co_submission_declined", _("Co-submission declined")
    CO_SUBMITTER_REMOVED = "co_submitter_removed", _("Removed from a co-submission")
    CO_SUBMISSION_REMINDER = "co_submission_reminder", _("Reminder: co-submission to confirm")
    CO_SUBMISSION_COMPLETE = "co_submission_complete", _("Every co-submitter has answered")
    # The implementation years (issue 17).
    ACTION_PLAN = "action_plan", _("Action plan")
    ACTIVITY = "activity", _("Activity")
    CYCLE_OPENED = "cycle_opened", _("Reporting cycle opened")
    RETURN_REMINDER = "return_reminder", _("Reminder: implementation returns due")
    RETURN_SUMMARY = "return_summary", _("Reporting cycle: who filed")
    RETURN_SUBMITTED = "return_submitted", _("Return submitted")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("No e-mail address")
    # The reader chose one daily digest: the digest task sends it (issue 16).
    DIGEST = "digest", _("Waiting for the daily digest")


class Notification(models.Model):
    """A message to one user, written in the same transaction as the event
    that causes it: this table is the outbox. Celery sends its e-mail after
    commit, once (the idempotency key is unique per event and recipient)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notice says, as data (references, codes, ISO dates): with a
    # known kind its subject and text are written again in the reader's
    # language when shown or e-mailed (secretariat.services.notices). Empty
    # on older rows, which show their stored subject and text.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"),
        max_length=16,
        choices=EmailStatus.choices,
        default=EmailStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # Set while a worker sends the e-mail (outside any transaction); a claim
    # older than CICA_OUTBOX_CLAIM_SECONDS is taken as left by a dead worker.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"


class SymbolSequence(models.Model):
    """Running numbers for document symbols (CICA/SWG/DEC/2026/3), one row per
    prefix, incremented under a row lock so two writers never share a number."""

    prefix = models.CharField(max_length=64, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class InformationKind(models.TextChoices):
    MEASURES_TAKEN = "measures_taken", _("Information on measures taken")
    VIEWS = "views", _("Views on a measure")


class Visibility(models.TextChoices):
    MEMBERS = "members", _("Member states")
    MEMBERS_AND_OBSERVERS = "members_and_observers", _("Member states and observers")
    PUBLIC = "public", _("Public")


class InformationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISSEMINATED = "disseminated", _("Disseminated")
    RETURNED = "returned", _("Returned")


class InformationSubmission(models.Model):
    """Information a member state, or a group of member states, submits to the
    secretariat for dissemination (seed: "présenter ces informations au
    secrétariat de la CIMCA aux fins de diffusion"): the database the Chair
    and the secretariat build."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=InformationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    visibility = models.CharField(
        _("visibility"), max_length=24, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InformationStatus.choices,
        default=InformationStatus.SUBMITTED,
    )
    measures = models.ManyToManyField(
        "measures.Measure", related_name="information", verbose_name=_("measures concerned")
    )
    submitted_for = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="information_submitted",
        verbose_name=_("submitting state"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    disseminated_at = models.DateTimeField(_("disseminated at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reasons for return"), blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("information submission")
        verbose_name_plural = _("information exchange")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InformationStatus.values), name="information_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class CoSubmitter(models.Model):
    """Another member state submitting with the lead state. It counts as
    theirs only once one of its delegates has confirmed."""

    submission = models.ForeignKey(
        InformationSubmission,
        on_delete=models.CASCADE,
        related_name="co_submitters",
        verbose_name=_("submission"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="co_submissions",
        verbose_name=_("state"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declined by"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["participant__code"]
        verbose_name = _("co-submitting state")
        verbose_name_plural = _("co-submitting states")
        constraints = [
            models.UniqueConstraint(fields=["submission", "participant"], name="co_submitter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} ({self.answer})"

    @property
    def answer(self) -> str:
        """``confirmed``, ``declined`` or ``awaited``."""
        if self.confirmed_at is not None:
            return "confirmed"
        return "declined" if self.declined_at is not None else "awaited"

    def get_answer_display(self) -> str:
        return str(
            {
                "confirmed": _("confirmed"),
                "declined": _("declined"),
                "awaited": _("awaited"),
            }[self.answer]
        )


def attachment_upload_to(instance, filename: str) -> str:
    return f"information/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class InformationAttachment(models.Model):
    submission = models.ForeignKey(
        InformationSubmission,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("submission"),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class WebhookEvent(models.TextChoices):
    """The one list of webhook event names: the subscription form offers
    these, the emitter sends these, the README lists these."""

    STATUS_CHANGED = "initiative.status_changed", _("An initiative changed status")
    INTEREST_DECLARED = (
        "initiative.interest_declared",
        _("A state declared interest (created or joined an initiative)"),
    )
    PAPER_SUBMITTED = "initiative.paper_submitted", _("A paper (or a revision) was submitted")
    DECISION_RECORDED = "decision.recorded", _("The SWG or the SOC recorded a decision")
    # issue 17 v3: annual reporting.
    CYCLE_OPENED = "reporting_cycle.opened", _("The secretariat opened a reporting cycle")
    RETURN_SUBMITTED = "return.submitted", _("A state submitted a return (report or nil return)")
    RETURN_CORRECTED = "return.corrected", _("A submitted return was corrected")
    ACTION_PLAN_STATUS_CHANGED = (
        "action_plan.status_changed",
        _("An action plan changed status (submitted, decided, superseded)"),
    )
    ACTIVITY_CREATED = "activity.created", _("An activity was entered in the register")
    ACTIVITY_STATUS_CHANGED = "activity.status_changed", _("An activity changed status")


class WebhookSubscription(models.Model):
    """A client's URL to be told of status changes, signed with its secret.
    Managed by the secretariat; disabled after repeated failures."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_("Event names, e.g. initiative.status_changed; empty: all events."),
    )
    secret = models.CharField(_("secret"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def clean(self):
        unknown = [e for e in self.events or [] if e not in WebhookEvent.values]
        if not isinstance(self.events, list) or unknown:
            raise ValidationError(
                {
                    "events": _("Unknown events: %(names)s. Known: %(known)s.")
                    % {
                        "names": ", ".join(map(str, unknown)),
                        "known": ", ".join(WebhookEvent.values),
                    }
                }
            )

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one subscription: delivered once (unique per event and
    subscription), retried with back-off, logged."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.CharField(_("event"), max_length=100)
    event_key = models.CharField(max_length=200)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker posts it (see Notification.claimed_at).
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="webhook_delivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"
