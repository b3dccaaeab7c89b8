"""Reads of the secretariat's records, as the caller may see them."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from members.models import ParticipationStatus
from members.rules import acting_for, is_chair_office, is_secretariat

from .models import (
    Circulation,
    CoSubmitter,
    InformationStatus,
    InformationSubmission,
    Notification,
    Receipt,
    Visibility,
)


def circulations_visible(user) -> QuerySet[Circulation]:
    """Staff see every circulation; a delegate those addressed to their state;
    anyone else none."""
    qs = Circulation.objects.select_related("paper", "initiative__measure", "silence_broken_by")
    if is_secretariat(user) or is_chair_office(user):
        return qs
    participant = acting_for(user)
    if participant is None:
        return qs.none()
    return qs.filter(receipts__participant=participant)


def circulation_detail(user) -> QuerySet[Circulation]:
    return circulations_visible(user).prefetch_related(
        Prefetch(
            "receipts",
            queryset=Receipt.objects.select_related(
                "participant", "first_read_by", "acknowledged_by", "position_by"
            ),
        )
    )


def can_see_positions(user) -> bool:
    """Positions: the secretariat, the Chair's office and member states'
    delegates. Never the public; observers see acknowledgements only."""
    if is_secretariat(user) or is_chair_office(user):
        return True
    participant = acting_for(user)
    return bool(participant and participant.status_on() == ParticipationStatus.MEMBER)


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


# --- the information exchange ---------------------------------------------------------


def information_visible(user) -> QuerySet[InformationSubmission]:
    """Staff see every submission; a state's delegates see their own state's
    (as lead or named co-submitter) and what was disseminated to them; the
    public sees what was disseminated publicly."""
    qs = InformationSubmission.objects.select_related("submitted_for").prefetch_related(
        "measures",
        Prefetch("co_submitters", queryset=CoSubmitter.objects.select_related("participant")),
        "attachments",
    )
    if is_secretariat(user) or is_chair_office(user):
        return qs
    disseminated = Q(status=InformationStatus.DISSEMINATED)
    open_to = Q(visibility=Visibility.PUBLIC)
    participant = acting_for(user)
    if participant is None:
        return qs.filter(disseminated & open_to)
    status = participant.status_on()
    if status == ParticipationStatus.MEMBER:
        open_to |= Q(visibility__in=[Visibility.MEMBERS, Visibility.MEMBERS_AND_OBSERVERS])
    elif status == ParticipationStatus.OBSERVER:
        open_to |= Q(visibility=Visibility.MEMBERS_AND_OBSERVERS)
    own = Q(submitted_for=participant) | Q(co_submitters__participant=participant)
    return qs.filter((disseminated & open_to) | own).distinct()


def information_search(queryset, text: str):
    """Full text in English, French and Russian: on PostgreSQL the GIN-indexed
    vector (every word as written, plus stems in the submission's language),
    ranked; on SQLite a plain LIKE on title and text."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="simple", search_type="websearch")
        for config in ("english", "french", "russian"):
            query |= SearchQuery(text, config=config, search_type="websearch")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-submitted_at")
        )
    return queryset.filter(Q(title__icontains=text) | Q(text__icontains=text))


def meetings_for_calendar(*, participant=None):
    from .models import Meeting

    meetings = Meeting.objects.select_related("host", "measure").prefetch_related("present")
    if participant is not None:
        meetings = meetings.filter(Q(host=participant) | Q(present=participant)).distinct()
    return meetings.order_by("date", "pk")
