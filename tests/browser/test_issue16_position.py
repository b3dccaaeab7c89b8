"""Issue 16 item 1 in a real browser: no preselected position, an explicit
choice, a restatement to confirm, a receipt — in English and in Russian,
within the CSP (the page fixture fails on any violation)."""

import pytest
from django.utils import timezone

from members.models import Participant
from secretariat.models import Receipt
from tests.conftest import DEMO_PASSWORD
from tests.scenarios import eco4_circulated

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize(
    ("language", "objection", "recorded"),
    [("en", "Objection", "Recorded by"), ("ru", "Возражение", "")],
)
def test_a_position_is_chosen_restated_confirmed_and_receipted(
    page, shoot, people, language, objection, recorded
):
    circulation = eco4_circulated(people)
    assert circulation.paper is not None
    kaz = Participant.objects.get(code="KAZ")
    state = getattr(kaz, f"name_{language}") or kaz.name

    sign_in(page, "delegate-kaz")
    if language != "en":
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
    page.goto(f"/circulations/{circulation.pk}/")
    menu = page.locator("#id_position")
    assert menu.input_value() == ""  # nothing preselected
    shoot(page, f"issue16-{language}-1-no-position")
    menu.select_option("objection")
    page.locator("#id_text").fill("Kazakhstan asks for a wider scope first.")
    page.locator("button[name=answer]").click()

    restatement = page.locator("#confirm-position").inner_text()
    assert state in restatement
    assert objection in restatement
    assert circulation.paper.symbol in restatement
    shoot(page, f"issue16-{language}-2-restatement")
    receipt = Receipt.objects.get(circulation=circulation, participant=kaz)
    assert receipt.position == ""  # nothing recorded before the confirmation

    page.locator("#confirm-position button[name=answer]").click()
    ours = page.locator("#our-position").inner_text()
    assert objection in ours
    assert "Kazakhstan asks for a wider scope first." in ours
    assert recorded in ours
    shoot(page, f"issue16-{language}-3-receipt")
    receipt.refresh_from_db()
    assert receipt.position == "objection"
    # When, in the configured zone.
    assert timezone.localtime(receipt.position_at).strftime("%H:%M") in ours
