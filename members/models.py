"""Registers of participants: states and organisations, their status over time,
the Chair, and the delegates who act for them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .text import normalize_name


class ParticipantKind(models.TextChoices):
    STATE = "state", _("State")
    ORGANIZATION = "organization", _("International organisation")


class ParticipationStatus(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class ParticipantQuerySet(models.QuerySet):
    def with_status(self, on: datetime.date | None = None) -> ParticipantQuerySet:
        """Annotate ``status`` (member / observer / None) on a date, today by default.

        The status is derived from the participation history in one subquery,
        never stored on the participant.
        """
        on = on or timezone.localdate()
        current = Participation.objects.filter(participant=models.OuterRef("pk")).in_force(on)
        return self.annotate(status=models.Subquery(current.values("status")[:1]))

    def with_status_in(self, status: str, on: datetime.date | None = None) -> ParticipantQuerySet:
        on = on or timezone.localdate()
        holding = Participation.objects.in_force(on).filter(status=status)
        return self.filter(pk__in=holding.values("participant_id"))

    def search(self, text: str) -> ParticipantQuerySet:
        """Any of its names in the three languages, any alias, or the code."""
        key = normalize_name(text)
        if not key:
            return self
        names = Q(code__iexact=text.strip()) | Q(normalized_names__contains=key)
        names |= Q(
            pk__in=ParticipantAlias.objects.filter(normalized__contains=key).values(
                "participant_id"
            )
        )
        return self.filter(names)


# modeltranslation replaces the managers of Participant (a translated model)
# at run time, so django-stubs' plugin cannot resolve them, nor the related
# managers that point at it (see MANAGERS_NOTE in measures/models.py).
class Participant(models.Model):  # type: ignore[django-manager-missing]
    """A state or an international organisation taking part in CICA."""

    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_(
            "ISO 3166-1 alpha-3 for a state (KAZ); the acronym for an organisation (OSCE)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ParticipantKind.choices)
    name = models.CharField(_("name"), max_length=200)
    normalized_names = models.CharField(max_length=700, editable=False, blank=True)

    objects = ParticipantQuerySet.as_manager()  # type: ignore[django-manager-missing]

    class Meta:
        ordering = ["code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ParticipantKind.values), name="participant_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="participant_code_upper"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        # A derived search key (names folded for case and accents), kept in step.
        names = [getattr(self, f"name_{lang}", "") or "" for lang in ("en", "fr", "ru")]
        self.normalized_names = " | ".join(normalize_name(n) for n in names)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "normalized_names"}
        super().save(*args, **kwargs)

    def status_on(self, on: datetime.date | None = None) -> str | None:
        row = self.participations.in_force(on or timezone.localdate()).first()
        return row.status if row else None

    @property
    def current_status(self) -> str | None:
        # Lists annotate ``status`` (with_status); a single object asks its history.
        if "status" in self.__dict__:
            return self.__dict__["status"]
        return self.status_on()


class ParticipantAlias(models.Model):
    """Another name under which a participant is known (the seed writes both
    "Fédération de Russie" and "Russie"): imports and search find either."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("participant")
    )
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    normalized = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        ordering = ["participant__code", "name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "name", "language"], name="alias_unique_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived search key, not a business rule: kept in step with ``name``.
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


class ParticipationQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | OuterRef) -> ParticipationQuerySet:
        """Rows valid on a date: started on or before it (or start not recorded)
        and not yet ended (``ended_on`` is the first day it no longer holds)."""
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=on),
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        )


class Participation(models.Model):
    """One period of a participant's status. An observer that becomes a member
    gets a new row; the observer row is closed, never overwritten."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("status"), max_length=16, choices=ParticipationStatus.choices)
    started_on = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty when the source gives no date.")
    )
    ended_on = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("The first day on which this status no longer holds; empty while current."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["participant__code", models.F("started_on").asc(nulls_first=True)]
        verbose_name = _("participation period")
        verbose_name_plural = _("participation history")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ParticipationStatus.values),
                name="participation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gt=models.F("started_on")),
                name="participation_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(ended_on__isnull=True),
                name="participation_one_open_period",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.started_on or '?'} – {self.ended_on or '…'}"
        return f"{self.participant.code}: {self.get_status_display()} {period}"


class Chairmanship(models.Model):
    """A participant chairing CICA for a period (chairs rotate)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="chairmanships", verbose_name=_("chair")
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while the chairmanship lasts.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("chairmanship")
        verbose_name_plural = _("chairmanships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("started_on")),
                name="chairmanship_ends_after_start",
            ),
            models.UniqueConstraint(fields=["started_on"], name="chairmanship_one_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.started_on} – {self.ended_on or '…'}"


class DelegateRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    DELEGATE = "delegate", _("Delegate")
    EXPERT_CONTACT = "expert_contact", _("Expert contact")


class Delegate(models.Model):
    """A user acting for one participant. A user acts for at most one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegate",
        verbose_name=_("user"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="delegates",
        verbose_name=_("participant"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=DelegateRole.choices, default=DelegateRole.DELEGATE
    )
    is_active = models.BooleanField(_("active"), default=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language of notices"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the notices this delegate receives (empty: the site's default)."
        ),
    )

    class Meta:
        ordering = ["participant__code", "user__username"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=DelegateRole.values), name="delegate_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.participant.code}, {self.get_role_display()})"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that are neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A bearer token for a REST client. Only a SHA-256 digest of the secret
    is stored: the secret is shown once, when issued. A token expires, and
    its owner or the secretariat can revoke it at any time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("An e-mail for each notice")
    DAILY = "daily", _("One daily digest")


class UserPreference(models.Model):
    """What one user (delegate or secretariat) prefers: the language of the
    pages and of every notice and e-mail they receive, and how often they are
    e-mailed. Set from the language switcher and the preferences page; a user
    without a row (or with no language) falls back to their delegate record's
    language of notices, then to the site's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    email_frequency = models.CharField(
        _("e-mail"),
        max_length=16,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_frequency__in=EmailFrequency.values),
                name="preference_email_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}, {self.email_frequency}"
