"""What the delegate's reporting pages read and the one write they add
(issue 17 items 3 and 6): a state's returns due in the open cycles, what it
filed in the past ones, and a return's attachments. The rules of filing
stay in :mod:`implementation.services.reporting`; here they are read
(``return_refusal``, ``return_is_late``) to say what is owed and what the
page may offer, in a fixed number of queries for the desk."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cica.errors import Conflict, Forbidden, NotFound
from measures.models import Measure, PriorityArea
from members.models import Participant, Participation, ParticipationStatus
from members.rules import AnyUser, acting_for, is_secretariat

from ..models import (
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
)
from ..selectors import measures_coordinated_by
from .reporting import cycle_areas, return_is_late, return_refusal

if TYPE_CHECKING:
    pass

# What a state has filed for one area (or measure) of a cycle.
STATES = {
    "not_started": gettext_lazy("Not started"),
    "draft": gettext_lazy("Draft"),
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "nil": gettext_lazy("Nil return"),
    "nil_late": gettext_lazy("Nil return, late"),
}


def return_state(ret: Return | None) -> str:
    """not_started / draft / on_time / late / nil / nil_late."""
    if ret is None:
        return "not_started"
    if ret.status == ReturnStatus.DRAFT:
        return "draft"
    late = return_is_late(ret)
    if ret.kind == ReturnKind.NIL_RETURN:
        return "nil_late" if late else "nil"
    return "late" if late else "on_time"


@dataclass
class Owed:
    """One return a state owes in a cycle: for an area, or (progress) a measure."""

    area: PriorityArea | None
    measure: Measure | None
    ret: Return | None

    @property
    def state(self) -> str:
        return return_state(self.ret)

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def submitted(self) -> bool:
        return self.ret is not None and self.ret.status == ReturnStatus.SUBMITTED


@dataclass
class CycleOwed:
    cycle: ReportingCycle
    member: bool
    areas: list[Owed] = field(default_factory=list)
    progress: list[Owed] = field(default_factory=list)
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def days_left(self) -> int:
        return (self.cycle.due_on - self.today).days

    @property
    def due_in_words(self) -> str:
        days = self.days_left
        if days == 0:
            return _("due today")
        if days > 0:
            return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": days}
        return ngettext("%(n)s day overdue", "%(n)s days overdue", -days) % {"n": -days}

    @property
    def outstanding(self) -> int:
        return sum(1 for o in [*self.areas, *self.progress] if not o.submitted)

    @property
    def is_open(self) -> bool:
        return self.cycle.closed_at is None


def _member_on(rows: list[Participation], on: datetime.date) -> bool:
    return any(
        r.status == ParticipationStatus.MEMBER
        and (r.started_on is None or r.started_on <= on)
        and (r.ended_on is None or r.ended_on > on)
        for r in rows
    )


def owed_by(participant: Participant, *, closed: bool = False) -> list[CycleOwed]:
    """Per cycle (the open ones, or the closed ones; newest first), what the
    state owes and what it filed: a return per area covered if it was a
    member on the due date, a progress report per covered measure it
    coordinates under an approved action plan. One query when no cycle is
    open, seven whatever the number of cycles otherwise."""
    cycles = list(
        ReportingCycle.objects.filter(closed_at__isnull=not closed)
        .prefetch_related("areas", "measures__area")
        .order_by("-year")
    )
    if not cycles:
        return []
    rows = list(Participation.objects.filter(participant=participant))
    returns = {
        (r.cycle_id, r.area_id, r.measure_id): r
        for r in Return.objects.filter(participant=participant, cycle__in=cycles).select_related(
            "cycle", "area", "measure"
        )
    }
    coordinated = list(
        measures_coordinated_by(participant)
        .filter(action_plans__status=PlanStatus.APPROVED)
        .select_related("area")
        .distinct()
        .order_by("sort_key")
    )
    out = []
    for cycle in cycles:
        areas = {a.pk: a for a in cycle.areas.all()}
        named = {m.pk for m in cycle.measures.all()}
        for measure in cycle.measures.all():
            areas.setdefault(measure.area_id, measure.area)
        owed = CycleOwed(cycle=cycle, member=_member_on(rows, cycle.due_on))
        if owed.member:
            owed.areas = [
                Owed(area=a, measure=None, ret=returns.get((cycle.pk, a.pk, None)))
                for a in sorted(areas.values(), key=lambda a: (a.order, a.code))
            ]
        owed.progress = [
            Owed(area=None, measure=m, ret=returns.get((cycle.pk, None, m.pk)))
            for m in coordinated
            if m.pk in named or m.area_id in {a.pk for a in cycle.areas.all()}
        ]
        out.append(owed)
    return out


def past_cycles(participant: Participant) -> list[CycleOwed]:
    """The closed cycles, with what the state filed in each."""
    return owed_by(participant, closed=True)


def returns_due_count(user: AnyUser) -> int:
    """For the desk: how many returns the user's state still owes in the
    open cycles (drafts count as owed). A fixed number of queries."""
    participant = acting_for(user)
    if participant is None:
        return 0
    return sum(c.outstanding for c in owed_by(participant))


# --- one cycle, one area ------------------------------------------------------------


def cycle_of(year: int) -> ReportingCycle:
    cycle = ReportingCycle.objects.filter(year=year).first()
    if cycle is None:
        raise NotFound(_("No reporting cycle for %(year)s.") % {"year": year})
    return cycle


def area_of(cycle: ReportingCycle, code: str) -> PriorityArea:
    """The area of ``code`` if the cycle covers it (else 404)."""
    found = next((a for a in cycle_areas(cycle) if a.code == code.upper()), None)
    if found is None:
        raise NotFound(
            _("The %(year)s cycle does not cover the area %(code)s.")
            % {"year": cycle.year, "code": code[:16]}
        )
    return found


def filer_refusal(
    *, actor: AnyUser, cycle: ReportingCycle, kind: str, area: PriorityArea | None = None
) -> tuple[Participant | None, Forbidden | Conflict | None]:
    """The state a delegate's page files for, or why the page refuses:
    these pages file for the delegate's own state (the secretariat files on
    a state's behalf through the API or the administration); then the
    service's own refusal; then a submitted return is corrected, not filed
    again (409)."""
    participant = acting_for(actor)
    if participant is None:
        return None, Forbidden(
            _(
                "These pages file a state's returns for its own delegates; the secretariat "
                "files on a state's behalf in the administration."
            )
            if is_secretariat(actor)
            else _("Only the state's own delegates file its returns.")
        )
    refusal = return_refusal(actor=actor, cycle=cycle, participant=participant)
    if refusal is not None:
        return participant, refusal  # type: ignore[return-value]
    if area is not None and kind != ReturnKind.PROGRESS_REPORT:
        done = Return.objects.filter(
            cycle=cycle, participant=participant, area=area, status=ReturnStatus.SUBMITTED
        ).exists()
        if done:
            return participant, Conflict(
                _("A return for this area was already submitted: correct it instead.")
            )
    return participant, None
