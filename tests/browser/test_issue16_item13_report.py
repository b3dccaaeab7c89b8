"""Issue 16 item 13 in a real browser: the printable report as printed (print
media) shows CICA's heading and its date without the admin's chrome, and its
tables take the page's full width."""

import pytest

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "org"), [("en", "CICA"), ("ru", "СВМДА")])
def test_the_report_prints_with_heading_and_full_width_tables(
    page, axe, shoot, live_server, people, language, org
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url + "/"}]
    )
    page.goto("/admin/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.goto("/admin/report/")
    assert page.locator("html").get_attribute("lang") == language
    head = page.locator(".report-head")
    assert org in head.inner_text()
    assert page.locator(".report-head time").get_attribute("datetime")
    axe(page)
    shoot(page, f"issue16-item13-report-{language}")

    page.emulate_media(media="print")
    assert not page.locator("#header").is_visible()
    assert not page.locator(".noprint").first.is_visible()
    assert head.is_visible()
    widths = page.evaluate(
        """() => {
          const body = document.body.getBoundingClientRect().width;
          return [...document.querySelectorAll('table.report')].map(
            t => t.getBoundingClientRect().width / body);
        }"""
    )
    assert widths
    chain = page.evaluate(
        """() => { const out = []; let e = document.querySelector('table.report');
          while (e) { out.push((e.tagName + '#' + e.id + '.' + e.className).slice(0, 40) + ' '
            + Math.round(e.getBoundingClientRect().width)); e = e.parentElement; } return out; }"""
    )
    assert all(w > 0.97 for w in widths), (widths, chain)
    shoot(page, f"issue16-item13-report-print-{language}")
    # Chromium lays the report out on A4 pages with the page numbers of @page.
    assert page.pdf(format="A4")[:5] == b"%PDF-"
