"""Issue 17 item 2 (v2) in a real browser: the coordinator's delegate enters
an activity from the activities page, then cancels it with a reason — the
page restates what will happen, and after confirming shows it cancelled
with the reason, in its history too."""

import datetime

import pytest
from django.utils import timezone

from implementation.models import Activity
from tests.browser.test_issue16_withdraw_confirmation import sign_in
from tests.implementation.v2_setup import eco4_adopted

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_enters_then_cancels_an_activity(page, axe, shoot, people):
    initiative = eco4_adopted()
    sign_in(page, "delegate-tjk", "en")
    page.goto("/activities/")
    axe(page)
    page.locator("#new-activity").click()
    page.wait_for_url("**/activities/new/")
    starts = timezone.localdate() + datetime.timedelta(days=21)
    page.locator("#id_measure").select_option(str(initiative.measure_id))
    page.locator("#id_kind").select_option("workshop")
    page.locator("#id_title_en").fill("Workshop on transit corridors")
    page.locator("#id_starts_on").fill(starts.isoformat())
    page.locator("#id_ends_on").fill((starts + datetime.timedelta(days=1)).isoformat())
    page.locator("#id_venue").fill("Dushanbe")
    page.locator("#id_time_zone").fill("Asia/Dushanbe")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/activities/*/")
    activity = Activity.objects.get(title_en="Workshop on transit corridors")
    assert page.locator("h1").inner_text() == "Workshop on transit corridors"
    assert page.locator("#activity-status").inner_text() == "Planned"
    assert "The activity is entered in the register." in page.locator("main").inner_text()
    axe(page)
    shoot(page, "issue17-v2-activity-1-entered")

    page.locator("#reason-cancelled").fill("The host could not secure the venue.")
    page.locator("button[data-status=cancelled]").click()
    confirmation = page.locator("#confirm-action")
    confirmation.wait_for()
    assert "Workshop on transit corridors will be cancelled." in confirmation.inner_text()
    assert "The host could not secure the venue." in confirmation.inner_text()
    activity.refresh_from_db()
    assert activity.status == "planned"  # nothing yet
    shoot(page, "issue17-v2-activity-2-confirm")
    confirmation.locator("button[name=confirmed]").click()
    page.wait_for_url(f"**/activities/{activity.pk}/")
    assert page.locator("#activity-status").inner_text() == "Cancelled"
    assert page.locator("#activity-reason").inner_text() == "The host could not secure the venue."
    assert "The activity is cancelled." in page.locator("main").inner_text()
    history = page.locator("#activity-history").inner_text()
    assert "planned → cancelled: The host could not secure the venue." in history
    # A cancelled activity offers no more moves.
    assert page.locator("#activity-moves").count() == 0
    axe(page)
    shoot(page, "issue17-v2-activity-3-cancelled")
    activity.refresh_from_db()
    assert (activity.status, activity.status_reason) == (
        "cancelled",
        "The host could not secure the venue.",
    )
