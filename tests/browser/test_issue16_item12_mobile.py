"""Issue 16 item 12 and the page parts of item 13 in a real browser: on a
phone (390 × 844) the header is one compact line with a Menu button that
unfolds the navigation (and without script the navigation is simply there),
the catalogue's tables reflow so that the status is in view, nothing scrolls
sideways; the first field of a form page has the focus, other pages keep it."""

import pytest

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_compact_header_with_a_menu_on_a_phone(page, axe, shoot, people, language):
    sign_in(page, "delegate-kaz")
    if language != "en":
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
    page.set_viewport_size(PHONE)
    page.goto("/catalogue/")
    header = page.locator("header.site")
    menu = page.locator("header.site button.menu-toggle")
    nav = page.locator("header.site nav")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert menu.get_attribute("aria-controls") == "site-menu"
    assert not nav.is_visible()
    height = header.bounding_box()["height"]
    assert height <= 64, f"the closed header takes {height} px"
    shoot(page, f"issue16-item12-{language}-1-header-closed")
    axe(page)

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    assert page.locator("header.site nav a[href='/circulations/']").is_visible()
    assert page.locator("#language").is_visible()
    shoot(page, f"issue16-item12-{language}-2-menu-open")
    axe(page)
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    # The catalogue's rows reflow: each cell captioned, the status in view.
    status = page.locator("main table tbody tr").nth(3).locator("td").nth(2)
    box = status.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    caption = status.evaluate("td => getComputedStyle(td, '::before').content")
    assert caption.strip('"') == status.get_attribute("data-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_wide_screen_the_menu_is_open_and_the_button_not_shown(page, people):
    sign_in(page, "delegate-kaz")
    page.goto("/catalogue/")
    assert not page.locator("header.site button.menu-toggle").is_visible()
    assert page.locator("header.site nav").is_visible()
    # The table keeps its columns.
    assert page.locator("main table thead th").first.is_visible()


def test_without_script_the_navigation_stays_reachable(browser, live_server, shoot):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/catalogue/")
    assert not page.locator("header.site button.menu-toggle").is_visible()
    assert page.locator("header.site nav a[href='/search/']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "issue16-item12-no-script")
    context.close()


@pytest.mark.parametrize(
    ("url", "first"),
    [("/accounts/login/", "id_username"), ("/information/new/", "id_title")],
)
def test_a_form_page_focuses_its_first_field(page, people, url, first):
    if url != "/accounts/login/":
        sign_in(page, "delegate-kaz")
    page.goto(url)
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{first}'")


def test_a_form_page_with_errors_focuses_the_first_refused_field(page, people):
    sign_in(page, "delegate-kaz")
    page.goto("/information/new/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    invalid = page.locator("main form [aria-invalid=true]").first
    page.wait_for_function("document.activeElement.getAttribute('aria-invalid') === 'true'")
    assert page.evaluate("document.activeElement.id") == invalid.get_attribute("id")


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/search/?q=energy", "/notifications/"])
def test_pages_that_are_not_forms_do_not_take_the_focus(page, people, url):
    sign_in(page, "delegate-kaz")
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement === document.body")
