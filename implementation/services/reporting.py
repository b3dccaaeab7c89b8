"""Annual implementation reporting (issue 17 item 3).

The secretariat opens a cycle (year, due date, areas or measures covered).
Every state that is a member on the due date owes, for each area covered,
a national implementation report or an explicit nil return; every
coordinator of a covered measure under an approved action plan owes a
progress report on it. Returns are drafts until submitted; a submitted
return is corrected by a new version, the earlier ones kept
(``ReturnVersion``). The model's constraints keep one return per state,
area (or measure) and cycle.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from measures.models import Measure, PriorityArea
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for, is_secretariat

from ..models import (
    Activity,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
    ReturnVersion,
    Visibility,
)
from ..selectors import coordinator_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def cycle_symbol(year: int) -> str:
    return f"CICA/IMPL/{year}"


def cycle_open(
    *,
    actor: User,
    year: int,
    due_on: datetime.date,
    areas: Iterable[PriorityArea] = (),
    measures: Iterable[Measure] = (),
    reminder_days: int = 14,
) -> ReportingCycle:
    """The secretariat opens a year's cycle. One cycle per year; it covers
    at least one area or measure; it is due after the year begins."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat opens a reporting cycle."))
    areas, measures = list(areas), list(measures)
    if not areas and not measures:
        raise DomainError(_("Name the priority areas or measures the cycle covers."))
    if not 2000 <= year <= 2200:
        raise DomainError(_("Give the year the cycle reports on (e.g. 2027)."))
    if due_on < datetime.date(year, 1, 1):
        raise DomainError(_("The due date falls before the year the cycle reports on."))
    try:
        with transaction.atomic():
            cycle = ReportingCycle.objects.create(
                year=year,
                symbol=cycle_symbol(year),
                due_on=due_on,
                reminder_days=reminder_days,
                opened_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("A reporting cycle for %(year)s is already open.") % {"year": year}
        ) from None
    cycle.areas.set(areas)
    cycle.measures.set(measures)
    return cycle


def cycle_close(*, actor: User, cycle: ReportingCycle) -> ReportingCycle:
    """The secretariat closes a cycle: no return is filed or corrected after."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat closes a reporting cycle."))
    with transaction.atomic():
        locked = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.closed_at is not None:
            raise Conflict(_("This cycle is already closed."))
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
    return locked


def cycle_areas(cycle: ReportingCycle) -> list[PriorityArea]:
    """The areas owed: those covered, and those of the measures covered."""
    ids = set(cycle.areas.values_list("pk", flat=True)) | set(
        cycle.measures.values_list("area_id", flat=True)
    )
    return list(PriorityArea.objects.filter(pk__in=ids).order_by("order", "code"))


def cycle_measures(cycle: ReportingCycle) -> list[Measure]:
    """Every measure the cycle covers: those named and those of its areas."""
    # One filter, not a union: Measure's default ordering puts an ORDER BY in
    # each part of a compound statement, which SQLite refuses.
    return list(
        Measure.objects.filter(Q(reporting_cycles=cycle) | Q(area__reporting_cycles=cycle))
        .distinct()
        .order_by("sort_key")
    )


def states_owing(cycle: ReportingCycle) -> list[Participant]:
    """The member states on the due date: each owes a return per area."""
    return list(
        Participant.objects.with_status_in(ParticipationStatus.MEMBER, cycle.due_on).order_by(
            "code"
        )
    )


def progress_owed(cycle: ReportingCycle) -> list[tuple[Participant, Measure]]:
    """(coordinator, measure) pairs that owe a progress report: the
    coordinators of each covered measure that has an approved action plan."""
    owed = []
    for measure in cycle_measures(cycle):
        if not measure.action_plans.filter(status=PlanStatus.APPROVED).exists():
            continue
        for participant in Participant.objects.filter(pk__in=coordinator_ids(measure)).order_by(
            "code"
        ):
            owed.append((participant, measure))
    return owed


def return_is_late(ret: Return) -> bool:
    """Late when first submitted after the due date (in the secretariat's time zone)."""
    if ret.first_submitted_at is None:
        return False
    return timezone.localdate(ret.first_submitted_at) > ret.cycle.due_on


# --- who may file ---------------------------------------------------------------------


def return_refusal(
    *, actor: AnyUser, cycle: ReportingCycle, participant: Participant
) -> DomainError | None:
    """Why ``actor`` may not file or change a return of ``participant`` now:
    only the state's own delegates (or the secretariat on its behalf), only
    for a member state, only while the cycle is open."""
    if cycle.closed_at is not None:
        return Conflict(_("The %(year)s cycle is closed.") % {"year": cycle.year})
    if not is_secretariat(actor) and acting_for(actor) != participant:
        return Forbidden(_("Only the state's own delegates file its returns."))
    if participant.status_on(cycle.due_on) != ParticipationStatus.MEMBER:
        return Forbidden(
            _("%(state)s is not a member state for this cycle: it owes no return.")
            % {"state": participant.code}
        )
    return None


def _check(actor: AnyUser, cycle: ReportingCycle, participant: Participant) -> None:
    refusal = return_refusal(actor=actor, cycle=cycle, participant=participant)
    if refusal is not None:
        raise refusal


def _subject(
    cycle: ReportingCycle, kind: str, area: PriorityArea | None, measure: Measure | None
) -> None:
    if kind == ReturnKind.PROGRESS_REPORT:
        if measure is None or area is not None:
            raise DomainError(_("A progress report is on one measure: name it."))
        if measure.pk not in {m.pk for m in cycle_measures(cycle)}:
            raise DomainError(
                _("The %(year)s cycle does not cover %(code)s.")
                % {"year": cycle.year, "code": measure.code}
            )
    elif kind in (ReturnKind.NATIONAL_REPORT, ReturnKind.NIL_RETURN):
        if area is None or measure is not None:
            raise DomainError(_("A national report or a nil return is for one priority area."))
        if area.pk not in {a.pk for a in cycle_areas(cycle)}:
            raise DomainError(
                _("The %(year)s cycle does not cover the area %(code)s.")
                % {"year": cycle.year, "code": area.code}
            )
    else:
        raise DomainError(_("Unknown kind of return %(kind)r.") % {"kind": kind})


def _content(
    ret: Return,
    *,
    text: str,
    measures: Iterable[Measure] | None,
    activities: Iterable[Activity] | None,
    visibility: str,
) -> None:
    if visibility not in Visibility.values:
        raise DomainError(_("Unknown visibility %(v)r.") % {"v": visibility})
    ret.text = text
    ret.visibility = visibility
    ret.save()
    if measures is not None:
        ret.measures.set(list(measures))
    if activities is not None:
        ret.activities.set(list(activities))


def return_save(
    *,
    actor: User,
    cycle: ReportingCycle,
    participant: Participant,
    kind: str,
    area: PriorityArea | None = None,
    measure: Measure | None = None,
    text: str = "",
    measures: Iterable[Measure] | None = None,
    activities: Iterable[Activity] | None = None,
    visibility: str = Visibility.MEMBERS_AND_OBSERVERS,
) -> Return:
    """Create or update a state's draft return. A submitted return is not
    changed here: it is corrected (:func:`return_correct`)."""
    _check(actor, cycle, participant)
    _subject(cycle, kind, area, measure)
    if (
        kind == ReturnKind.PROGRESS_REPORT
        and measure is not None
        and participant.pk not in coordinator_ids(measure)
    ):
        raise Forbidden(
            _("Only the coordinators of %(code)s file its progress report.")
            % {"code": measure.code}
        )
    with transaction.atomic():
        slot = {"area": area} if area is not None else {"measure": measure}
        ret = (
            Return.objects.select_for_update()
            .filter(cycle=cycle, participant=participant, **slot)
            .first()
        )
        if ret is not None and ret.status == ReturnStatus.SUBMITTED:
            raise Conflict(_("This return was submitted: correct it to change it."))
        if ret is None:
            try:
                with transaction.atomic():
                    ret = Return.objects.create(
                        cycle=cycle,
                        participant=participant,
                        kind=kind,
                        area=area,
                        measure=measure,
                        visibility=visibility,
                        created_by=actor,
                    )
            except IntegrityError:
                raise Conflict(
                    _("A return for this was filed at the same moment: reload.")
                ) from None
        ret.kind = kind
        _content(ret, text=text, measures=measures, activities=activities, visibility=visibility)
    return ret


def _snapshot(ret: Return, *, actor: User, note: str = "") -> ReturnVersion:
    return ReturnVersion.objects.create(
        ret=ret,
        version=ret.version,
        kind=ret.kind,
        text=ret.text,
        visibility=ret.visibility,
        measure_codes=sorted(ret.measures.values_list("code", flat=True)),
        activity_ids=sorted(ret.activities.values_list("pk", flat=True)),
        note=note,
        submitted_at=ret.submitted_at or timezone.now(),
        submitted_by=actor,
    )


def return_submit(*, actor: User, ret: Return) -> Return:
    """Submit a draft: it becomes version 1, on time or late by the due date.
    A national report says something: its text is not empty."""
    with transaction.atomic():
        locked = Return.objects.select_for_update().select_related("cycle").get(pk=ret.pk)
        _check(actor, locked.cycle, locked.participant)
        if locked.status != ReturnStatus.DRAFT:
            raise Conflict(_("This return was already submitted."))
        if locked.kind != ReturnKind.NIL_RETURN and not locked.text.strip():
            raise DomainError(_("Write the report's text before submitting it."))
        now = timezone.now()
        locked.status = ReturnStatus.SUBMITTED
        locked.version = 1
        locked.first_submitted_at = locked.submitted_at = now
        locked.submitted_by = actor
        locked.save()
        _snapshot(locked, actor=actor)
    return locked


def return_nil(
    *,
    actor: User,
    cycle: ReportingCycle,
    participant: Participant,
    area: PriorityArea,
    visibility: str = Visibility.PUBLIC,
) -> Return:
    """One click: "nothing to report for this period" for an area, recorded
    and submitted like any return. A draft report for the area becomes the
    nil return; a submitted one is corrected instead."""
    _check(actor, cycle, participant)
    _subject(cycle, ReturnKind.NIL_RETURN, area, None)
    with transaction.atomic():
        existing = (
            Return.objects.select_for_update()
            .filter(cycle=cycle, participant=participant, area=area)
            .first()
        )
        if existing is not None and existing.status == ReturnStatus.SUBMITTED:
            raise Conflict(_("A return for this area was already submitted: correct it instead."))
        ret = return_save(
            actor=actor,
            cycle=cycle,
            participant=participant,
            kind=ReturnKind.NIL_RETURN,
            area=area,
            text="",
            measures=[],
            activities=[],
            visibility=visibility,
        )
        return return_submit(actor=actor, ret=ret)


def return_correct(
    *,
    actor: User,
    ret: Return,
    note: str,
    kind: str | None = None,
    text: str | None = None,
    measures: Iterable[Measure] | None = None,
    activities: Iterable[Activity] | None = None,
    visibility: str | None = None,
) -> Return:
    """Correct a submitted return: a new version, the earlier kept, with a
    note saying what changed. A nil return may become a report and back."""
    if not note.strip():
        raise DomainError(_("Say what the correction changes."))
    with transaction.atomic():
        locked = Return.objects.select_for_update().select_related("cycle").get(pk=ret.pk)
        _check(actor, locked.cycle, locked.participant)
        if locked.status != ReturnStatus.SUBMITTED:
            raise Conflict(_("A draft is edited, not corrected."))
        if kind is not None:
            if (kind == ReturnKind.PROGRESS_REPORT) != (locked.kind == ReturnKind.PROGRESS_REPORT):
                raise DomainError(_("A progress report stays a progress report."))
            locked.kind = kind
        new_text = locked.text if text is None else text
        if locked.kind == ReturnKind.NIL_RETURN:
            new_text, measures, activities = "", [], []
        elif not new_text.strip():
            raise DomainError(_("A report's text cannot be empty."))
        locked.version += 1
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor
        _content(
            locked,
            text=new_text,
            measures=measures,
            activities=activities,
            visibility=locked.visibility if visibility is None else visibility,
        )
        _snapshot(locked, actor=actor, note=note)
    return locked
