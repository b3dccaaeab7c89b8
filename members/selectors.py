"""Reads of the participant registers, shaped for the API and the admin."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Chairmanship, Participant, Participation


def participant_list(*, on=None) -> QuerySet[Participant]:
    """Participants with their status on a date (today by default), aliases
    and history prefetched: a constant number of queries for any page size."""
    return (
        Participant.objects.with_status(on)
        .prefetch_related(
            "aliases",
            Prefetch("participations", queryset=Participation.objects.order_by("started_on")),
        )
        .order_by("code")
    )


def chair_current(*, on=None) -> Chairmanship | None:
    on = on or timezone.localdate()
    return (
        Chairmanship.objects.select_related("participant")
        .filter(started_on__lte=on)
        .exclude(ended_on__lte=on)
        .order_by("-started_on")
        .first()
    )
