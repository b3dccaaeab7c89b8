"""Issue 17 item 4 in a real browser: the secretariat opens the 2027
participation table and reads "3 of 18"; the page keeps to axe's rules, and
on a phone the table reflows with each cell labelled by its area."""

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.implementation.scenarios17 import cycle_2027_with_returns

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_secretariat_reads_3_of_18(page, axe, shoot, live_server, people):
    cycle_2027_with_returns(progress=True)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("secretariat")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto("/reporting/2027/participation/")
    totals = page.locator("#participation-totals").inner_text()
    assert "3 of 18 member states responded (2 reports, 1 nil return); 1 late" in totals
    aze = page.locator('#participation-table tr[data-code="AZE"]')
    assert "Report" in aze.inner_text()
    assert aze.locator(".pt-late").inner_text() == "late"
    assert "Nil" in page.locator('#participation-table tr[data-code="KAZ"]').inner_text()
    assert "Missing" in page.locator('#participation-table tr[data-code="IRN"]').inner_text()
    axe(page)
    shoot(page, "v4-participation")

    page.set_viewport_size({"width": 375, "height": 800})
    label = page.evaluate(
        """() => getComputedStyle(
             document.querySelector('#participation-table td[data-label]'), '::before'
           ).content"""
    )
    assert "ECO" in label
    axe(page)
    shoot(page, "v4-participation-phone")
