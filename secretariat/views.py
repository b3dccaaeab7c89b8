"""The meeting calendar as iCalendar feeds (public: meetings are public in the API too)."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from icalendar import Calendar, Event

from members.models import Participant

from . import selectors


def meetings_ics(request, code: str | None = None):
    """SWG, SOC, specialised and other meetings, as all-day events; with a
    participant code, those it hosts or attends."""
    participant = None
    if code is not None:
        participant = get_object_or_404(Participant, code=code.upper())
    meetings = selectors.meetings_for_calendar(participant=participant)
    calendar = Calendar()
    calendar.add("prodid", "-//CICA secretariat//cica//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CICA meetings{f' — {participant.code}' if participant else ''}")
    stamp = timezone.now()
    host = request.get_host().split(":")[0] or "cica"
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + datetime.timedelta(days=1))
        summary = meeting.get_body_display()
        if meeting.title:
            summary = f"{summary}: {meeting.title}"
        if meeting.measure_id:
            summary = f"{summary} ({meeting.measure.code})"
        event.add("summary", summary)
        where = ", ".join(filter(None, [meeting.place, meeting.host and meeting.host.name]))
        if where:
            event.add("location", where)
        present = ", ".join(p.code for p in meeting.present.all())
        if present:
            event.add("description", f"Present: {present}")
        event.add("categories", [meeting.body.upper()])
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    filename = f"cica-meetings{'-' + participant.code.lower() if participant else ''}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
