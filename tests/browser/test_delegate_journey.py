"""A delegate's journey in a real browser (issue 6, must show 1)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from measures.models import Initiative, Paper
from measures.services import initiative_designate_coordinators, initiative_open_consultation
from members.models import Participant
from secretariat.models import Circulation, Receipt
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD
from tests.files import PDF

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_tajikistan_kazakhstan_iran(page, shoot, people, tmp_path):
    # Start ECO-4 afresh: no initiative from the annex.
    for initiative in Initiative.objects.filter(measure__code="ECO-4"):
        initiative.events.all().delete()
        initiative.declarations.all().delete()
        initiative.delete()

    # Tajikistan signs in and declares interest in ECO-4.
    sign_in(page, "delegate-tjk")
    assert "Acting for Tajikistan" in page.locator("header").inner_text()
    shoot(page, "01-tajikistan-desk")
    page.goto("/catalogue/ECO-4/")
    page.get_by_role("link", name="Declare interest").click()
    page.get_by_label("Statement").fill("Tajikistan offers to coordinate tourism cooperation.")
    page.get_by_label("We volunteer as coordinator").check()
    shoot(page, "02-declare-interest-form")
    page.get_by_role("button", name="Submit").click()
    assert page.locator("#measure-status").inner_text() == "Interest declared"
    assert "recorded" in page.locator(".messages").inner_text()
    shoot(page, "03-measure-after-declaration")

    # The Chair consults and designates Tajikistan (staff work in the admin).
    initiative = Initiative.objects.get(measure__code="ECO-4")
    User = get_user_model()
    chair = User.objects.get(username="chair")
    initiative_open_consultation(actor=chair, initiative=initiative)
    initiative_designate_coordinators(
        actor=chair,
        initiative=initiative,
        designations=[(Participant.objects.get(code="TJK"), "coordinator")],
    )

    # Tajikistan uploads its concept paper.
    page.goto(f"/initiatives/{initiative.pk}/")
    page.get_by_role("link", name="Submit concept paper").click()
    paper_file = tmp_path / "eco4-concept.pdf"
    paper_file.write_bytes(PDF)
    page.get_by_label("Paper (PDF, DOCX or ODT)").set_input_files(str(paper_file))
    page.locator("#id_language").select_option("ru")
    shoot(page, "04-upload-form")
    page.get_by_role("button", name="Submit").click()
    assert "CICA/CP/ECO-4/1" in page.locator("main").inner_text()
    shoot(page, "05-initiative-with-paper")
    paper = Paper.objects.get(initiative=initiative)

    # Iran cannot see the draft before circulation.
    sign_in(page, "delegate-irn")
    page.goto(f"/initiatives/{initiative.pk}/")
    assert page.locator("#no-papers").is_visible()
    assert "CICA/CP/ECO-4/1" not in page.locator("main").inner_text()
    shoot(page, "06-iran-sees-no-draft")
    response = page.goto(f"/papers/{paper.pk}/")
    assert response.status == 404  # as if there were no draft (issue 13 item 18)
    assert f"No paper with id {paper.pk}" in page.locator("main").inner_text()
    shoot(page, "07-iran-refused-download")

    # The secretariat circulates; Kazakhstan answers with an objection.
    initiative_circulate(
        actor=User.objects.get(username="secretariat"),
        initiative=initiative,
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    circulation = Circulation.objects.get(initiative=initiative)
    sign_in(page, "delegate-kaz")
    assert circulation.reference in page.locator("#waiting").inner_text()
    shoot(page, "08-kazakhstan-desk")
    page.locator("#waiting").get_by_role("link", name=circulation.reference).click()
    page.get_by_label("Position of my state").select_option("objection")
    page.get_by_label("Text").fill("Kazakhstan asks for a wider scope first.")
    page.get_by_role("button", name="Give our position").click()
    # Restated, then confirmed (issue 16).
    page.get_by_role("button", name="Confirm").click()
    assert "Objection" in page.locator("#our-position").inner_text()
    shoot(page, "09-kazakhstan-objected")
    receipt = Receipt.objects.get(circulation=circulation, participant__code="KAZ")
    assert receipt.position == "objection"

    # After circulation Iran reads the paper.
    sign_in(page, "delegate-irn")
    page.goto(f"/initiatives/{initiative.pk}/")
    assert "CICA/CP/ECO-4/1" in page.locator("main").inner_text()
    shoot(page, "10-iran-after-circulation")


def test_language_menu_switches_at_once_within_the_csp(page):
    """The menu's script comes from a file (no inline handler, which the CSP
    would refuse; the page fixture fails on any CSP report)."""
    page.goto("/catalogue/")
    page.locator("#language").select_option("ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert "Каталог" in page.content()
