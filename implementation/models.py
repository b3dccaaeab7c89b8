"""The years after adoption (issue 17): the action plan that carries an
adopted measure out, the activities held under it, and the annual reporting
cycle in which every member state files a national implementation report or
an explicit nil return, and the coordinators a progress report.

The rules live in ``implementation.services``; what the database can hold is
held here (one return per state, area and cycle; one plan number per measure).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import Participant


def default_time_zone() -> str:
    return settings.TIME_ZONE


def _validate_time_zone(value: str) -> None:
    from secretariat.models import validate_time_zone  # noqa: PLC0415 (cycle)

    validate_time_zone(value)


class Visibility(models.TextChoices):
    """Who may read an activity or a return besides those who wrote it and
    the secretariat (who read everything)."""

    PUBLIC = "public", _("Public")
    MEMBERS_AND_OBSERVERS = "members_and_observers", _("Member states and observers")
    SECRETARIAT = "secretariat", _("Secretariat only")


# --- action plans ---------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SWG_REVIEW = "swg_review", _("Special Working Group review")
    SOC_REVIEW = "soc_review", _("Senior Officials Committee review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")
    REJECTED = "rejected", _("Rejected")


class ActionPlan(models.Model):
    """The plan under which the coordinators carry out an adopted measure:
    the years it covers, who coordinates, the activities planned. A document
    of its own (``CICA/AP/ECO-4/1``); an amendment is the next number, and
    approving it supersedes the plan in force. Approved by a decision of the
    SWG, then of the SOC (``secretariat.Decision.action_plan``)."""

    initiative = models.ForeignKey(
        "measures.Initiative",
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("initiative"),
    )
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("measure"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    symbol = models.CharField(_("document symbol"), max_length=64, unique=True)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    starts_in = models.PositiveSmallIntegerField(_("first year"))
    ends_in = models.PositiveSmallIntegerField(_("last year"))
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["measure__sort_key", "number"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(fields=["measure", "number"], name="plan_number_per_measure"),
            models.CheckConstraint(
                condition=Q(ends_in__gte=F("starts_in")), name="plan_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status"),
            # One plan in force per measure.
            models.UniqueConstraint(
                fields=["measure"], condition=Q(status="approved"), name="plan_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return self.symbol


class PlanCoordinator(models.Model):
    """A coordinator or co-coordinator named in the plan (from the designation)."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("plan")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", verbose_name=_("state")
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=[("coordinator", _("Coordinator")), ("co_coordinator", _("Co-coordinator"))],
    )

    class Meta:
        ordering = ["role", "participant__code"]
        verbose_name = _("plan coordinator")
        verbose_name_plural = _("plan coordinators")
        constraints = [
            models.UniqueConstraint(fields=["plan", "participant"], name="plan_coordinator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.symbol}: {self.participant.code}"


class ActivityKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    WORKSHOP = "workshop", _("Workshop")
    CONFERENCE = "conference", _("Conference")
    EXPERT_MEETING = "expert_meeting", _("Expert meeting")
    EXERCISE = "exercise", _("Exercise")
    EXCHANGE_VISIT = "exchange_visit", _("Exchange visit")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class PlannedActivity(models.Model):
    """An activity the plan foresees, with the year it aims at."""

    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.CASCADE,
        related_name="planned_activities",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "target_year", "order", "pk"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")

    def __str__(self) -> str:
        return f"{self.title} ({self.target_year})"


class PlanEvent(models.Model):
    """One line of a plan's history: who did what, from which status to which."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="events", verbose_name=_("plan")
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")

    def __str__(self) -> str:
        return f"{self.plan.symbol}: {self.action}"


# --- activities -----------------------------------------------------------------------


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    REPORT_FILED = "report_filed", _("Report filed")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class Activity(models.Model):
    """A seminar, workshop, exercise... held under a measure. Entered and
    updated by the measure's coordinators and the host; the secretariat can
    do everything. Its title is given in one or more of the languages."""

    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("measure"),
    )
    plan = models.ForeignKey(
        ActionPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("action plan"),
    )
    planned = models.ForeignKey(
        PlannedActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("planned as"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300, blank=True)
    host = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="hosted_activities",
        verbose_name=_("host"),
    )
    co_organisers = models.ManyToManyField(
        Participant,
        related_name="co_organised_activities",
        blank=True,
        verbose_name=_("co-organisers"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[_validate_time_zone],
        help_text=_("The venue's time zone, an IANA name (Asia/Almaty, Asia/Bangkok...)."),
    )
    participants = models.ManyToManyField(
        Participant,
        related_name="activities_attended",
        blank=True,
        verbose_name=_("participating states"),
    )
    organisations = models.TextField(
        _("participating organisations"), blank=True, help_text=_("One per line.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    status_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was cancelled or postponed.")
    )
    visibility = models.CharField(
        _("visibility"), max_length=24, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The calendar's SEQUENCE (RFC 5545), bumped by the services on each change.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="activity_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=~Q(title_en="", title_fr="", title_ru=""), name="activity_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activity_status"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="activity_visibility"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "postponed"]) | ~Q(status_reason=""),
                name="activity_cancelled_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the reader's language, else in the first language given."""
        lang = (translation.get_language() or "en")[:2]
        own = getattr(self, f"title_{lang}", "")
        return own or self.title_en or self.title_fr or self.title_ru


class DocumentKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    REPORT = "report", _("Report")
    PARTICIPANTS = "participants", _("List of participants")
    OTHER = "other", _("Other")


def document_upload_to(instance: object, filename: str) -> str:
    # A generated name: the uploader's file name is kept in a field, never on disk.
    return f"implementation/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class ActivityDocument(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="documents", verbose_name=_("activity")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["activity", "kind", "pk"]
        verbose_name = _("activity document")
        verbose_name_plural = _("activity documents")

    def __str__(self) -> str:
        return self.original_name


class ActivityEvent(models.Model):
    """One line of an activity's history (status changes with their reason)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="events", verbose_name=_("activity")
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.action}"


# --- annual reporting -----------------------------------------------------------------


class ReportingCycle(models.Model):
    """A year's reporting: opened by the secretariat with a due date and the
    areas (or measures) it covers; closes into the consolidated report for
    the SOC, which bears the cycle's symbol (``CICA/IMPL/2027``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    symbol = models.CharField(_("document symbol"), max_length=64, unique=True)
    due_on = models.DateField(_("due on"))
    areas = models.ManyToManyField(
        "measures.PriorityArea",
        related_name="reporting_cycles",
        blank=True,
        verbose_name=_("areas covered"),
    )
    measures = models.ManyToManyField(
        "measures.Measure",
        related_name="reporting_cycles",
        blank=True,
        verbose_name=_("measures covered"),
        help_text=_("Measures covered besides whole areas; their areas are owed."),
    )
    reminder_days = models.PositiveSmallIntegerField(_("reminder (days before)"), default=14)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Each sent once (claimed under a row lock by the periodic task).
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(_("summary sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")

    def __str__(self) -> str:
        return self.symbol


class ReturnKind(models.TextChoices):
    NATIONAL_REPORT = "national_report", _("National implementation report")
    NIL_RETURN = "nil_return", _("Nil return")
    PROGRESS_REPORT = "progress_report", _("Progress report")


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Return(models.Model):
    """What a state files for a cycle: a national report or a nil return for
    one priority area, or — a coordinator — a progress report on one measure.
    A draft until submitted; a submitted return is corrected by a new
    version (``ReturnVersion`` keeps each one submitted)."""

    cycle = models.ForeignKey(
        ReportingCycle, on_delete=models.PROTECT, related_name="returns", verbose_name=_("cycle")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="returns", verbose_name=_("state")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReturnKind.choices)
    area = models.ForeignKey(
        "measures.PriorityArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("priority area"),
    )
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("measure"),
        help_text=_("For a progress report: the measure coordinated."),
    )
    measures = models.ManyToManyField(
        "measures.Measure",
        related_name="returns",
        blank=True,
        verbose_name=_("measures concerned"),
    )
    activities = models.ManyToManyField(
        Activity,
        related_name="returns",
        blank=True,
        verbose_name=_("activities taken part in or hosted"),
    )
    text = models.TextField(_("text"), blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=24,
        choices=Visibility.choices,
        default=Visibility.MEMBERS_AND_OBSERVERS,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The first submission: on time or late is read from it against the due date.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    class Meta:
        ordering = ["cycle", "participant__code", "kind", "pk"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReturnKind.values), name="return_kind"),
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="return_status"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="return_visibility"
            ),
            # A report or a nil return is for an area; a progress report for a measure.
            models.CheckConstraint(
                condition=Q(kind="progress_report", measure__isnull=False, area__isnull=True)
                | (
                    Q(kind__in=["national_report", "nil_return"])
                    & Q(area__isnull=False, measure__isnull=True)
                ),
                name="return_area_or_measure",
            ),
            # One return (report or nil) per state, area and cycle...
            models.UniqueConstraint(
                fields=["cycle", "participant", "area"],
                condition=Q(area__isnull=False),
                name="return_once_per_area",
            ),
            # ...and one progress report per coordinator, measure and cycle.
            models.UniqueConstraint(
                fields=["cycle", "participant", "measure"],
                condition=Q(measure__isnull=False),
                name="return_once_per_measure",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, version__gte=1),
                name="return_submitted_has_a_version",
            ),
        ]

    def __str__(self) -> str:
        subject = self.measure.code if self.measure else (self.area.code if self.area else "")
        return f"{self.cycle.year} {self.participant.code} {subject} {self.get_kind_display()}"


class ReturnVersion(models.Model):
    """A return as it was submitted (version 1) or corrected (2, 3...)."""

    ret = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="versions", verbose_name=_("return")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReturnKind.choices)
    text = models.TextField(_("text"), blank=True)
    visibility = models.CharField(_("visibility"), max_length=24, choices=Visibility.choices)
    measure_codes = models.JSONField(_("measures concerned"), default=list, blank=True)
    activity_ids = models.JSONField(_("activities"), default=list, blank=True)
    note = models.TextField(_("correction note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    class Meta:
        ordering = ["ret", "version"]
        verbose_name = _("return version")
        verbose_name_plural = _("return versions")
        constraints = [
            models.UniqueConstraint(fields=["ret", "version"], name="return_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ret} v{self.version}"


class ReturnAttachment(models.Model):
    ret = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("return")
    )
    file = models.FileField(_("file"), upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["ret", "pk"]
        verbose_name = _("return attachment")
        verbose_name_plural = _("return attachments")

    def __str__(self) -> str:
        return self.original_name
