"""Meetings: the secretariat's calendar and who attended."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from members.models import Participant
from members.rules import is_secretariat

from ..models import (
    Body,
    Meeting,
    validate_time_zone,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from measures.models import Expert, Measure


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    body: str,
    date: datetime.date,
    place: str = "",
    title: str = "",
    host: Participant | None = None,
    present: Iterable[Participant] = (),
    measure: Measure | None = None,
    experts: Iterable[Expert] = (),
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    time_zone: str = "",
) -> Meeting:
    """Schedule or record a meeting. The secretariat keeps the calendar.

    Rule: a meeting is hosted by a state (seed: specialised meetings "dans les
    États membres ou observateurs"); those present are participants. Its
    times, if known, are the venue's local times in ``time_zone`` (the
    configured zone when none is given).
    """
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat schedules meetings."))
    experts = list(experts)
    present = list(dict.fromkeys(present))
    time_zone = time_zone or settings.TIME_ZONE
    meeting_check(body=body, host=host, measure=measure, experts=experts, date=date)
    meeting_times_check(start_time=start_time, end_time=end_time, time_zone=time_zone)
    meeting_attendance_check(meeting=None, date=date, present=present)
    meeting = Meeting.objects.create(
        body=body,
        date=date,
        start_time=start_time,
        end_time=end_time,
        time_zone=time_zone,
        place=place,
        title=title,
        host=host,
        measure=measure,
        created_by=actor,
    )
    meeting.present.set(present)
    meeting.experts.set(experts)
    return meeting


# What meeting_update may change besides the experts (a keyword of their own);
# attendance has its own service, meeting_set_present.
MEETING_FIELDS = (
    "body",
    "title",
    "date",
    "start_time",
    "end_time",
    "time_zone",
    "place",
    "host",
    "measure",
    "cancelled",
)


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    experts: Iterable[Expert] | None = None,
    **changes: Any,
) -> Meeting:
    """Change a scheduled meeting — reschedule, move, time or cancel it
    (``cancelled=True``; a cancelled meeting stays in the calendar, marked
    so) — or its experts. The secretariat only. A change that changes
    something is a new revision: the calendar's SEQUENCE goes up by one and
    LAST-MODIFIED moves (RFC 5545 §3.8.7.4), so subscribed calendars replace
    the event."""
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() cannot change {', '.join(sorted(unknown))}")
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat changes meetings."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if "time_zone" in changes:
        changes["time_zone"] = changes["time_zone"] or settings.TIME_ZONE
    changed = {k: v for k, v in changes.items() if getattr(meeting, k) != v}
    current_experts = list(meeting.experts.all())
    new_experts = current_experts if experts is None else list(dict.fromkeys(experts))
    experts_changed = {e.pk for e in new_experts} != {e.pk for e in current_experts}
    if not changed and not experts_changed:
        return meeting
    for name, value in changed.items():
        setattr(meeting, name, value)
    meeting_check(
        body=meeting.body,
        host=meeting.host,
        measure=meeting.measure,
        experts=new_experts,
        date=meeting.date,
    )
    meeting_times_check(
        start_time=meeting.start_time, end_time=meeting.end_time, time_zone=meeting.time_zone
    )
    if "date" in changed:
        meeting_attendance_check(meeting=None, date=meeting.date, present=meeting.present.all())
    meeting.sequence += 1  # the row is locked: no lost update
    meeting.save()
    if experts_changed:
        meeting.experts.set(new_experts)
    return meeting


def meeting_times_check(
    *, start_time: datetime.time | None, end_time: datetime.time | None, time_zone: str
) -> None:
    """Times are the venue's, in a known IANA time zone; an end needs a
    start and comes after it (a meeting's times lie within its day)."""
    try:
        validate_time_zone(time_zone)
    except ValidationError:
        raise DomainError(
            _("%(value)s is not a time zone: give an IANA name such as Asia/Almaty.")
            % {"value": time_zone}
        ) from None
    if end_time is not None and start_time is None:
        raise DomainError(_("A meeting with an end time needs a start time."))
    if end_time is not None and start_time is not None and end_time <= start_time:
        raise DomainError(_("A meeting ends after it starts, on the same day."))


def meeting_check(
    *,
    body: str | None,
    host: Participant | None,
    measure: Measure | None = None,
    experts: Iterable[Expert] = (),
    date: datetime.date | None = None,
) -> None:
    """A meeting has a known body and, if hosted, is hosted by a state
    (specialised meetings "dans les États membres ou observateurs"). A
    specialised meeting examines one measure, with experts designated for it."""
    if body not in Body.values:
        raise DomainError(_("Unknown body %(body)r.") % {"body": body})
    if host is not None and (host.kind != "state" or host.status_on(date) is None):
        raise DomainError(_("A meeting is hosted by a member or observer state."))
    if body == Body.SPECIALISED and measure is None:
        raise DomainError(_("A specialised meeting examines a measure: name it."))
    for expert in experts:
        if measure is not None and expert.measure_id != measure.pk:
            raise DomainError(
                _("%(name)s is designated for %(code)s, not this meeting's measure.")
                % {"name": expert.name, "code": expert.measure.code}
            )
        if date is not None and not expert.active_on(date):
            raise DomainError(
                _("%(name)s is not designated on %(date)s.") % {"name": expert.name, "date": date}
            )


@transaction.atomic
def meeting_set_present(
    *, actor: User, meeting: Meeting, present: Iterable[Participant]
) -> Meeting:
    """Record or correct who attended (the basis of the consensus check): a
    meeting scheduled without the states present could otherwise never carry
    a decision (issue 13 item 6). The secretariat only; each change is kept
    in the meeting's history (simple-history follows ``present``)."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat records attendance."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    present = list(dict.fromkeys(present))
    meeting_attendance_check(meeting=meeting, date=meeting.date, present=present)
    if {p.pk for p in present} == set(meeting.present.values_list("pk", flat=True)):
        return meeting
    meeting.present.set(present)
    # The calendar shows who was present: a new revision of the event.
    meeting.sequence += 1  # the row is locked: no lost update
    meeting.save(update_fields=["sequence", "updated_at"])
    return meeting


def meeting_attendance_check(
    *, meeting: Meeting | None, date: datetime.date | None, present: Iterable[Participant]
) -> None:
    """Those present are member or observer states or organisations on the
    meeting's date; a state that objected to a decision recorded at the
    meeting stays recorded as present (its objection rests on it)."""
    present = list(present)
    if date is not None:
        statuses = dict(
            Participant.objects.with_status(date)
            .filter(pk__in=[p.pk for p in present])
            .values_list("pk", "status")
        )
        outside = sorted(p.code for p in present if not statuses.get(p.pk))
        if outside:
            raise DomainError(
                _("%(codes)s did not take part in CICA on %(date)s.")
                % {"codes": ", ".join(outside), "date": date}
            )
    if meeting is None or meeting.pk is None:
        return
    kept = {p.pk for p in present}
    objected = sorted(
        {
            code
            for pk, code in Participant.objects.filter(objections__meeting=meeting).values_list(
                "pk", "code"
            )
            if pk not in kept
        }
    )
    if objected:
        raise Conflict(
            _(
                "%(codes)s objected to a decision recorded at this meeting and stays recorded "
                "as present."
            )
            % {"codes": ", ".join(objected)}
        )
