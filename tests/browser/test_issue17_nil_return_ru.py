"""Issue 17 must-show, in a real browser: a delegate files a nil return in
Russian. Kazakhstan's delegate, whose language is Russian, signs in, sees
the returns due on the desk and the reporting pages in Russian, asks for a
nil return for the Economic dimension, reads the restatement in Russian,
confirms, and reads the receipt in Russian — within the CSP (the ``page``
fixture fails on any violation), axe-clean and without sideways scrolling at
1280 px and 390 px, a screenshot of each step kept (test-artifacts/)."""

import datetime

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from implementation.models import Return, ReturnKind, ReturnStatus
from implementation.services import reporting
from measures.models import PriorityArea
from members.models import Participant, UserPreference
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def checked(page, axe, shoot, name):
    """axe and the phone's width on the page as it is, at both widths, with screenshots."""
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        axe(page)
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, f"issue17-nil-return-ru-{width}-{name}")
    page.set_viewport_size(DESKTOP)


def test_a_delegate_files_a_nil_return_in_russian(page, axe, shoot, people):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    eco = PriorityArea.objects.get(code="ECO")
    cycle = reporting.cycle_open(actor=people.secretariat, year=today.year, due_on=due, areas=[eco])
    kaz = Participant.objects.get(code="KAZ")
    UserPreference.objects.create(user=people["delegate-kaz"], language="ru")
    with translation.override("ru"):
        # The texts as the Russian catalogue gives them, and those Russian already.
        state, area = kaz.name, eco.name
        due_words = dateformat.format(due, "j E Y")
        returns_due = _("Returns due")
        nil_button = _("Nothing to report for this period")
        restatement = _("%(state)s will record a nil return for %(area)s, %(year)s cycle") % {
            "state": state,
            "area": area,
            "year": cycle.year,
        }
        receipt = _("Nil return recorded on %(date)s.") % {
            "date": dateformat.format(today, "j E Y")
        }
        confirm = _("Confirm")
    assert state == "Казахстан"
    assert any("а" <= ch <= "я" for ch in area.lower())  # the area's Russian name
    assert confirm == "Подтвердить"

    # Signing in sets the page language from the delegate's preference.
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("delegate-kaz")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    page.wait_for_function("document.documentElement.lang === 'ru'")

    box = page.locator("#desk-returns-due")
    assert returns_due in box.locator("h2").inner_text()
    assert due_words in box.inner_text()
    checked(page, axe, shoot, "1-desk")

    page.goto("/reporting/")
    due_list = page.locator("#returns-due").inner_text()
    assert returns_due in due_list
    assert due_words in due_list
    assert area in due_list
    checked(page, axe, shoot, "2-reporting")

    page.goto(f"/reporting/{cycle.year}/")
    card = page.locator("#area-ECO")
    assert area in card.inner_text()
    checked(page, axe, shoot, "3-cycle")
    button = card.locator("button[name=nil]")
    assert nil_button in button.inner_text()
    button.click()

    said = page.locator("#confirm-return").inner_text()
    assert restatement in said
    assert state in said
    assert area in said
    assert confirm in page.locator("#confirm-return button").inner_text()
    checked(page, axe, shoot, "4-confirm")
    assert not Return.objects.exists()  # nothing recorded before the confirmation

    page.locator("#confirm-return button[name=confirmed]").click()
    page.wait_for_url("**/returns/*/")
    assert receipt in page.locator("main .messages").inner_text()
    assert dateformat.format(today, "j") in page.locator("#receipt").inner_text()
    checked(page, axe, shoot, "5-receipt")

    ret = Return.objects.get()
    assert ret.participant == kaz
    assert ret.area == eco
    assert ret.kind == ReturnKind.NIL_RETURN
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.version == 1


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_report_form_and_the_correction_pass_axe_and_fit_a_phone(
    page, axe, shoot, people, language
):
    """The other reporting pages of a delegate: the report's form (its
    checkboxes in fieldsets, the first field focused), a submitted report
    with its versions, the correction's form."""
    today = timezone.localdate()
    eco = PriorityArea.objects.get(code="ECO")
    cycle = reporting.cycle_open(
        actor=people.secretariat,
        year=today.year,
        due_on=today + datetime.timedelta(days=30),
        areas=[eco],
    )
    kaz = Participant.objects.get(code="KAZ")
    UserPreference.objects.create(user=people["delegate-kaz"], language=language)
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("delegate-kaz")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    page.wait_for_function(f"document.documentElement.lang === '{language}'")

    page.goto(f"/reporting/{cycle.year}/ECO/report/")
    assert page.evaluate("document.activeElement.id") == "id_measures_0"
    checked(page, axe, shoot, f"{language}-6-report-form")
    page.locator("#id_text").fill("Kazakhstan hosted a seminar on transit.")
    page.locator("button[name=submit]").click()
    page.locator("#confirm-return button[name=confirmed]").click()
    page.wait_for_url("**/returns/*/")
    ret = Return.objects.get(participant=kaz)
    assert ret.status == ReturnStatus.SUBMITTED
    checked(page, axe, shoot, f"{language}-7-report")

    page.locator("#correct-link").click()
    checked(page, axe, shoot, f"{language}-8-correct-form")
    page.locator("#id_note").fill("A second seminar added.")
    page.locator("#id_text").fill("Kazakhstan hosted two seminars on transit.")
    page.locator("#correct-form button[type=submit]").click()
    page.wait_for_url(f"**/returns/{ret.pk}/")
    assert "A second seminar added." in page.locator("#versions").inner_text()
    checked(page, axe, shoot, f"{language}-9-versions")
    ret.refresh_from_db()
    assert ret.version == 2
