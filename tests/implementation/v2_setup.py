"""Issue 17 v2: an adopted ECO-4 with Tajikistan coordinating, and activities
under it, written through the services (shared by the v2 tests and the
authorisation matrix's scenario)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from implementation.models import Activity, Visibility
from implementation.services.activities import activity_create, activity_set_status
from measures.models import Initiative
from members.models import Participant
from tests.scenarios import eco4_at_drafting


def eco4_adopted() -> Initiative:
    """ECO-4's initiative adopted, Tajikistan its coordinator."""
    initiative = eco4_at_drafting()
    Initiative.objects.filter(pk=initiative.pk).update(status="adopted")
    initiative.refresh_from_db()
    return initiative


def state(code: str) -> Participant:
    return Participant.objects.get(code=code)


def user(name: str):
    return get_user_model().objects.get(username=name)


def an_activity(
    *,
    visibility: str = Visibility.PUBLIC,
    title: str = "Seminar on trade facilitation",
    host: str = "KAZ",
    days: int = 30,
    participants: tuple[str, ...] = ("KAZ", "TJK", "AZE"),
    actor: str = "secretariat",
) -> Activity:
    """A planned activity under ECO-4 (which must be adopted), ``days`` from today."""
    starts = timezone.localdate() + datetime.timedelta(days=days)
    return activity_create(
        actor=user(actor),
        measure=Initiative.objects.get(measure__code="ECO-4").measure,
        kind="seminar",
        host=state(host),
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=1),
        title_en=title,
        venue="Almaty",
        time_zone="Asia/Almaty",
        participants=[state(c) for c in participants],
        organisations="UNESCAP\nOSCE",
        visibility=visibility,
    )


def cancelled(activity: Activity, reason: str = "Venue unavailable") -> Activity:
    return activity_set_status(
        actor=user("secretariat"), activity=activity, status="cancelled", reason=reason
    )
