"""Where an initiative stands: its step on the road, who acts next, by when.

One business rule, read by the initiative's page and the delegate's desk
(issue 16 item 2): :func:`progress_of` turns an initiative, with what its
selector has already loaded (designations, papers, circulations, responsible
experts, exit events), into a :class:`Progress` — the steps of its modality's
road, each done, current, upcoming, stopped or skipped; the side exit it left
by (withdrawn, rejected), if any; the last time a decision sent its paper back
for revision; who acts next and what they do; the deadline, if there is one.

It reads the related objects through their managers' ``all()`` (served from
the prefetch cache when the selector prefetched them), and the secretariat's
circulations by their field values only: measures imports nothing from the
app above it. The texts are in the active language, dates included.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import CoordinatorDesignation, Expert, InitiativeEvent, Paper
from .workflow import Action, Outcome, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from .models import Initiative

DONE, CURRENT, UPCOMING, STOPPED, SKIPPED = "done", "current", "upcoming", "stopped", "skipped"

# The road of each modality, in order. Modality (b) has no consultation on
# coordinators: the secretariat charges experts at a specialised meeting.
_ROAD_A = (
    Status.INTEREST_DECLARED,
    Status.CONSULTATION,
    Status.DRAFTING,
    Status.CIRCULATED,
    Status.SWG_REVIEW,
    Status.SOC_REVIEW,
    Status.ADOPTED,
)
_ROAD_B = tuple(s for s in _ROAD_A if s != Status.CONSULTATION)
ROADS: dict[str, tuple[str, ...]] = {"a": _ROAD_A, "b": _ROAD_B}
EXITS = frozenset({Status.WITHDRAWN, Status.REJECTED})

# Short names for the strip; the status's full name is the step's title.
_SHORT: dict[str, StrPromise] = {
    Status.INTEREST_DECLARED: gettext_lazy("Interest declared"),
    Status.CONSULTATION: gettext_lazy("Consultation"),
    Status.DRAFTING: gettext_lazy("Drafting"),
    Status.CIRCULATED: gettext_lazy("Circulated"),
    Status.SWG_REVIEW: gettext_lazy("SWG"),
    Status.SOC_REVIEW: gettext_lazy("SOC"),
    Status.ADOPTED: gettext_lazy("Adopted"),
}
_DECISIONS = frozenset({Action.RECORD_SWG_DECISION, Action.RECORD_SOC_DECISION})
_BODY_OF: dict[str, str] = {Action.RECORD_SWG_DECISION: "swg", Action.RECORD_SOC_DECISION: "soc"}
_SENT_BACK = frozenset({Outcome.RETURNED, Outcome.NO_CONSENSUS})


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    title: str
    state: str  # DONE, CURRENT, UPCOMING, STOPPED (left by an exit) or SKIPPED


@dataclass(frozen=True)
class Exit:
    key: str  # withdrawn or rejected
    label: str
    on: datetime.date | None


@dataclass(frozen=True)
class Progress:
    status: str
    steps: tuple[Step, ...]
    exit: Exit | None = None
    # The last decision that sent the paper back for revision, while it is revised.
    sent_back: str = ""
    next_actor: str = ""
    next_action: str = ""
    deadline: datetime.date | None = None
    deadline_label: str = ""

    @property
    def current(self) -> Step | None:
        return next((step for step in self.steps if step.state == CURRENT), None)

    @property
    def position(self) -> int:
        """The current step's number (1-based), 0 after an exit."""
        current = self.current
        return self.steps.index(current) + 1 if current else 0


def progress_prefetches() -> list[Prefetch[Any]]:
    """What :func:`progress_of` reads beyond the initiative's own row, for a
    list of initiatives (the desk): a fixed number of queries for the whole
    list. The initiative's page reads the same from its detail selector."""
    return [
        Prefetch(
            "designations", queryset=CoordinatorDesignation.objects.select_related("participant")
        ),
        Prefetch("papers", queryset=Paper.objects.only("id", "initiative_id", "version")),
        Prefetch("circulations"),
        Prefetch("responsible_experts", queryset=Expert.objects.select_related("participant")),
        Prefetch(
            "events",
            queryset=InitiativeEvent.objects.filter(
                to_status__in=sorted(EXITS | {Status.DRAFTING}),
                action__in=sorted(_DECISIONS | {Action.WITHDRAW}),
            ).only(
                "id", "initiative_id", "action", "from_status", "to_status", "details", "created_at"
            ),
            to_attr="progress_events",
        ),
    ]


def progress_of(initiative: Initiative, today: datetime.date | None = None) -> Progress:
    """Where ``initiative`` stands, in the active language."""
    today = today or timezone.localdate()
    status = initiative.status
    road = ROADS.get(initiative.modality, _ROAD_A)
    events = _events(initiative)
    if status in EXITS:
        left = next((e for e in reversed(events) if e.to_status == status), None)
        stopped_at = left.from_status if left and left.from_status in road else ""
        reached = road.index(stopped_at) if stopped_at else -1
        steps = tuple(
            _step(key, DONE if i < reached else STOPPED if i == reached else SKIPPED)
            for i, key in enumerate(road)
        )
        exit_ = Exit(
            key=status,
            label=str(Status(status).label),
            on=timezone.localdate(left.created_at) if left else None,
        )
        return Progress(status=status, steps=steps, exit=exit_)
    at = road.index(status) if status in road else 0
    steps = tuple(
        _step(key, DONE if i < at or status == Status.ADOPTED else CURRENT if i == at else UPCOMING)
        for i, key in enumerate(road)
    )
    if status == Status.ADOPTED:
        steps = steps[:-1] + (_step(Status.ADOPTED, CURRENT),)
    actor, action, deadline, deadline_label = _next(initiative, status, today)
    sent_back = _sent_back(events) if status == Status.DRAFTING else ""
    return Progress(
        status=status,
        steps=steps,
        sent_back=sent_back,
        next_actor=actor,
        next_action=action,
        deadline=deadline,
        deadline_label=deadline_label,
    )


def _step(key: str, state: str) -> Step:
    return Step(key=key, label=str(_SHORT[key]), title=str(Status(key).label), state=state)


def _events(initiative: Initiative) -> list[InitiativeEvent]:
    """The timeline events that left the road or sent the paper back, oldest first."""
    events: Iterable[InitiativeEvent] | None = getattr(initiative, "progress_events", None)
    if events is None:
        events = initiative.events.all()
    return [
        e
        for e in events
        if e.to_status in EXITS or (e.action in _DECISIONS and e.to_status == Status.DRAFTING)
    ]


def _sent_back(events: list[InitiativeEvent]) -> str:
    last = events[-1] if events else None
    if last is None or last.action not in _DECISIONS:
        return ""
    outcome = (last.details or {}).get("outcome", "")
    if outcome not in _SENT_BACK:
        return ""
    values = {
        "body": _("the SWG") if _BODY_OF[last.action] == "swg" else _("the SOC"),
        "date": date_format(timezone.localdate(last.created_at), "DATE_FORMAT"),
        "outcome": str(Outcome(outcome).label),
    }
    return (
        _("Sent back by %(body)s on %(date)s (%(outcome)s): the paper is being revised.") % values
    )


def _names(participants: Iterable[Any]) -> str:
    seen: dict[int, str] = {}
    for participant in participants:
        seen.setdefault(participant.pk, str(participant.name))
    return ", ".join(sorted(seen.values()))


def _next(
    initiative: Initiative, status: str, today: datetime.date
) -> tuple[str, str, datetime.date | None, str]:
    """(who acts next, what they do, by when, what the date is)."""
    modality = initiative.modality
    if status == Status.INTEREST_DECLARED:
        if modality == "b":
            return (
                _("The secretariat"),
                _("charges experts with a working paper at a specialised meeting"),
                None,
                "",
            )
        return (
            _("The Chair's office"),
            _("opens the consultation of the interested states"),
            None,
            "",
        )
    if status == Status.CONSULTATION:
        return _("The Chair's office"), _("designates the coordinators"), None, ""
    if status == Status.DRAFTING:
        return _drafting(initiative)
    circulations = list(initiative.circulations.all())
    if status == Status.CIRCULATED:
        paper = next((c for c in circulations if c.kind == "paper"), None)
        deadline = paper.deadline if paper else None
        if deadline is not None and deadline >= today:
            who = (
                _("Every member state and observer, until %(date)s")
                if paper is not None and paper.audience == "members_and_observers"
                else _("Every member state, until %(date)s")
            )
            return (
                who % {"date": date_format(deadline, "DATE_FORMAT")},
                _("comments on the paper"),
                deadline,
                _("Comment deadline"),
            )
        return _("The secretariat"), _("refers the paper to the Special Working Group"), None, ""
    bodies: dict[str, str] = {Status.SWG_REVIEW: "swg", Status.SOC_REVIEW: "soc"}
    body = bodies.get(status)
    if body is not None:
        silence = next(
            (c for c in circulations if c.silence_status == "pending" and c.body == body), None
        )
        if silence is not None and silence.deadline is not None:
            return (
                _("Every member state, until %(date)s")
                % {"date": date_format(silence.deadline, "DATE_FORMAT")},
                _(
                    "may object to the draft decision under silence procedure; "
                    "silence means consent"
                ),
                silence.deadline,
                _("Silence deadline"),
            )
        if body == "swg":
            return (
                _("The Special Working Group"),
                _("decides at a meeting; the secretariat records the decision"),
                None,
                "",
            )
        return (
            _("The Senior Officials Committee"),
            _("decides at a meeting; the secretariat records the decision"),
            None,
            "",
        )
    return "", "", None, ""


def _drafting(initiative: Initiative) -> tuple[str, str, datetime.date | None, str]:
    papers = list(initiative.papers.all())
    latest = max(papers, key=lambda p: p.version) if papers else None
    circulated = {c.paper_id for c in initiative.circulations.all()}
    if latest is not None and latest.pk not in circulated:
        return _("The secretariat"), _("circulates the paper to the member states"), None, ""
    if initiative.modality == "b":
        states = _names(e.participant for e in initiative.responsible_experts.all())
        action = _("submit the working paper")
        if not states:
            return _("The responsible experts"), action, None, ""
        return (
            _("The responsible experts' states: %(states)s") % {"states": states},
            action,
            None,
            "",
        )
    designations = [d for d in initiative.designations.all() if d.ended_on is None]
    count = len({d.participant_id for d in designations})
    states = _names(d.participant for d in designations)
    action = _("submit the concept paper")
    if not states:
        return _("The coordinators"), action, None, ""
    return (
        ngettext("The coordinator: %(states)s", "The coordinators: %(states)s", count)
        % {"states": states},
        action,
        None,
        "",
    )
