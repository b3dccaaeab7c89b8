"""Issue 16 items 12 and 13 and the axe must-show, in a real browser: every
delegate page, signed in as a member state's delegate and anonymous, at
1280 px and at 390 px (a phone), in English and in Russian — axe finds no
serious or critical violation, nothing scrolls sideways on the phone, and a
screenshot of each is kept (test-artifacts/)."""

import pytest

from measures.models import Measure
from secretariat.services import information_submit
from tests.conftest import DEMO_PASSWORD
from tests.scenarios import eco4_circulated

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, username, language="en"):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    choose_language(page, language)


def choose_language(page, language):
    if language != "en":
        page.goto("/catalogue/")
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")


@pytest.fixture
def delegate_world(people):
    """Something on every page of Kazakhstan's delegate: an initiative at
    drafting with a paper circulated to the member states (so a circulation
    and a notification), and an information submission of Kazakhstan's."""
    circulation = eco4_circulated(people)
    initiative = circulation.initiative
    assert initiative is not None
    information = information_submit(
        actor=people["delegate-kaz"],
        title="Energy security exchange of views",
        text="Kazakhstan's views on the measure.",
        kind="views",
        language="en",
        visibility="members",
        measures=[Measure.objects.get(code="ECO-3")],
    )
    return {
        "desk": "/",
        "catalogue": "/catalogue/",
        "measure": "/catalogue/ECO-4/",
        "initiative": f"/initiatives/{initiative.pk}/",
        "circulations": "/circulations/",
        "circulation": f"/circulations/{circulation.pk}/",
        "information-list": "/information/",
        "information": f"/information/{information.pk}/",
        "information-new": "/information/new/",
        "experts": "/experts/",
        "notifications": "/notifications/",
        "search": "/search/?q=energy",
    }


def visit_all(page, axe, shoot, pages, prefix):
    """Each page at both widths: axe, the phone's width, a screenshot. Every
    problem is collected, so one run names all of them."""
    problems = []
    for width_name, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        for name, url in pages.items():
            response = page.goto(url)
            assert response is not None, url
            assert response.ok, f"{url}: {response.status}"
            try:
                axe(page)
            except AssertionError as error:
                problems.append(f"{width_name} {name}: {error}")
            if viewport is PHONE:
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > PHONE["width"]:
                    problems.append(f"390 {name}: scrolls sideways ({wide} px)")
            shoot(page, f"{prefix}-{width_name}-{name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_delegate_page_passes_axe_and_fits_a_phone(
    page, axe, shoot, delegate_world, language
):
    sign_in(page, "delegate-kaz", language)
    visit_all(page, axe, shoot, delegate_world, f"issue16-axe-delegate-{language}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_anonymous_pages_pass_axe_and_fit_a_phone(page, axe, shoot, language):
    page.goto("/catalogue/")
    choose_language(page, language)
    pages = {
        "landing": "/",
        "login": "/accounts/login/",
        "catalogue": "/catalogue/",
        "measure": "/catalogue/ECO-4/",
        "information-list": "/information/",
        "search": "/search/?q=energy",
    }
    visit_all(page, axe, shoot, pages, f"issue16-axe-anonymous-{language}")
