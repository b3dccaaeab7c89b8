"""Who a user is, for permissions: staff roles and the state a delegate acts for.

These predicates are shared by the API, the admin and the delegate pages
(``rules``): "delegate of the same state" is a rule, not a stored grant.
"""

from __future__ import annotations

import rules

from .models import Delegate, Participant, ParticipationStatus

SECRETARIAT_GROUP = "Secretariat"
CHAIR_GROUP = "Chair's office"


def _groups(user) -> set[str]:
    # Cached on the user object for the request: predicates ask often.
    cached = getattr(user, "_cica_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._cica_groups = cached
    return cached


def acting_for(user) -> Participant | None:
    """The participant an active delegate acts for, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_cica_acting_for"):
        delegate = (
            Delegate.objects.select_related("participant").filter(user=user, is_active=True).first()
        )
        user._cica_acting_for = delegate.participant if delegate else None
    return user._cica_acting_for


@rules.predicate
def is_secretariat(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or SECRETARIAT_GROUP in _groups(user)


@rules.predicate
def is_chair_office(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return CHAIR_GROUP in _groups(user)


def delegate_status(user) -> str | None:
    """member / observer for the participant the user acts for, today."""
    participant = acting_for(user)
    if participant is None:
        return None
    if not hasattr(user, "_cica_status"):
        user._cica_status = participant.status_on()
    return user._cica_status


@rules.predicate
def is_member_delegate(user) -> bool:
    return delegate_status(user) == ParticipationStatus.MEMBER


@rules.predicate
def is_observer_delegate(user) -> bool:
    return delegate_status(user) == ParticipationStatus.OBSERVER


def can_see_expert_contact(user, expert) -> bool:
    """An expert's contact details: the secretariat and the designating state only."""
    if is_secretariat(user):
        return True
    participant = acting_for(user)
    return participant is not None and participant.pk == expert.participant_id


def can_see_webhook_secret(user) -> bool:
    """A webhook's signing secret is a credential shared with one client: only
    the secretariat, which registers the subscription, reads it — not the
    Chair's office, which may read the registers."""
    return bool(is_secretariat(user))
