"""The meeting calendar (issue 5, must show 4; issue 15 item 6), read back with
icalendar and with vobject, a second parser independent of the one that writes it."""

import datetime

import pytest
import time_machine
import vobject  # type: ignore[import-untyped]  # no stubs
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cica.errors import DomainError, Forbidden
from cica.settings import calendar_domain_default
from measures.models import Measure
from members.models import Participant
from secretariat.models import Meeting
from secretariat.services import meeting_create, meeting_set_present, meeting_update
from tests.conftest import DEMO_PASSWORD

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


# --- a calendar that behaves like one (issue 15 item 6), read with vobject ------------


def vevents(response) -> list:
    """The feed read by a second parser, independent of the icalendar that wrote it."""
    assert response.status_code == 200, response.content[:300]
    calendar = vobject.readOne(response.content.decode())
    return list(calendar.contents.get("vevent", []))


def by_uid(response) -> dict:
    return {e.uid.value: e for e in vevents(response)}


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        (["cica.example.org", "localhost"], "cica.example.org"),
        ([".cica.example.org"], "cica.example.org"),
        (["*"], "localhost"),
        ([], "localhost"),
        ([""], "localhost"),
    ],
)
def test_the_calendar_domain_is_derived_from_the_first_allowed_host(hosts, expected):
    assert calendar_domain_default(hosts) == expected


def test_uids_and_etag_do_not_depend_on_the_host_asked(client, meetings, settings):
    settings.ALLOWED_HOSTS = ["calendar.cica.example", "other.example", "testserver"]
    settings.CICA_CALENDAR_DOMAIN = "calendar.cica.example"
    first = client.get("/meetings.ics", HTTP_HOST="calendar.cica.example")
    second = client.get("/meetings.ics", HTTP_HOST="other.example")
    assert set(by_uid(first)) == set(by_uid(second))
    assert len(by_uid(first)) == 3
    assert all(uid.endswith("@calendar.cica.example") for uid in by_uid(first))
    assert first["ETag"] == second["ETag"]


def test_a_repeat_with_the_etag_is_a_304(client, meetings):
    first = client.get("/meetings.ics")
    assert first["ETag"]
    again = client.get("/meetings.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    # Time passing changes nothing: DTSTAMP is the meeting's last change.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
        later = client.get("/meetings.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 304


def test_a_change_bumps_sequence_and_last_modified(client, meetings, people):
    swg = meetings[0]
    before = by_uid(client.get("/meetings.ics"))
    etag = client.get("/meetings.ics")["ETag"]
    uid = next(u for u in before if u.startswith(f"meeting-{swg.pk}@"))
    assert int(before[uid].sequence.value) == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        meeting_update(actor=people.secretariat, meeting=swg, place="Astana")
    answer = client.get("/meetings.ics", HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 200
    after = by_uid(answer)
    assert int(after[uid].sequence.value) == 1
    assert after[uid].last_modified.value > before[uid].last_modified.value
    assert after[uid].dtstamp.value == after[uid].last_modified.value
    swg.refresh_from_db()
    assert after[uid].last_modified.value == swg.updated_at.replace(microsecond=0)
    # Attendance changes the event's description: another revision.
    meeting_set_present(
        actor=people.secretariat, meeting=swg, present=Participant.objects.filter(code="KAZ")
    )
    assert int(by_uid(client.get("/meetings.ics"))[uid].sequence.value) == 2
    # Saving with nothing changed is no revision.
    meeting_update(actor=people.secretariat, meeting=swg, place="Astana")
    assert int(by_uid(client.get("/meetings.ics"))[uid].sequence.value) == 2


def test_times_are_given_in_the_venues_zone(client, meetings, people):
    soc = meetings[1]
    meeting_update(
        actor=people.secretariat,
        meeting=soc,
        start_time=datetime.time(10, 0),
        end_time=datetime.time(13, 30),
        time_zone="Asia/Bangkok",
    )
    answer = client.get("/meetings.ics")
    assert b"BEGIN:VTIMEZONE" in answer.content
    assert b"TZID:Asia/Bangkok" in answer.content
    event = next(e for e in vevents(answer) if e.uid.value.startswith(f"meeting-{soc.pk}@"))
    start, end = event.dtstart.value, event.dtend.value
    assert isinstance(start, datetime.datetime)
    assert start.utcoffset() == datetime.timedelta(hours=7)
    assert (start.date(), start.time(), end.time()) == (
        soc.date,
        datetime.time(10, 0),
        datetime.time(13, 30),
    )
    assert start.tzname() in ("+07", "ICT")  # vobject's zone, built from the VTIMEZONE
    assert f"DTSTART;TZID=Asia/Bangkok:{soc.date:%Y%m%d}T100000".encode() in answer.content
    # The same moment, in UTC: 03:00.
    assert start.astimezone(datetime.UTC).time() == datetime.time(3, 0)


def test_all_day_only_when_no_time_is_known(client, meetings, people):
    tokyo = meetings[2]
    meeting_update(actor=people.secretariat, meeting=tokyo, start_time=datetime.time(9, 30))
    events_by_place = {
        e.location.value.split(",")[0]: e for e in vevents(client.get("/meetings.ics"))
    }
    for place in ("Almaty", "Bangkok"):
        start = events_by_place[place].dtstart.value
        assert type(start) is datetime.date
        assert events_by_place[place].dtstart.params.get("VALUE") == ["DATE"]
        assert events_by_place[place].dtend.value == start + datetime.timedelta(days=1)
    start = events_by_place["Tokyo"].dtstart.value
    assert isinstance(start, datetime.datetime)
    # No end known: the configured zone, and no DTEND (RFC 5545: it ends as it starts).
    assert start.utcoffset() == datetime.timedelta(hours=5)
    assert "dtend" not in events_by_place["Tokyo"].contents


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, meetings, people):
    soc = meetings[1]
    meeting_update(actor=people.secretariat, meeting=soc, cancelled=True)
    found = {e.location.value.split(",")[0]: e for e in vevents(client.get("/meetings.ics"))}
    assert found["Bangkok"].status.value == "CANCELLED"
    assert int(found["Bangkok"].sequence.value) == 1
    assert found["Almaty"].status.value == "CONFIRMED"


def test_the_meeting_service_checks_times_and_zones(meetings, people):
    swg = meetings[0]
    with pytest.raises(DomainError, match="time zone"):
        meeting_update(actor=people.secretariat, meeting=swg, time_zone="Mars/Olympus")
    with pytest.raises(DomainError, match="end"):
        meeting_update(
            actor=people.secretariat,
            meeting=swg,
            start_time=datetime.time(14, 0),
            end_time=datetime.time(9, 0),
        )
    with pytest.raises(DomainError, match="start"):
        meeting_update(actor=people.secretariat, meeting=swg, end_time=datetime.time(9, 0))
    with pytest.raises(Forbidden):
        meeting_update(actor=people.chair, meeting=swg, cancelled=True)
    swg.refresh_from_db()
    assert (swg.sequence, swg.cancelled, swg.time_zone) == (0, False, settings.TIME_ZONE)


def test_the_api_takes_and_shows_times_and_zone(as_user, people):
    secretariat = as_user("secretariat")
    day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    made = secretariat.post(
        "/api/v1/meetings/",
        {
            "body": "swg",
            "date": day,
            "start_time": "10:00",
            "end_time": "12:30",
            "time_zone": "Asia/Bangkok",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["start_time"], body["end_time"], body["time_zone"]) == (
        "10:00",
        "12:30",
        "Asia/Bangkok",
    )
    assert (body["cancelled"], body["sequence"]) == (False, 0)
    assert body["updated_at"].endswith("+05:00")
    plain = secretariat.post("/api/v1/meetings/", {"body": "soc", "date": day}, format="json")
    assert plain.status_code == 201, plain.content
    assert (plain.json()["start_time"], plain.json()["time_zone"]) == (None, settings.TIME_ZONE)
    for wrong in (
        {"time_zone": "Mars/Olympus"},
        {"start_time": "14:00", "end_time": "09:00"},
        {"start_time": "10:00Z"},  # a time of day at the venue has no offset
    ):
        refused = secretariat.post(
            "/api/v1/meetings/", {"body": "swg", "date": day, **wrong}, format="json"
        )
        assert refused.status_code == 400, refused.content


def test_the_admin_cancels_and_times_a_meeting_through_the_service(client, meetings, people):
    swg = meetings[0]
    url = reverse("admin:secretariat_meeting_change", args=[swg.pk])
    data = {
        "body": "swg",
        "title": "",
        "date": swg.date.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "time_zone": "Asia/Almaty",
        "cancelled": "on",
        "place": "Almaty",
        "host": swg.host_id,
        "measure": "",
        "present": list(swg.present.values_list("pk", flat=True)),
        "experts": [],
    }
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    swg.refresh_from_db()
    assert swg.cancelled
    assert swg.start_time == datetime.time(9, 0)
    assert swg.sequence == 1
    data["time_zone"] = "Mars/Olympus"
    refused = client.post(url, data)
    assert refused.status_code == 200
    swg.refresh_from_db()
    assert swg.time_zone == "Asia/Almaty"


def test_the_admin_schedules_a_meeting_through_the_service(client, people):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    states = list(Participant.objects.filter(code__in=["KAZ", "CHN"]))
    response = client.post(
        reverse("admin:secretariat_meeting_add"),
        {
            "body": "soc",
            "title": "",
            "date": timezone.localdate().isoformat(),
            "start_time": "15:00",
            "end_time": "",
            "time_zone": "",
            "place": "Astana",
            "host": "",
            "measure": "",
            "present": [p.pk for p in states],
            "experts": [],
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    meeting = Meeting.objects.get(place="Astana")
    assert (meeting.created_by, meeting.time_zone, meeting.sequence) == (
        people.secretariat,
        settings.TIME_ZONE,
        0,
    )
    assert meeting.start_time == datetime.time(15, 0)
    assert sorted(meeting.present.values_list("code", flat=True)) == ["CHN", "KAZ"]
