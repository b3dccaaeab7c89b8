"""The meeting calendar (issue 5, must show 4), read back with a standard parser."""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from measures.models import Measure
from members.models import Participant
from secretariat.services import meeting_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(people):
    def codes(*cs):
        return list(Participant.objects.filter(code__in=cs))

    day = timezone.localdate()
    return [
        meeting_create(
            actor=people.secretariat,
            body="swg",
            date=day,
            place="Almaty",
            host=Participant.objects.get(code="KAZ"),
            present=codes("KAZ", "CHN"),
        ),
        meeting_create(
            actor=people.secretariat,
            body="soc",
            date=day + datetime.timedelta(30),
            place="Bangkok",
            host=Participant.objects.get(code="THA"),
            present=codes("THA", "IND"),
        ),
        meeting_create(
            actor=people.secretariat,
            body="specialised",
            title="Disaster relief",
            date=day + datetime.timedelta(60),
            place="Tokyo",
            host=Participant.objects.get(code="JPN"),
            measure=Measure.objects.get(code="ENV-3"),
            present=codes("JPN", "IRN"),
        ),
    ]


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_the_feed_parses_and_holds_every_meeting(client, meetings):
    found = events(client.get("/meetings.ics"))
    assert len(found) == 3
    by_place = {str(e["location"]).split(",")[0]: e for e in found}
    assert set(by_place) == {"Almaty", "Bangkok", "Tokyo"}
    for meeting in meetings:
        event = by_place[meeting.place]
        assert event.decoded("dtstart") == meeting.date
        assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")
    assert "Japan" in str(by_place["Tokyo"]["location"])
    assert "ENV-3" in str(by_place["Tokyo"]["summary"])
    assert str(by_place["Almaty"]["summary"]) == "Special Working Group"


def test_a_participants_feed_holds_its_meetings(client, meetings):
    assert {str(e["location"]).split(",")[0] for e in events(client.get("/meetings/irn.ics"))} == {
        "Tokyo"
    }
    assert len(events(client.get("/meetings/KAZ.ics"))) == 1
    assert client.get("/meetings/XYZ.ics").status_code == 404
