"""Who a user is, for permissions: staff roles and the state a delegate acts for.

These predicates are shared by the API, the admin and the delegate pages
(``rules``): "delegate of the same state" is a rule, not a stored grant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeAlias, TypeVar, cast

import rules
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import Value

from .models import Delegate, Participant, ParticipationStatus

SECRETARIAT_GROUP = "Secretariat"
CHAIR_GROUP = "Chair's office"

# Who a request comes from: a signed-in user or the anonymous one.
AnyUser: TypeAlias = User | AnonymousUser

_T = TypeVar("_T")


class _DesignatedByState(Protocol):
    participant_id: int


def predicate(fn: Callable[..., bool]) -> rules.Predicate:
    """``rules.predicate`` with its type written down, so that mypy checks
    the functions it wraps (the library leaves the decorator untyped)."""
    wrapped: rules.Predicate = rules.predicate(fn)
    return wrapped


def _memo(user: AnyUser, attribute: str, compute: Callable[[], _T]) -> _T:
    """Cached on the user object for the request: predicates ask often."""
    if not hasattr(user, attribute):
        setattr(user, attribute, compute())
    return cast(_T, getattr(user, attribute))


def _groups(user: AnyUser) -> set[str]:
    return _memo(user, "_cica_groups", lambda: set(user.groups.values_list("name", flat=True)))


def load_roles(user: AnyUser) -> None:
    """Read the user's groups and permissions in one query and keep them on the
    user object, where ``_groups`` and Django's ModelBackend look first (its
    ``_user_perm_cache``, ``_group_perm_cache`` and their union ``_perm_cache``,
    filled with what ModelBackend would read). An admin page otherwise asks
    three times — the groups for the roles, then the user's and the groups'
    permissions for the sidebar (issue 18: the dashboard in ten queries).
    A superuser has every permission without reading any: only the groups."""
    if not getattr(user, "is_authenticated", False) or hasattr(user, "_cica_groups"):
        return
    if user.is_superuser or not user.is_active:
        _groups(user)
        return
    rows = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list(Value("group"), "name", Value(""))
        .union(
            Permission.objects.filter(user=user)
            .order_by()
            .values_list(Value("user"), "content_type__app_label", "codename"),
            Permission.objects.filter(group__user=user)
            .order_by()
            .values_list(Value("group_perm"), "content_type__app_label", "codename"),
            all=True,
        )
    )
    found: dict[str, set[str]] = {"group": set(), "user": set(), "group_perm": set()}
    for kind, first, second in rows:
        found[kind].add(first if kind == "group" else f"{first}.{second}")
    caches = {
        "_cica_groups": found["group"],
        "_user_perm_cache": found["user"],
        "_group_perm_cache": found["group_perm"],
        "_perm_cache": found["user"] | found["group_perm"],
    }
    for attribute, value in caches.items():
        setattr(user, attribute, value)


def acting_for(user: AnyUser) -> Participant | None:
    """The participant an active delegate acts for, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None

    def participant() -> Participant | None:
        delegate = (
            Delegate.objects.select_related("participant").filter(user=user, is_active=True).first()
        )
        return delegate.participant if delegate else None

    return _memo(user, "_cica_acting_for", participant)


@predicate
def is_secretariat(user: AnyUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or SECRETARIAT_GROUP in _groups(user)


@predicate
def is_chair_office(user: AnyUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return CHAIR_GROUP in _groups(user)


def delegate_status(user: AnyUser) -> str | None:
    """member / observer for the participant the user acts for, today."""
    participant = acting_for(user)
    if participant is None:
        return None
    return _memo(user, "_cica_status", participant.status_on)


@predicate
def is_member_delegate(user: AnyUser) -> bool:
    return delegate_status(user) == ParticipationStatus.MEMBER


@predicate
def is_observer_delegate(user: AnyUser) -> bool:
    return delegate_status(user) == ParticipationStatus.OBSERVER


def can_see_expert_contact(user: AnyUser, expert: _DesignatedByState) -> bool:
    """An expert's contact details: the secretariat and the designating state only."""
    if is_secretariat(user):
        return True
    participant = acting_for(user)
    return participant is not None and participant.pk == expert.participant_id


def can_see_webhook_secret(user: AnyUser) -> bool:
    """A webhook's signing secret is a credential shared with one client: only
    the secretariat, which registers the subscription, reads it — not the
    Chair's office, which may read the registers."""
    return bool(is_secretariat(user))
