"""Meetings: the secretariat's calendar and who attended."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from members.models import Participant
from members.rules import is_secretariat

from ..models import (
    Body,
    Meeting,
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
) -> Meeting:
    """Schedule or record a meeting. The secretariat keeps the calendar.

    Rule: a meeting is hosted by a state (seed: specialised meetings "dans les
    États membres ou observateurs"); those present are participants.
    """
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat schedules meetings."))
    experts = list(experts)
    present = list(dict.fromkeys(present))
    meeting_check(body=body, host=host, measure=measure, experts=experts, date=date)
    meeting_attendance_check(meeting=None, date=date, present=present)
    meeting = Meeting.objects.create(
        body=body,
        date=date,
        place=place,
        title=title,
        host=host,
        measure=measure,
        created_by=actor,
    )
    meeting.present.set(present)
    meeting.experts.set(experts)
    return meeting


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
    meeting.present.set(present)
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
