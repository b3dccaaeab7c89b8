"""Reads of the secretariat's records, as the caller may see them."""

from django.db.models import Prefetch, QuerySet

from members.models import ParticipationStatus
from members.rules import acting_for, is_chair_office, is_secretariat

from .models import Circulation, Notification, Receipt


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
