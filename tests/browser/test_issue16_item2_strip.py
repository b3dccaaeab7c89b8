"""Issue 16 item 2 in a real browser: the initiative's page and the desk say
where an initiative stands — the current step (aria-current="step"), who
acts next and by when — in English and in Russian, at 1280 and 390 px,
within the CSP, with no serious or critical axe violation."""

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from measures import services
from measures.models import Measure
from members.models import Participant
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def circulated(people):
    """A fresh initiative of Kazakhstan's, its concept paper circulated for five days."""
    measure = Measure.objects.filter(initiatives__isnull=True).order_by("pk")[0]
    initiative, _ = services.initiative_declare_interest(
        actor=people["delegate-kaz"], measure=measure
    )
    services.initiative_open_consultation(actor=people["chair"], initiative=initiative)
    services.initiative_designate_coordinators(
        actor=people["chair"],
        initiative=initiative,
        designations=[(Participant.objects.get(code="KAZ"), "coordinator")],
    )
    services.initiative_submit_paper(
        actor=people["delegate-kaz"], initiative=initiative, file=pdf(), language="en"
    )
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    initiative_circulate(actor=people["secretariat"], initiative=initiative, deadline=deadline)
    return initiative, deadline


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_strip_says_the_step_who_acts_next_and_the_deadline(page, shoot, axe, people, language):
    initiative, deadline = circulated(people)
    with translation.override(language):
        day = date_format(deadline, "DATE_FORMAT")
        step = gettext("Circulated")
        who = gettext("Every member state, until %(date)s") % {"date": day}
    if language == "ru":
        assert step == "Разослано"
        assert "декабря" in day or "г." in day  # the reader's date, not 2026-12-11

    sign_in(page, "delegate-kaz")
    if language != "en":
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")

    # The initiative's page.
    page.goto(f"/initiatives/{initiative.pk}/")
    strip = page.locator("#progress")
    current = strip.locator('[aria-current="step"]')
    assert current.count() == 1
    assert step in current.inner_text()
    # Not by colour alone: the current step has its own mark and weight.
    assert current.locator(".progress-mark").inner_text() == "●"
    assert current.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert strip.locator(".progress-step.is-done").count() == 3
    assert strip.locator(".progress-actor").inner_text() == who
    assert strip.locator(".progress-deadline time").inner_text() == day
    assert strip.locator(".progress-deadline time").get_attribute("datetime") == (
        deadline.isoformat()
    )
    axe(page)
    shoot(page, f"issue16-item2-{language}-initiative-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    # At 390 px the strip is a list down the page: none of it runs off the side
    # (the header and the tables are item 12's).
    assert strip.evaluate("e => e.scrollWidth <= e.clientWidth")
    boxes = [s.bounding_box() for s in strip.locator(".progress-step").all()]
    assert all(b is not None and b["x"] + b["width"] <= 390 for b in boxes)
    shoot(page, f"issue16-item2-{language}-initiative-390")
    axe(page)

    # The desk, compact, for each of the state's initiatives.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    row = page.locator("#ours li").filter(
        has=page.locator(f'a[href="/initiatives/{initiative.pk}/"]')
    )
    assert row.count() == 1
    desk_current = row.locator('[aria-current="step"]')
    assert step in desk_current.inner_text()
    assert desk_current.locator(".progress-label").is_visible()
    assert row.locator(".progress-actor").inner_text() == who
    assert row.locator(".progress-deadline time").inner_text() == day
    # Every initiative on the desk has its strip.
    assert page.locator("#ours > li").count() == page.locator("#ours .progress").count()
    axe(page)
    shoot(page, f"issue16-item2-{language}-desk-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    strips = row.locator(".progress")
    assert strips.evaluate("e => e.scrollWidth <= e.clientWidth")
    box = strips.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    shoot(page, f"issue16-item2-{language}-desk-390")
    axe(page)


def test_a_withdrawn_initiative_shows_its_exit(page, axe, shoot, people):
    initiative, _ = circulated(people)
    services.initiative_withdraw(
        actor=people["secretariat"], initiative=initiative, reason="Merged with another."
    )
    sign_in(page, "delegate-kaz")
    page.goto(f"/initiatives/{initiative.pk}/")
    strip = page.locator("#progress")
    current = strip.locator('[aria-current="step"]')
    assert current.count() == 1
    assert "Withdrawn" in current.inner_text()
    assert strip.locator(".progress-step.is-stopped").inner_text().count("Circulated") == 1
    assert strip.locator(".progress-actor").count() == 0
    axe(page)
    shoot(page, "issue16-item2-en-withdrawn-1280")
