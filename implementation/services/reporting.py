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
from cica.uploads import document_check, removed_on_failure
from measures.models import Measure, PriorityArea
from members.models import Participant, ParticipationStatus
from members.rules import CHAIR_GROUP, AnyUser, acting_for, is_secretariat
from secretariat.models import NotificationKind, WebhookEvent
from secretariat.services import notify, webhooks_emit
from secretariat.services.outbox import _active_delegates, _rendered, _secretariat_users

from ..models import (
    Activity,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnAttachment,
    ReturnKind,
    ReturnStatus,
    ReturnVersion,
    Visibility,
)
from ..selectors import coordinator_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile


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
    with transaction.atomic():
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
        _cycle_opened(cycle)
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
    # One filter, not a UNION: SQLite refuses a UNION of ordered querysets
    # (Measure has a default ordering).
    return list(
        Measure.objects.filter(
            Q(pk__in=cycle.measures.values("pk")) | Q(area__in=cycle.areas.values("pk"))
        )
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
        # The rule of progress_owed: only a measure under an approved plan.
        if not measure.action_plans.filter(status=PlanStatus.APPROVED).exists():
            raise DomainError(
                _("%(code)s has no approved action plan: no progress report is owed on it.")
                % {"code": measure.code}
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


def return_submit_refusal(ret: Return) -> DomainError | None:
    """A report says something: its text is not empty (a nil return has none).
    The page asks it before its confirmation step, :func:`return_submit` again."""
    if ret.kind != ReturnKind.NIL_RETURN and not ret.text.strip():
        return DomainError(_("Write the report's text before submitting it."))
    return None


def return_submit(*, actor: User, ret: Return) -> Return:
    """Submit a draft: it becomes version 1, on time or late by the due date.
    A national report says something: its text is not empty."""
    with transaction.atomic():
        locked = Return.objects.select_for_update().select_related("cycle").get(pk=ret.pk)
        _check(actor, locked.cycle, locked.participant)
        if locked.status != ReturnStatus.DRAFT:
            raise Conflict(_("This return was already submitted."))
        refusal = return_submit_refusal(locked)
        if refusal is not None:
            raise refusal
        now = timezone.now()
        locked.status = ReturnStatus.SUBMITTED
        locked.version = 1
        locked.first_submitted_at = locked.submitted_at = now
        locked.submitted_by = actor
        locked.save()
        _snapshot(locked, actor=actor)
        _return_filed(locked, event=WebhookEvent.RETURN_SUBMITTED)
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
        _return_filed(locked, event=WebhookEvent.RETURN_CORRECTED)
    return locked


# --- side effects (written in the event's transaction, sent after commit) -------------


def _codes(items: Iterable[PriorityArea | Measure]) -> str:
    return ", ".join(i.code for i in items)


def _cycle_params(cycle: ReportingCycle) -> dict[str, object]:
    return {
        "year": cycle.year,
        "symbol": cycle.symbol,
        "due": cycle.due_on.isoformat(),
        "areas": _codes(cycle_areas(cycle)),
    }


def _cycle_opened(cycle: ReportingCycle) -> None:
    """Webhook ``reporting_cycle.opened``; every owing state's delegates are
    told what they owe and by when, each in their language."""
    params = _cycle_params(cycle)
    webhooks_emit(
        event=WebhookEvent.CYCLE_OPENED,
        event_key=f"reporting-cycle-opened:{cycle.pk}",
        payload={
            "cycle": cycle.pk,
            "year": cycle.year,
            "symbol": cycle.symbol,
            "due_on": cycle.due_on.isoformat(),
            "areas": [a.code for a in cycle_areas(cycle)],
            "measures": [m.code for m in cycle_measures(cycle)],
            "at": timezone.localtime(cycle.opened_at).isoformat(),
        },
    )
    owing = [p.pk for p in states_owing(cycle)]
    notify(
        kind=NotificationKind.CYCLE_OPENED,
        event_key=f"cycle-opened:{cycle.pk}",
        messages=_rendered(
            [
                (u, "reporting_cycle", cycle.pk)
                for u, _pid in _active_delegates(participant_ids=owing)
            ],
            kind=NotificationKind.CYCLE_OPENED,
            params=params,
        ),
        url=f"/api/v1/reporting-cycles/{cycle.pk}/",
        params=params,
    )


def _subject_code(ret: Return) -> str:
    if ret.measure_id is not None:
        return ret.measure.code if ret.measure else ""
    return ret.area.code if ret.area else ""


def _return_filed(ret: Return, *, event: str) -> None:
    """Webhook ``return.submitted`` or ``return.corrected`` (what was filed,
    never its text: a return may be restricted); the secretariat is told of
    each submission."""
    payload: dict[str, object] = {
        "return": ret.pk,
        "cycle": ret.cycle_id,
        "year": ret.cycle.year,
        "participant": ret.participant.code,
        "kind": ret.kind,
        "area": ret.area.code if ret.area else None,
        "measure": ret.measure.code if ret.measure else None,
        "version": ret.version,
        "late": return_is_late(ret),
        "at": timezone.localtime(ret.submitted_at).isoformat() if ret.submitted_at else None,
    }
    webhooks_emit(event=event, event_key=f"return:{ret.pk}:v{ret.version}", payload=payload)
    if event != WebhookEvent.RETURN_SUBMITTED:
        return
    params = {
        "state": ret.participant.code,
        "kind": ret.kind,
        "subject": _subject_code(ret),
        "year": ret.cycle.year,
        "symbol": ret.cycle.symbol,
        "late": return_is_late(ret),
    }
    notify(
        kind=NotificationKind.RETURN_SUBMITTED,
        event_key=f"return-submitted:{ret.pk}",
        messages=_rendered(
            [(u, "return", ret.pk) for u in _secretariat_users()],
            kind=NotificationKind.RETURN_SUBMITTED,
            params=params,
        ),
        url=f"/api/v1/returns/{ret.pk}/",
        params=params,
    )


# --- reminders before the due date, a summary after it (each once) -------------------


def cycle_outstanding(cycle: ReportingCycle) -> dict[int, list[str]]:
    """participant id -> what it still owes (``ECO``, ``ECO-4 progress``):
    the areas with no submitted return, the measures with no submitted
    progress report from a coordinator."""
    filed_areas = set(
        Return.objects.filter(
            cycle=cycle, status=ReturnStatus.SUBMITTED, area__isnull=False
        ).values_list("participant_id", "area_id")
    )
    filed_measures = set(
        Return.objects.filter(
            cycle=cycle, status=ReturnStatus.SUBMITTED, measure__isnull=False
        ).values_list("participant_id", "measure_id")
    )
    owed: dict[int, list[str]] = {}
    areas = cycle_areas(cycle)
    for participant in states_owing(cycle):
        for a in areas:
            if (participant.pk, a.pk) not in filed_areas:
                owed.setdefault(participant.pk, []).append(a.code)
    for participant, measure in progress_owed(cycle):
        if (participant.pk, measure.pk) not in filed_measures:
            owed.setdefault(participant.pk, []).append(f"{measure.code} progress")
    return owed


def cycles_send_return_reminders(*, today: datetime.date | None = None) -> int:
    """Periodic: ``reminder_days`` before the due date (and not after it),
    once per cycle, the delegates of every state that still owes a return
    (or a progress report) are reminded of what and by when. The cycle is
    claimed under a row lock (``reminder_sent_at``) and each notice has an
    idempotency key: a rerun, or a second worker, sends nothing twice.
    Returns the notices written."""
    today = today or timezone.localdate()
    sent = 0
    candidates = ReportingCycle.objects.filter(
        closed_at__isnull=True, reminder_sent_at__isnull=True, due_on__gte=today
    )
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            cycle = ReportingCycle.objects.select_for_update().get(pk=pk)
            if cycle.reminder_sent_at is not None or cycle.closed_at is not None:
                continue
            if today < cycle.due_on - datetime.timedelta(days=cycle.reminder_days):
                continue
            owed = cycle_outstanding(cycle)
            by_participant: dict[int, list[User]] = {}
            for user, pid in _active_delegates(participant_ids=list(owed)):
                by_participant.setdefault(pid, []).append(user)
            for pid, users in by_participant.items():
                params = {**_cycle_params(cycle), "owed": ", ".join(owed[pid])}
                sent += len(
                    notify(
                        kind=NotificationKind.RETURN_REMINDER,
                        event_key=f"return-reminder:{cycle.pk}:{pid}",
                        messages=_rendered(
                            [(u, "reporting_cycle", cycle.pk) for u in users],
                            kind=NotificationKind.RETURN_REMINDER,
                            params=params,
                        ),
                        url=f"/api/v1/reporting-cycles/{cycle.pk}/",
                        params=params,
                    )
                )
            cycle.reminder_sent_at = timezone.now()
            cycle.save(update_fields=["reminder_sent_at"])
    return sent


def cycle_summary(cycle: ReportingCycle) -> dict[str, list[str]]:
    """Who filed what for the cycle, as codes: ``reports``, ``nil``,
    ``progress`` (``TJK ECO-4``), ``missing`` (``KGZ ECO``), ``late``."""
    returns = {
        (r.participant_id, r.area_id or r.measure_id, r.measure_id is not None): r
        for r in Return.objects.filter(cycle=cycle, status=ReturnStatus.SUBMITTED).select_related(
            "participant", "area", "measure", "cycle"
        )
    }
    out: dict[str, list[str]] = {
        "reports": [],
        "nil": [],
        "progress": [],
        "missing": [],
        "late": [],
    }
    areas = cycle_areas(cycle)
    for participant in states_owing(cycle):
        for a in areas:
            ret = returns.get((participant.pk, a.pk, False))
            label = f"{participant.code} {a.code}"
            if ret is None:
                out["missing"].append(label)
                continue
            out["nil" if ret.kind == ReturnKind.NIL_RETURN else "reports"].append(label)
            if return_is_late(ret):
                out["late"].append(label)
    for participant, measure in progress_owed(cycle):
        ret = returns.get((participant.pk, measure.pk, True))
        label = f"{participant.code} {measure.code}"
        if ret is None:
            out["missing"].append(label)
            continue
        out["progress"].append(label)
        if return_is_late(ret):
            out["late"].append(label)
    return out


def _chair_office_users() -> list[User]:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=CHAIR_GROUP)
        .distinct()
        .order_by("pk")
    )


def cycles_summarise_returns(*, today: datetime.date | None = None) -> list[str]:
    """Periodic: once the due date has passed, once per cycle, the
    secretariat and the SOC chair's office get who filed (reports, nil
    returns, progress reports), who did not, and who was late. Claimed
    under a row lock (``summary_sent_at``); keyed per cycle and reader.
    Returns the symbols of the cycles summarised."""
    today = today or timezone.localdate()
    done = []
    candidates = ReportingCycle.objects.filter(summary_sent_at__isnull=True, due_on__lt=today)
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            cycle = ReportingCycle.objects.select_for_update().get(pk=pk)
            if cycle.summary_sent_at is not None:
                continue
            summary = cycle_summary(cycle)
            owed = len(states_owing(cycle)) * len(cycle_areas(cycle))
            params = {
                **_cycle_params(cycle),
                "owed": owed,
                "filed": len(summary["reports"]) + len(summary["nil"]),
                **{key: ", ".join(values) for key, values in summary.items()},
            }
            readers = {u.pk: u for u in _secretariat_users() + _chair_office_users()}
            notify(
                kind=NotificationKind.RETURN_SUMMARY,
                event_key=f"return-summary:{cycle.pk}",
                messages=_rendered(
                    [(u, "reporting_cycle", cycle.pk) for u in readers.values()],
                    kind=NotificationKind.RETURN_SUMMARY,
                    params=params,
                ),
                url=f"/api/v1/reporting-cycles/{cycle.pk}/",
                params=params,
            )
            cycle.summary_sent_at = timezone.now()
            cycle.save(update_fields=["summary_sent_at"])
            done.append(cycle.symbol)
    return done


# --- attachments ----------------------------------------------------------------------


def return_attach(*, actor: User, ret: Return, file: UploadedFile[bytes]) -> ReturnAttachment:
    """Attach a document (PDF, DOCX or ODT, checked by its content, within
    the upload limit) to a draft return: a submitted return changes only by
    a correction, so what it held when submitted stays what it holds."""
    with removed_on_failure() as stored, transaction.atomic():
        locked = Return.objects.select_for_update().select_related("cycle").get(pk=ret.pk)
        _check(actor, locked.cycle, locked.participant)
        if locked.status != ReturnStatus.DRAFT:
            raise Conflict(_("Attach documents to the draft, before submitting it."))
        if locked.kind == ReturnKind.NIL_RETURN:
            raise DomainError(_("A nil return has nothing attached."))
        extension, mime = document_check(file)
        attachment = ReturnAttachment(
            ret=locked,
            original_name=(file.name or "attachment")[:255],
            content_type=mime,
            size=file.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(f"return.{extension}", file, save=False)
        stored.append(str(attachment.file.name))
        attachment.save()
    return attachment
