"""Meetings and their decisions, circulations of papers (receipts and
notifications follow in the circulation ledger)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from measures.models import Initiative, Paper
from measures.workflow import Outcome
from members.models import Participant


class Body(models.TextChoices):
    SWG = "swg", _("Special Working Group")
    SOC = "soc", _("Senior Officials Committee")
    SPECIALISED = "specialised", _("Specialised meeting")
    MINISTERIAL = "ministerial", _("Ministerial meeting")
    SUMMIT = "summit", _("Summit")


class Meeting(models.Model):
    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host"),
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

    class Meta:
        ordering = ["-date", "body"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=Q(body__in=Body.values), name="meeting_body_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.date:%Y-%m-%d}" + (
            f" ({self.place})" if self.place else ""
        )


class Decision(models.Model):
    """A decision of the SWG or the SOC on an initiative, taken by consensus of
    the member states present: an approval stands only if none objects."""

    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
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
        ]

    def __str__(self) -> str:
        return f"{self.symbol}: {self.get_outcome_display()}"


class Audience(models.TextChoices):
    MEMBERS = "members", _("Member states")
    MEMBERS_AND_OBSERVERS = "members_and_observers", _("Member states and observers")


class Circulation(models.Model):
    """A paper circulated by the secretariat with a comment deadline (seed:
    "Ce document sera diffusé par le secrétariat auprès des États membres")."""

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="circulations",
        verbose_name=_("initiative"),
    )
    paper = models.ForeignKey(
        Paper, on_delete=models.PROTECT, related_name="circulations", verbose_name=_("paper")
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    audience = models.CharField(
        _("audience"), max_length=24, choices=Audience.choices, default=Audience.MEMBERS
    )
    deadline = models.DateField(_("comment deadline"))
    circulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("circulated by"),
    )
    circulated_at = models.DateTimeField(_("circulated at"), auto_now_add=True)

    class Meta:
        ordering = ["-circulated_at", "-pk"]
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")

    def __str__(self) -> str:
        return f"{self.reference} ({self.paper.symbol})"


class SymbolSequence(models.Model):
    """Running numbers for document symbols (CICA/SWG/DEC/2026/3), one row per
    prefix, incremented under a row lock so two writers never share a number."""

    prefix = models.CharField(max_length=64, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"
