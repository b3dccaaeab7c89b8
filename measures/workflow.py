"""The initiative state machine as a table: pure code, no I/O.

Modality (a) of the cooperative approach (Bangkok, 14 March 2007): a member
state declares interest in a measure; the Chair consults the interested states
and designates coordinators, who draft a concept paper; the secretariat
circulates it; the Special Working Group (SWG) considers it and, if it
approves, the Senior Officials Committee (SOC) decides — by consensus.

The services read this table to decide whether an action is allowed now and
where it leads; nothing else knows the order of statuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Status(models.TextChoices):
    INTEREST_DECLARED = "interest_declared", _("Interest declared")
    CONSULTATION = "consultation", _("Consultation")
    DRAFTING = "drafting", _("Drafting")
    CIRCULATED = "circulated", _("Circulated")
    SWG_REVIEW = "swg_review", _("Special Working Group review")
    SOC_REVIEW = "soc_review", _("Senior Officials Committee review")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {
        Status.INTEREST_DECLARED,
        Status.CONSULTATION,
        Status.DRAFTING,
        Status.CIRCULATED,
        Status.SWG_REVIEW,
        Status.SOC_REVIEW,
    }
)

# How far an initiative has come: a measure shows its most advanced one.
PROGRESS = {
    Status.WITHDRAWN: 0,
    Status.REJECTED: 1,
    Status.INTEREST_DECLARED: 2,
    Status.CONSULTATION: 3,
    Status.DRAFTING: 4,
    Status.CIRCULATED: 5,
    Status.SWG_REVIEW: 6,
    Status.SOC_REVIEW: 7,
    Status.ADOPTED: 8,
}


class Role(models.TextChoices):
    """What a user is in relation to one initiative."""

    SECRETARIAT = "secretariat", _("Secretariat")
    CHAIR = "chair", _("Chair's office")
    MEMBER_DELEGATE = "member_delegate", _("Delegate of a member state")
    COORDINATOR_DELEGATE = "coordinator_delegate", _("Delegate of a coordinator state")
    OBSERVER_DELEGATE = "observer_delegate", _("Delegate of an observer")


class Action(models.TextChoices):
    DECLARE_INTEREST = "declare_interest", _("Declare interest")
    OPEN_CONSULTATION = "open_consultation", _("Open consultation")
    DESIGNATE_COORDINATORS = "designate_coordinators", _("Designate coordinators")
    CHARGE_EXPERTS = "charge_experts", _("Charge experts with a working paper")
    SUBMIT_PAPER = "submit_paper", _("Submit concept paper")
    CIRCULATE = "circulate", _("Circulate to member states")
    REFER_TO_SWG = "refer_to_swg", _("Refer to the Special Working Group")
    RECORD_SWG_DECISION = "record_swg_decision", _("Record SWG decision")
    RECORD_SOC_DECISION = "record_soc_decision", _("Record SOC decision")
    WITHDRAW = "withdraw", _("Withdraw")


class TimelineEvent(models.TextChoices):
    """Timeline entries that are not workflow actions: they record what
    happened to an initiative without changing its status (no table row)."""

    SILENCE_STARTED = "silence_started", _("Silence procedure started")
    SILENCE_BROKEN = "silence_broken", _("Silence broken")
    SILENCE_CLOSED = "silence_closed", _("Silence procedure closed: draft adopted")


# What a timeline event may record: a workflow action or one of the above.
EVENT_CHOICES = [*Action.choices, *TimelineEvent.choices]


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")
    NO_CONSENSUS = "no_consensus", _("No consensus")
    REJECTED = "rejected", _("Rejected")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    roles: frozenset[str]
    # One target, or one per decision outcome. ``None`` keeps the status.
    target: str | None = None
    by_outcome: dict[str, str] = field(default_factory=dict)

    def target_for(self, current: str, outcome: str | None = None) -> str:
        if self.by_outcome:
            if outcome is None:
                raise KeyError("This transition's target is the decision's: give its outcome.")
            return self.by_outcome[outcome]
        return self.target or current


# "Returned" and "no consensus" both send the paper back to its coordinators
# for a revision that goes round again: a consensus that was not
# reached at the SWG or the SOC is sought on a revised paper.
_DECIDED: dict[str, str] = {
    Outcome.RETURNED: Status.DRAFTING,
    Outcome.NO_CONSENSUS: Status.DRAFTING,
    Outcome.REJECTED: Status.REJECTED,
}

TRANSITIONS: dict[str, Transition] = {
    # Joining an open initiative records the declaration and keeps its status:
    # a new interested state does not send a paper back to the start.
    Action.DECLARE_INTEREST: Transition(
        sources=OPEN_STATUSES, roles=frozenset({Role.MEMBER_DELEGATE})
    ),
    Action.OPEN_CONSULTATION: Transition(
        sources=frozenset({Status.INTEREST_DECLARED}),
        roles=frozenset({Role.CHAIR, Role.SECRETARIAT}),
        target=Status.CONSULTATION,
    ),
    Action.DESIGNATE_COORDINATORS: Transition(
        sources=frozenset({Status.CONSULTATION}),
        roles=frozenset({Role.CHAIR, Role.SECRETARIAT}),
        target=Status.DRAFTING,
    ),
    Action.SUBMIT_PAPER: Transition(
        sources=frozenset({Status.DRAFTING}),
        roles=frozenset({Role.COORDINATOR_DELEGATE}),
        target=Status.DRAFTING,
    ),
    Action.CIRCULATE: Transition(
        sources=frozenset({Status.DRAFTING}),
        roles=frozenset({Role.SECRETARIAT}),
        target=Status.CIRCULATED,
    ),
    Action.REFER_TO_SWG: Transition(
        sources=frozenset({Status.CIRCULATED}),
        roles=frozenset({Role.SECRETARIAT}),
        target=Status.SWG_REVIEW,
    ),
    Action.RECORD_SWG_DECISION: Transition(
        sources=frozenset({Status.SWG_REVIEW}),
        roles=frozenset({Role.SECRETARIAT}),
        by_outcome={
            Outcome.APPROVED: Status.SOC_REVIEW,
            **_DECIDED,
        },
    ),
    Action.RECORD_SOC_DECISION: Transition(
        sources=frozenset({Status.SOC_REVIEW}),
        roles=frozenset({Role.SECRETARIAT}),
        by_outcome={
            Outcome.APPROVED: Status.ADOPTED,
            **_DECIDED,
        },
    ),
    Action.WITHDRAW: Transition(
        sources=OPEN_STATUSES,
        roles=frozenset({Role.SECRETARIAT, Role.COORDINATOR_DELEGATE}),
        target=Status.WITHDRAWN,
    ),
}


# Modality (b): states exchange views on a measure through the Chair and the
# secretariat; a specialised meeting with experts charges the responsible
# experts with a working paper, which then takes the same road as a concept
# paper: circulation, the SWG, the SOC. "Coordinator delegate" here means a
# delegate of a state whose expert is responsible for the working paper.
_SHARED = (
    Action.DECLARE_INTEREST,
    Action.SUBMIT_PAPER,
    Action.CIRCULATE,
    Action.REFER_TO_SWG,
    Action.RECORD_SWG_DECISION,
    Action.RECORD_SOC_DECISION,
    Action.WITHDRAW,
)
TRANSITIONS_B: dict[str, Transition] = {
    **{action: TRANSITIONS[action] for action in _SHARED},
    Action.CHARGE_EXPERTS: Transition(
        sources=frozenset({Status.INTEREST_DECLARED}),
        roles=frozenset({Role.SECRETARIAT}),
        target=Status.DRAFTING,
    ),
}
TABLES: dict[str, dict[str, Transition]] = {"a": TRANSITIONS, "b": TRANSITIONS_B}


def table(modality: str = "a") -> dict[str, Transition]:
    return TABLES[modality]


def applies(action: str, modality: str = "a") -> bool:
    return action in TABLES[modality]


def allowed_from(action: str, status: str, modality: str = "a") -> bool:
    transition = TABLES[modality].get(action)
    return bool(transition and status in transition.sources)


def target_of(action: str, status: str, outcome: str | None = None, modality: str = "a") -> str:
    return TABLES[modality][action].target_for(status, outcome)


# Modality (b) works on a working paper: its actions say so (issue 13 item 5).
_LABELS_B: dict[str, StrPromise] = {Action.SUBMIT_PAPER: _("Submit working paper")}


def action_label(action: str, modality: str = "a") -> str:
    """The action's name as a user of an initiative of this modality reads it."""
    if modality == "b" and action in _LABELS_B:
        return str(_LABELS_B[action])
    return str(dict(EVENT_CHOICES).get(action, action))


# A timeline entry says what happened, not what to do (issue 16 item 13):
# "Consultation opened" where the button said "Open consultation".
EVENT_LABELS: dict[str, StrPromise] = {
    Action.DECLARE_INTEREST: _("Interest declared"),
    Action.OPEN_CONSULTATION: _("Consultation opened"),
    Action.DESIGNATE_COORDINATORS: _("Coordinators designated"),
    Action.CHARGE_EXPERTS: _("Experts charged with a working paper"),
    Action.SUBMIT_PAPER: _("Concept paper submitted"),
    Action.CIRCULATE: _("Circulated to member states"),
    Action.REFER_TO_SWG: _("Referred to the Special Working Group"),
    Action.RECORD_SWG_DECISION: _("SWG decision recorded"),
    Action.RECORD_SOC_DECISION: _("SOC decision recorded"),
    Action.WITHDRAW: _("Withdrawn"),
    **{event.value: event.label for event in TimelineEvent},
}
_EVENT_LABELS_B: dict[str, StrPromise] = {Action.SUBMIT_PAPER: _("Working paper submitted")}


def event_label(action: str, modality: str = "a") -> str:
    """A timeline entry's name: the event that ``action`` recorded."""
    if modality == "b" and action in _EVENT_LABELS_B:
        return str(_EVENT_LABELS_B[action])
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action_label(action, modality)
