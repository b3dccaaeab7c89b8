"""Issue 17 item 2 (v2): the activities' pages, the measure's section, the
landing page's "held" list and the calendar feeds — each as its reader may
see it."""

from __future__ import annotations

import datetime

import pytest
import vobject  # type: ignore[import-untyped]  # no stubs
from django.test import Client
from django.utils import timezone

from implementation.models import Activity
from implementation.services.activities import activity_document_add, activity_set_status
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf
from tests.implementation.v2_setup import an_activity, cancelled, eco4_adopted, state, user

pytestmark = pytest.mark.django_db

READERS = {
    "anon": None,
    "observer": "delegate-usa",
    "member": "delegate-chn",
    "host": "delegate-kaz",
    "coordinator": "delegate-tjk",
    "secretariat": "secretariat",
}
SEES = {
    "public": set(READERS),
    "members_and_observers": {"observer", "member", "host", "coordinator", "secretariat"},
    "secretariat": {"host", "coordinator", "secretariat"},
}


@pytest.fixture
def adopted(people):
    return eco4_adopted()


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def three(adopted):
    """One activity of each visibility, each titled by it."""
    return {v: an_activity(visibility=v, title=f"Title {v}", participants=()) for v in SEES}


@pytest.mark.parametrize("reader", list(READERS))
def test_visibility_per_reader_pages_and_feed(three, reader):
    client = _client(READERS[reader])
    listing = client.get("/activities/").content.decode()
    measure = client.get("/catalogue/ECO-4/").content.decode()
    feed = client.get("/meetings.ics")
    assert feed.status_code == 200
    calendar = vobject.readOne(feed.content.decode())
    summaries = {str(e.summary.value) for e in calendar.contents.get("vevent", [])}
    for visibility, activity in three.items():
        title = f"Title {visibility}"
        page = client.get(f"/activities/{activity.pk}/")
        if reader in SEES[visibility]:
            assert title in listing
            assert title in measure
            assert page.status_code == 200
            assert f"{title} (ECO-4)" in summaries
        else:
            assert title not in listing
            assert title not in measure
            assert page.status_code == 404
            assert f"{title} (ECO-4)" not in summaries


def test_feed_vevent_has_the_activity(adopted):
    activity = an_activity(participants=("AZE",))
    activity = cancelled(activity, "Venue flooded")
    for url in ("/meetings.ics", "/meetings/aze.ics"):
        calendar = vobject.readOne(Client().get(url).content.decode())
        events = [e for e in calendar.vevent_list if "activity-" in e.uid.value]
        assert len(events) == 1, url
        event = events[0]
        assert event.status.value == "CANCELLED"
        assert int(event.sequence.value) == activity.sequence == 1
        assert event.dtstart.value == activity.starts_on
        assert event.dtend.value == activity.ends_on + datetime.timedelta(days=1)
        assert "Almaty" in event.location.value
        assert "Asia/Almaty" in event.description.value
    calendar = vobject.readOne(Client().get("/meetings/chn.ics").content.decode())
    assert not [e for e in calendar.contents.get("vevent", []) if "activity-" in e.uid.value]


def test_list_puts_our_measures_first_with_new_activity(adopted):
    an_activity(title="Ours to coordinate")
    page = _client("delegate-tjk").get("/activities/").content.decode()
    assert "Activities of the measures we coordinate" in page
    assert page.index("Activities of the measures we coordinate") < page.index("Ours to coordinate")
    assert 'href="/activities/new/"' in page
    other = _client("delegate-chn").get("/activities/").content.decode()
    assert "Activities of the measures we coordinate" not in other
    assert 'href="/activities/new/"' in other  # a member may host one
    chair = _client("chair").get("/activities/").content.decode()
    assert 'href="/activities/new/"' not in chair


def test_forms_refused_with_the_reason(adopted):
    activity = an_activity()
    for username, status in (("chair", 403), ("delegate-chn", 403)):
        client = _client(username)
        edit = client.get(f"/activities/{activity.pk}/edit/")
        assert edit.status_code == status
        assert "enter and update activities" in edit.content.decode()
        page = client.get(f"/activities/{activity.pk}/").content.decode()
        assert "Mark as" not in page
        assert "/edit/" not in page
    assert _client("chair").get("/activities/new/").status_code == 403
    assert _client(None).get("/activities/new/").status_code == 302


def test_new_edit_and_cancel_through_the_pages(adopted):
    client = _client("delegate-tjk")
    starts = timezone.localdate() + datetime.timedelta(days=10)
    form = client.get("/activities/new/")
    assert form.status_code == 200
    eco4 = adopted.measure
    answer = client.post(
        "/activities/new/",
        {
            "measure": eco4.pk,
            "kind": "workshop",
            "title_en": "Workshop on transit",
            "host": state("TJK").pk,
            "starts_on": starts.isoformat(),
            "ends_on": starts.isoformat(),
            "venue": "Dushanbe",
            "time_zone": "Asia/Dushanbe",
            "organisations": "UNDP\nOSCE",
            "visibility": "public",
        },
    )
    activity = Activity.objects.get(title_en="Workshop on transit")
    assert answer.status_code == 302
    assert answer["Location"] == f"/activities/{activity.pk}/"
    assert activity.organisations == "UNDP\nOSCE"
    # Cancelling asks for a confirmation, then needs the reason.
    url = f"/activities/{activity.pk}/status/"
    assert client.post(url, {"status": "cancelled", "reason": ""}).status_code == 400
    restated = client.post(url, {"status": "cancelled", "reason": "No funds"})
    assert restated.status_code == 200
    assert "will be cancelled" in restated.content.decode()
    activity.refresh_from_db()
    assert activity.status == "planned"
    done = client.post(url, {"status": "cancelled", "reason": "No funds", "confirm": "1"})
    assert done.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.status_reason) == ("cancelled", "No funds")
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "No funds" in page


def test_hostile_page_input(adopted):
    activity = an_activity()
    client = _client("delegate-tjk")
    base = {
        "kind": "seminar",
        "title_en": "Fine",
        "host": activity.host_id,
        "starts_on": activity.starts_on.isoformat(),
        "ends_on": activity.ends_on.isoformat(),
        "time_zone": "Asia/Almaty",
        "visibility": "public",
    }
    for bad in (
        {"title_en": "two\r\nlines"},
        {"title_en": "x" * 4000},
        {"time_zone": "Mars/Base"},
        {"ends_on": "2001-01-01"},
    ):
        answer = client.post(f"/activities/{activity.pk}/edit/", {**base, **bad})
        assert answer.status_code == 400, bad
    activity.refresh_from_db()
    assert activity.title_en == "Seminar on trade facilitation"


def test_documents_through_the_page(adopted):
    activity = an_activity(visibility="secretariat")
    client = _client("delegate-kaz")
    answer = client.post(
        f"/activities/{activity.pk}/documents/", {"kind": "programme", "file": pdf()}
    )
    assert answer.status_code == 302
    document = activity.documents.get()
    url = f"/activities/{activity.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 200
    assert _client("delegate-chn").get(url).status_code == 404
    assert _client(None).get(url).status_code == 404


def test_landing_lists_held_public_activities(adopted, django_assert_max_num_queries):
    held = an_activity(title="Held in public", days=-3)
    private = an_activity(title="Held among members", days=-3, visibility="members_and_observers")
    for activity in (held, private):
        activity_set_status(actor=user("secretariat"), activity=activity, status="confirmed")
        activity_set_status(actor=user("secretariat"), activity=activity, status="held")
    activity_document_add(actor=user("secretariat"), activity=held, kind="report", file=pdf())
    activity_set_status(actor=user("secretariat"), activity=held, status="report_filed")
    an_activity(title="Not yet held")
    client = Client()
    # As many queries as without activities (tests/pages/test_issue16_landing.py).
    with django_assert_max_num_queries(6):
        page = client.get("/").content.decode()
    assert "Held in public" in page
    assert "Held among members" not in page
    assert "Not yet held" not in page
