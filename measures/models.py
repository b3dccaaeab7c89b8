"""The Catalogue: priority areas, numbered measures, and the coordinator offers
listed in the annex of the cooperative approach (Bangkok, 14 March 2007)."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings as _settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Participant
from members.text import normalize_name

from .search import clean_query, measure_ids_by_words, parse_reference
from .workflow import EVENT_CHOICES, OPEN_STATUSES, Status, event_label

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager

# MANAGERS_NOTE: modeltranslation replaces the managers of the translated
# models at run time, so django-stubs' plugin cannot resolve them (nor the
# related managers that point at those models): their lines say so to mypy.


class PriorityArea(models.Model):  # type: ignore[django-manager-missing]  # see MANAGERS_NOTE
    """A heading of the cooperative approach (Economy, Environment, Human
    dimension, New challenges and threats). Areas are data: more can be added."""

    if TYPE_CHECKING:  # added at run time by modeltranslation
        name_en: str
        name_fr: str
        name_ru: str

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="area_code_upper"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class AreaAlias(models.Model):
    """Another name of an area: the Catalogue's introduction calls the third
    heading "Action humanitaire", its section title "Dimension humaine"."""

    area = models.ForeignKey(
        PriorityArea, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8, blank=True)
    normalized = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        ordering = ["area__order", "name"]
        verbose_name = _("area alias")
        verbose_name_plural = _("area aliases")
        constraints = [
            models.UniqueConstraint(fields=["area", "name", "language"], name="area_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived search key kept in step with ``name``.
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


class MeasureQuerySet(models.QuerySet):
    def search(self, text: str) -> MeasureQuerySet:
        """Code, title or text in any of the three languages, or an area name;
        by word, accent- and case-insensitive, by prefix of the word's stem
        (``measures.search``: "énergie", "энергия" find ECO-3)."""
        text = clean_query(text)
        if not text:
            return self
        reference = parse_reference(text)
        if reference is not None:
            return self.filter(code__iexact=reference.code)
        match = Q(code__iexact=text)
        by_words = measure_ids_by_words(Measure.objects.rewrite(False), text)
        if by_words is not None:
            match |= Q(pk__in=by_words)
        for field in ("title", "text"):
            for lang in ("en", "fr", "ru"):
                match |= Q(**{f"{field}_{lang}__icontains": text})
        for lang in ("en", "fr", "ru"):
            match |= Q(**{f"area__name_{lang}__icontains": text})
        match |= Q(area__aliases__normalized__contains=normalize_name(text))
        return self.filter(match).distinct()

    def coordinated_by(self, participant: Participant) -> MeasureQuerySet:
        """Measures a participant has offered to coordinate: named measures,
        and every measure of an area offered as a whole. An offer of "one
        measure in an area, not yet named" or "to be determined" names none."""
        offers = CoordinatorOffer.objects.filter(participant=participant)
        named = offers.filter(scope=OfferScope.MEASURE).values("measure_id")
        whole_areas = offers.filter(scope=OfferScope.AREA).values("area_id")
        return self.filter(Q(pk__in=named) | Q(area__in=whole_areas))


class Measure(models.Model):  # type: ignore[django-manager-missing]  # see MANAGERS_NOTE
    """A numbered confidence-building measure of the Catalogue (e.g. ECO-2)."""

    if TYPE_CHECKING:  # added at run time by modeltranslation and simple_history
        title_en: str
        title_fr: str
        title_ru: str
        text_en: str
        text_fr: str
        text_ru: str
        history: HistoryManager

    area = models.ForeignKey(
        PriorityArea, on_delete=models.PROTECT, related_name="measures", verbose_name=_("area")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("text"))
    # Derived from the area's order and the number (kept by save and by
    # area_upsert): lists sort on one indexed column instead of across a join.
    sort_key = models.PositiveIntegerField(default=0, editable=False, db_index=True)
    # Derived, kept by measures.services after every change of an initiative:
    # the most advanced initiative, so that lists read it with one join.
    lead_initiative = models.ForeignKey(
        "Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("lead initiative"),
    )

    objects = MeasureQuerySet.as_manager()  # type: ignore[django-manager-missing]  # see MANAGERS_NOTE

    class Meta:
        ordering = ["sort_key", "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "number"], name="measure_number_unique_in_area"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="measure_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        # The code is derived from area and number (ECO + 2 -> ECO-2), never typed.
        self.code = f"{self.area.code}-{self.number}"
        self.sort_key = self.area.order * 10_000 + self.number
        super().save(*args, **kwargs)


class Expert(models.Model):
    """A specialist a member state designates for a measure (modality (b):
    "Les États membres pourront désigner périodiquement des spécialistes ou
    experts"). Contact details are for the secretariat and that state only."""

    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="experts",
        verbose_name=_("designating state"),
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        related_name="experts",
        verbose_name=_("measure"),
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    expertise = models.TextField(_("expertise"), blank=True)
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("e.g. en, ru")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    designated_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated by"),
    )

    class Meta:
        # The model moved here from members (its relations point at the
        # Catalogue); its rows stay in their first table.
        db_table = "members_expert"
        ordering = ["measure", "participant__code", "name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="expert_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.participant.code})"

    def active_on(self, on: datetime.date) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on >= on)


class CoordinatorRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinator")
    UNSPECIFIED = "unspecified", _("Coordinator or co-coordinator (not specified)")


class OfferScope(models.TextChoices):
    MEASURE = "measure", _("A named measure")
    AREA = "area", _("A whole priority area")
    MEASURE_IN_AREA = "measure_in_area", _("One measure in an area, not yet named")
    TBD = "tbd", _("To be determined")


class CoordinatorOffer(models.Model):  # type: ignore[django-manager-missing]  # see MANAGERS_NOTE
    """A state's offer to coordinate (annex of the cooperative approach).

    An offer names one measure, a whole area, one measure of an area not yet
    named, or nothing yet; the constraints hold exactly those four shapes so
    the register never invents a measure the annex does not name.
    """

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="coordinator_offers",
        verbose_name=_("participant"),
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=CoordinatorRole.choices,
        default=CoordinatorRole.UNSPECIFIED,
    )
    scope = models.CharField(_("scope"), max_length=16, choices=OfferScope.choices)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinator_offers",
        verbose_name=_("measure"),
    )
    area = models.ForeignKey(
        PriorityArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinator_offers",
        verbose_name=_("area"),
    )
    description = models.CharField(_("description"), max_length=300)
    annex_text = models.CharField(
        _("text of the annex"),
        max_length=300,
        blank=True,
        help_text=_("The offer as the source document words it (French)."),
    )
    offered_on = models.DateField(_("offered on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "participant__code"]
        verbose_name = _("coordinator offer")
        verbose_name_plural = _("coordinator offers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=OfferScope.MEASURE, measure__isnull=False, area__isnull=True)
                    | Q(scope=OfferScope.AREA, measure__isnull=True, area__isnull=False)
                    | Q(scope=OfferScope.MEASURE_IN_AREA, measure__isnull=True, area__isnull=False)
                    | Q(scope=OfferScope.TBD, measure__isnull=True, area__isnull=True)
                ),
                name="offer_scope_matches_target",
            ),
            models.CheckConstraint(
                condition=Q(role__in=CoordinatorRole.values), name="offer_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.scope == OfferScope.MEASURE and self.measure is not None:
            return self.measure.code
        if self.scope == OfferScope.AREA and self.area is not None:
            return str(_("area %(code)s as a whole") % {"code": self.area.code})
        if self.scope == OfferScope.MEASURE_IN_AREA and self.area is not None:
            return str(_("a measure in %(code)s, not yet named") % {"code": self.area.code})
        return str(_("to be determined"))


# --- initiatives (modality (a): concept papers; modality (b): working papers) ---


class Modality(models.TextChoices):
    CONCEPT_PAPER = "a", _("(a) Concept paper")
    WORKING_PAPER = "b", _("(b) Exchange of views and working paper")


class Initiative(models.Model):
    """One measure being taken forward by interested member states.

    The status is written only by ``measures.services`` through the table in
    ``measures.workflow``; every change leaves an :class:`InitiativeEvent`.
    """

    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("measure")
    )
    modality = models.CharField(
        _("modality"), max_length=1, choices=Modality.choices, default=Modality.CONCEPT_PAPER
    )
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=1, help_text=_("1 for a measure's first initiative, then 2, 3…")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.INTEREST_DECLARED
    )
    responsible_experts = models.ManyToManyField(
        Expert,
        blank=True,
        related_name="working_papers",
        verbose_name=_("responsible experts"),
        help_text=_("Modality (b): the experts charged with the working paper."),
    )
    charged_at = models.ForeignKey(
        "secretariat.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charged_initiatives",
        verbose_name=_("charged at meeting"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["measure__area__order", "measure__number", "sequence"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "modality"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="initiative_one_open_per_measure_and_modality",
            ),
            # The reference (ECO-9, ECO-9-2) is the measure's code and the
            # sequence: one numbering per measure, whatever the modality.
            models.UniqueConstraint(fields=["measure", "sequence"], name="initiative_reference"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="initiative_status_valid"
            ),
        ]
        indexes = [
            # /api/v1/initiatives/?status=...: the count and the page's ids
            # read from the index, in the list's order (by id), instead of
            # filtering every initiative twice a page (issue 18).
            models.Index(fields=["status", "id"], name="initiative_status_id"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        """ECO-4 for a measure's first initiative (of either modality), ECO-4-2 for the second."""
        return self.reference_for(self.measure.code, self.sequence)

    @staticmethod
    def reference_for(measure_code: str, sequence: int) -> str:
        return measure_code if sequence == 1 else f"{measure_code}-{sequence}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class InterestDeclaration(models.Model):
    """A member state's declaration of interest in implementing a measure."""

    if TYPE_CHECKING:  # added at run time by simple_history
        history: HistoryManager

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("initiative"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("state"),
    )
    declared_on = models.DateField(_("declared on"))
    declared_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    statement = models.TextField(_("statement"), blank=True)
    volunteers_as_coordinator = models.BooleanField(_("volunteers as coordinator"), default=False)

    class Meta:
        ordering = ["declared_on", "participant__code"]
        verbose_name = _("declaration of interest")
        verbose_name_plural = _("declarations of interest")
        indexes = [
            # A state's initiatives (?participant=) from the index alone.
            models.Index(fields=["participant", "initiative"], name="declaration_by_participant"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "participant"], name="declaration_once_per_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} → {self.initiative.reference}"


class DesignationRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinator")


class CoordinatorDesignation(models.Model):
    """A state designated (co-)coordinator of an initiative after the Chair's
    consultation of the interested states."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="designations",
        verbose_name=_("initiative"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="designations",
        verbose_name=_("state"),
    )
    role = models.CharField(_("role"), max_length=16, choices=DesignationRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    designated_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated by"),
    )

    class Meta:
        ordering = ["role", "participant__code"]
        verbose_name = _("coordinator designation")
        verbose_name_plural = _("coordinator designations")
        indexes = [
            # A state's initiatives (?participant=) from the index alone.
            models.Index(fields=["participant", "initiative"], name="designation_by_participant"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "participant"],
                condition=Q(ended_on__isnull=True),
                name="designation_one_open_per_state",
            ),
            models.CheckConstraint(
                condition=Q(role__in=DesignationRole.values), name="designation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code}: {self.get_role_display()} ({self.initiative.reference})"


class PaperKind(models.TextChoices):
    CONCEPT_PAPER = "concept_paper", _("Concept paper")
    WORKING_PAPER = "working_paper", _("Working paper")


def paper_upload_to(instance: Paper, filename: str) -> str:
    # A generated name: the uploader's file name is kept in a field, never on disk.
    return f"papers/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class Paper(models.Model):
    """One version of a concept (or working) paper. A revision is a new
    version; earlier versions are kept."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="papers", verbose_name=_("initiative")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PaperKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    symbol = models.CharField(_("document symbol"), max_length=64, unique=True)
    file = models.FileField(_("file"), upload_to=paper_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=_settings.LANGUAGES)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_for = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="papers",
        verbose_name=_("submitted for"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["initiative", "kind", "version"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "kind", "version"], name="paper_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="paper_version_positive"),
        ]

    def __str__(self) -> str:
        return self.symbol


class InitiativeEvent(models.Model):
    """One line of an initiative's timeline: who did what, for whom, when, why."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="events", verbose_name=_("initiative")
    )
    action = models.CharField(_("action"), max_length=32, choices=EVENT_CHOICES)
    from_status = models.CharField(_("from"), max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Status.choices)
    actor = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    acting_for = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for"),
    )
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline")

    def __str__(self) -> str:
        # What happened, as the timeline says it: never the raw codes (issue 16 item 13).
        return f"{self.initiative.reference}: {self.action_label}"

    @property
    def action_label(self) -> str:
        """What happened, as the timeline reads it ("Working paper submitted",
        "Consultation opened"): an event, not the command that caused it
        (issue 16 item 13). The command is :func:`workflow.action_label`."""
        return event_label(self.action, self.initiative.modality)
