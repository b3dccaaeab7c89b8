"""The Catalogue: priority areas, numbered measures, and the coordinator offers
listed in the annex of the cooperative approach (Bangkok, 14 March 2007)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Participant
from members.text import normalize_name


class PriorityArea(models.Model):
    """A heading of the cooperative approach (Economy, Environment, Human
    dimension, New challenges and threats). Areas are data: more can be added."""

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
        """Code, title or text in any of the three languages, or an area name."""
        text = text.strip()
        if not text:
            return self
        match = Q(code__iexact=text)
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


class Measure(models.Model):
    """A numbered confidence-building measure of the Catalogue (e.g. ECO-2)."""

    area = models.ForeignKey(
        PriorityArea, on_delete=models.PROTECT, related_name="measures", verbose_name=_("area")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("short title"), max_length=200)
    text = models.TextField(_("text"))

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "number"]
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
        super().save(*args, **kwargs)


class CoordinatorRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinator")
    UNSPECIFIED = "unspecified", _("Coordinator or co-coordinator (not specified)")


class OfferScope(models.TextChoices):
    MEASURE = "measure", _("A named measure")
    AREA = "area", _("A whole priority area")
    MEASURE_IN_AREA = "measure_in_area", _("One measure in an area, not yet named")
    TBD = "tbd", _("To be determined")


class CoordinatorOffer(models.Model):
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
        if self.scope == OfferScope.MEASURE and self.measure_id:
            return self.measure.code
        if self.scope == OfferScope.AREA and self.area_id:
            return str(_("area %(code)s as a whole") % {"code": self.area.code})
        if self.scope == OfferScope.MEASURE_IN_AREA and self.area_id:
            return str(_("a measure in %(code)s, not yet named") % {"code": self.area.code})
        return str(_("to be determined"))
