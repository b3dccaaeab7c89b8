"""Permissions on initiatives, derived from the transition table.

``measures.<action>`` is granted when one of the user's roles for that
initiative appears in ``workflow.TRANSITIONS[action].roles``. Deny by default:
a role the table does not name gets nothing, and neither does an action
missing from the initiative's modality's table or a modality with no table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from members.rules import (
    AnyUser,
    acting_for,
    is_chair_office,
    is_member_delegate,
    is_observer_delegate,
    is_secretariat,
    predicate,
)

from .workflow import TABLES, Role

if TYPE_CHECKING:
    from .models import Initiative


def user_roles(user: AnyUser, initiative: Initiative | None = None) -> set[str]:
    """The roles a user holds, for one initiative when given."""
    roles: set[str] = set()
    if is_secretariat(user):
        roles.add(Role.SECRETARIAT)
    if is_chair_office(user):
        roles.add(Role.CHAIR)
    if is_member_delegate(user):
        roles.add(Role.MEMBER_DELEGATE)
        if initiative is not None and getattr(initiative, "pk", None):
            participant = acting_for(user)
            # Read with the initiative (selectors.initiative_of_row): the same
            # rule as the queries below, on the rows the detail already holds.
            known: frozenset[int] | None = getattr(initiative, "coordinating_ids", None)
            if known is not None:
                coordinates = participant is not None and participant.pk in known
            elif getattr(initiative, "modality", "a") == "b":
                # Modality (b): the states whose experts write the working paper.
                coordinates = initiative.responsible_experts.filter(
                    participant=participant
                ).exists()
            else:
                coordinates = initiative.designations.filter(
                    participant=participant, ended_on__isnull=True
                ).exists()
            if coordinates:
                roles.add(Role.COORDINATOR_DELEGATE)
    if is_observer_delegate(user):
        roles.add(Role.OBSERVER_DELEGATE)
    return roles


def _may(action: str) -> rules.Predicate:
    def may(user: AnyUser, initiative: Initiative | None = None) -> bool:
        # Without an initiative the question is about the action itself: the
        # default modality's table. An unknown modality has no table: nothing.
        modality: str | None = "a" if initiative is None else getattr(initiative, "modality", None)
        if modality is None:
            return False
        transition = TABLES.get(modality, {}).get(action)
        if transition is None:
            return False
        return bool(transition.roles & user_roles(user, initiative))

    wrapped: rules.Predicate = rules.predicate(may, name=f"may_{action}")
    return wrapped


for _action in {action for table in TABLES.values() for action in table}:
    rules.add_perm(f"measures.{_action}", _may(_action))


@predicate
def can_see_drafts(user: AnyUser, initiative: Initiative | None = None) -> bool:
    """Staff see every paper; a coordinator state's delegate sees its own drafts."""
    if is_secretariat(user) or is_chair_office(user):
        return True
    return initiative is not None and Role.COORDINATOR_DELEGATE in user_roles(user, initiative)


rules.add_perm("measures.view_drafts", can_see_drafts)
rules.add_perm("measures.view_positions", is_secretariat | is_chair_office | is_member_delegate)
