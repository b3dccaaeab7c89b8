"""Issue 16 item 10 in a real browser: a delegate goes from the header's
"Meetings" to the list, then to a meeting's page (date, time and zone,
place, the initiatives before it, its decisions, the calendar link); axe
finds nothing serious; within the CSP; at 1280 and 390 px."""

import datetime

import pytest
from django.utils import timezone

from members.models import Participant
from secretariat import services as secretariat_services
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_delegate_finds_the_next_meeting(page, shoot, axe, people, drafting, width):
    today = timezone.localdate()
    secretariat_services.meeting_create(
        actor=people.secretariat,
        body="swg",
        date=today - datetime.timedelta(days=30),
        place="Almaty",
        title="Eleventh session",
    )
    soc = secretariat_services.meeting_create(
        actor=people.secretariat,
        body="soc",
        date=today + datetime.timedelta(days=7),
        place="Astana",
        title="Autumn session",
        start_time=datetime.time(10, 0),
        end_time=datetime.time(13, 0),
        time_zone="Asia/Almaty",
        host=Participant.objects.get(code="KAZ"),
    )
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    sign_in(page, "delegate-mng")
    menu = page.locator("header.site button.menu-toggle")
    if menu.is_visible():  # on a phone the header's navigation is behind Menu
        menu.click()
    page.locator("header nav").get_by_role("link", name="Meetings").click()
    page.wait_for_url("**/meetings/")
    upcoming = page.locator("#upcoming").inner_text()
    assert "Autumn session" in upcoming
    assert "Eleventh session" in page.locator("#past").inner_text()
    axe(page)
    shoot(page, f"issue16-item10-meetings-{width}")

    page.get_by_role("link", name="Senior Officials Committee: Autumn session").click()
    page.wait_for_url(f"**/meetings/{soc.pk}/")
    facts = page.locator("#meeting-facts").inner_text()
    assert "10:00–13:00" in facts
    assert "Asia/Almaty" in facts
    assert "Astana" in facts
    assert "Kazakhstan" in facts
    assert page.locator("#ics-own").get_attribute("href") == "/meetings/MNG.ics"
    assert "Decisions are recorded here after the meeting." in page.inner_text("main")
    axe(page)
    shoot(page, f"issue16-item10-meeting-{width}")
