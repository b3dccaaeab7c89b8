"""Reads of the participant registers, shaped for the API and the admin."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from .models import (
    ApiToken,
    Delegate,
    EmailFrequency,
    Participant,
    ParticipantAlias,
    Participation,
    UserPreference,
)
from .rules import AnyUser, is_secretariat
from .text import normalize_name


def participant_list(*, on: datetime.date | None = None) -> QuerySet[Participant]:
    """Participants with their status on a date (today by default), aliases
    and history prefetched: a constant number of queries for any page size."""
    # Typed here: modeltranslation hides Participant's manager from the stubs.
    participants: QuerySet[Participant] = (
        Participant.objects.with_status(on)
        .prefetch_related(
            "aliases",
            Prefetch("participations", queryset=Participation.objects.order_by("started_on")),
        )
        .order_by("code")
    )
    return participants


class ParticipantNames:
    """Every name a participant is known by — its code, its names in the three
    languages, its aliases — folded as the participant search folds them
    (``normalize_name``), for the imports: a whole name must match, never a
    part of one. Two queries, whatever the number of rows looked up."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[int, Participant]] = {}
        participants = {p.pk: p for p in Participant.objects.all()}
        for participant in participants.values():
            names = [participant.code]
            names += [getattr(participant, f"name_{lang}", "") or "" for lang in ("en", "fr", "ru")]
            for name in names:
                self._add(name, participant)
        for alias in ParticipantAlias.objects.all():
            self._add(alias.name, participants[alias.participant_id])

    def _add(self, name: str, participant: Participant) -> None:
        key = normalize_name(name)
        if key:
            self.by_key.setdefault(key, {})[participant.pk] = participant

    def find(self, text: str) -> list[Participant]:
        """The participants called ``text`` (none, one, or several if ambiguous)."""
        return sorted(self.by_key.get(normalize_name(text), {}).values(), key=lambda p: p.code)

    def suggest(self, text: str, limit: int = 3) -> list[Participant]:
        """Participants whose names hold ``text`` (the API's participant search),
        for "did you mean" when no name matches whole."""
        return list(Participant.objects.search(text).order_by("code")[:limit])


def api_tokens_visible_to(user: AnyUser) -> QuerySet[ApiToken]:
    """A user's own API tokens; the secretariat's view is everyone's (to
    revoke a lost one). Nobody else learns that another's token exists."""
    tokens = ApiToken.objects.select_related("user")
    if isinstance(user, AnonymousUser):  # the views ask for a signed-in user first
        return tokens.none()
    return tokens if is_secretariat(user) else tokens.filter(user=user)


# --- a user's preferences (issue 16 item 3) ----------------------------------------------


def preference_of(user: AnyUser) -> UserPreference:
    """The user's preferences, unsaved defaults for a user who has none."""
    pk: int | None = getattr(user, "pk", None)
    if pk is None:
        return UserPreference()
    return UserPreference.objects.filter(user_id=pk).first() or UserPreference(user_id=pk)


def notice_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """The language each user reads notices in: their preference, else their
    delegate record's language of notices, else the site's. Two queries for
    any number of users."""
    ids = list(user_ids)
    languages = {pk: settings.LANGUAGE_CODE for pk in ids}
    languages.update(
        Delegate.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )
    languages.update(
        UserPreference.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )
    return languages


def digest_readers(user_ids: Iterable[int]) -> set[int]:
    """Those of these users who asked for one daily digest instead of an
    e-mail per notice. One query."""
    return set(
        UserPreference.objects.filter(
            user_id__in=list(user_ids), email_frequency=EmailFrequency.DAILY
        ).values_list("user_id", flat=True)
    )
