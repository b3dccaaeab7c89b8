"""Activities in the calendar feeds beside the meetings (issue 17 item 2):
one all-day VEVENT per activity the feed's reader may see, as the meetings'
events are written (stable UIDs, SEQUENCE from the activity's revision, a
cancelled activity kept as STATUS:CANCELLED)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from icalendar import Calendar, Event

from members.models import Participant
from members.rules import AnyUser

from .models import ActivityStatus
from .selectors import activities_visible

ICAL_STATUS = {
    ActivityStatus.PLANNED: "TENTATIVE",
    ActivityStatus.POSTPONED: "TENTATIVE",
    ActivityStatus.CONFIRMED: "CONFIRMED",
    ActivityStatus.HELD: "CONFIRMED",
    ActivityStatus.REPORT_FILED: "CONFIRMED",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def add_activities(
    calendar: Calendar, *, user: AnyUser, participant: Participant | None = None
) -> int:
    """Add the activities ``user`` may see (those ``participant`` hosts,
    co-organises or takes part in, when given) to ``calendar``; returns how
    many. Two queries."""
    activities = activities_visible(user).select_related("measure", "host")
    if participant is not None:
        activities = activities.filter(
            pk__in=activities.model.objects.filter(
                Q(host=participant) | Q(co_organisers=participant) | Q(participants=participant)
            ).values("pk")
        )
    domain = settings.CICA_CALENDAR_DOMAIN
    count = 0
    for activity in activities.order_by("starts_on", "pk"):
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{domain}")
        changed = activity.updated_at.astimezone(datetime.UTC).replace(microsecond=0)
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("sequence", activity.sequence)
        event.add("status", ICAL_STATUS[ActivityStatus(activity.status)])
        event.add("dtstart", activity.starts_on)
        event.add("dtend", activity.ends_on + datetime.timedelta(days=1))
        event.add("summary", f"{activity.title} ({activity.measure.code})")
        where = ", ".join(filter(None, [activity.venue, activity.host.name]))
        if where:
            event.add("location", where)
        event.add("x-cica-time-zone", activity.time_zone)
        description = f"{activity.get_kind_display()} · {activity.measure.code}"
        description += f"\nTime zone: {activity.time_zone}"
        if activity.status_reason:
            description += f"\n{activity.get_status_display()}: {activity.status_reason}"
        event.add("description", description)
        event.add("categories", ["ACTIVITY"])
        calendar.add_component(event)
        count += 1
    return count
