"""Issue 16 item 6 in a real browser: Withdraw is a danger action; the
coordinating state's delegate clicks it, gives the reason, reads the
restatement of what will happen, cancels (nothing changes), then confirms
(the initiative is withdrawn) — in English and in French, with axe on every
step and a screenshot of each."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from measures.models import CoordinatorDesignation, Initiative
from members.models import Participant
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username, language):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    if language != "en":
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")


@pytest.fixture
def coordinated(people):
    initiative = Initiative.objects.get(measure__code="ECO-4")
    Initiative.objects.filter(pk=initiative.pk).update(status="drafting")
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    initiative.refresh_from_db()
    return initiative


@pytest.mark.parametrize("language", ["en", "fr"])
def test_withdraw_is_restated_cancelled_then_confirmed(page, axe, shoot, coordinated, language):
    tjk = Participant.objects.get(code="TJK")
    state = getattr(tjk, f"name_{language}") or tjk.name
    with translation.override(language):
        restated = gettext("%(state)s will withdraw from %(ref)s") % {
            "state": state,
            "ref": coordinated.reference,
        }
        nothing = gettext("Nothing was withdrawn.")
    sign_in(page, "delegate-tjk", language)
    url = f"/initiatives/{coordinated.pk}/"

    def start():
        page.goto(url)
        withdraw = page.locator("main a.button.danger")
        assert withdraw.count() == 1
        assert withdraw.get_attribute("href").endswith("/withdraw/")
        # Red, not the accent colour of every other action.
        assert withdraw.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(180, 35, 24)"
        withdraw.click()
        page.wait_for_url("**/withdraw/")
        axe(page)
        # The form page puts the cursor in its only field, the reason.
        page.wait_for_function(
            "document.activeElement && document.activeElement.id === 'id_reason'"
        )
        page.locator("#id_reason").fill("No resources this year.")
        page.locator("main form button[type=submit]").click()
        confirmation = page.locator("#confirm-action")
        confirmation.wait_for()
        return confirmation

    page.goto(url)
    axe(page)
    shoot(page, f"issue16-withdraw-{language}-1-initiative")
    confirmation = start()
    text = confirmation.inner_text()
    assert restated in text
    assert "No resources this year." in text
    assert confirmation.locator("button[name=confirmed]").evaluate(
        "b => b.classList.contains('danger')"
    )
    axe(page)
    shoot(page, f"issue16-withdraw-{language}-2-confirmation")
    coordinated.refresh_from_db()
    assert coordinated.status == "drafting"  # nothing happens before the confirmation

    confirmation.locator("button[name=cancel]").click()
    page.wait_for_url(f"**{url}")
    assert nothing in page.locator("main .messages").inner_text()
    axe(page)
    shoot(page, f"issue16-withdraw-{language}-3-cancelled")
    coordinated.refresh_from_db()
    assert coordinated.status == "drafting"

    confirmation = start()
    confirmation.locator("button[name=confirmed]").click()
    page.wait_for_url(f"**{url}")
    coordinated.refresh_from_db()
    assert coordinated.status == "withdrawn"
    status = page.locator("#initiative-status").inner_text()
    with translation.override(language):
        assert status == coordinated.get_status_display()
    assert page.locator("main a.button.danger").count() == 0
    axe(page)
    shoot(page, f"issue16-withdraw-{language}-4-withdrawn")
