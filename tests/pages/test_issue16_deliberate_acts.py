"""Issue 16, items 1 and 6: a state's position and a withdrawal are
deliberate acts — no preselected position, a restatement to confirm, a
receipt afterwards; declare interest only where it can be made."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from measures.services import initiative_submit_paper
from members.models import Participant
from secretariat.models import Circulation, Receipt
from secretariat.services import initiative_circulate
from tests.files import pdf
from tests.scenarios import eco4_at_drafting

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting(people):
    return eco4_at_drafting()


@pytest.fixture
def circulation(people, drafting):
    initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=drafting, file=pdf(), language="en"
    )
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    return Circulation.objects.select_related("paper").get(initiative=drafting)


def _kaz_receipt(circulation):
    return Receipt.objects.get(circulation=circulation, participant__code="KAZ")


def test_no_position_is_preselected(signed_in, circulation):
    page = signed_in("delegate-kaz").get(f"/circulations/{circulation.pk}/").content.decode()
    select = re.search(r'<select name="position".*?</select>', page, re.S)
    assert select is not None
    # No real position is selected; only the empty "— choose —" may be.
    assert not re.search(r'<option value="[a-z_]+"[^>]*selected', select.group(0))
    first = re.search(r"<option[^>]*>", select.group(0))
    assert first is not None
    assert 'value=""' in first.group(0)
    assert "— choose —" in select.group(0)


def test_the_empty_choice_is_refused(signed_in, circulation):
    response = signed_in("delegate-kaz").post(
        f"/circulations/{circulation.pk}/", {"position": "", "text": ""}
    )
    assert response.status_code == 400
    assert _kaz_receipt(circulation).position == ""


def test_first_post_restates_and_records_nothing_then_confirm_records(
    signed_in, people, circulation
):
    url = f"/circulations/{circulation.pk}/"
    kaz = signed_in("delegate-kaz")
    first = kaz.post(url, {"position": "objection", "text": "Not yet."})
    assert first.status_code == 200
    page = first.content.decode()
    state = Participant.objects.get(code="KAZ").name
    assert f"{state} will record: Objection, on {circulation.paper.symbol}" in page
    assert 'name="confirm" value="1"' in page
    assert _kaz_receipt(circulation).position == ""
    # "Change" goes back to the form, the choice kept, nothing recorded.
    change = kaz.post(
        url, {"position": "objection", "text": "Not yet.", "confirm": "1", "change": ""}
    )
    assert change.status_code == 200
    assert re.search(r'<option value="objection" selected>', change.content.decode())
    assert _kaz_receipt(circulation).position == ""
    confirmed = kaz.post(url, {"position": "objection", "text": "Not yet.", "confirm": "1"})
    assert confirmed.status_code == 302
    receipt = _kaz_receipt(circulation)
    assert (receipt.position, receipt.position_by) == ("objection", people["delegate-kaz"])
    # The receipt: what, by whom, when (in the configured zone).
    after = kaz.get(url).content.decode()
    assert "Objection" in after
    assert "Recorded by" in after
    local = timezone.localtime(receipt.position_at)
    assert f"on {date_format(local, 'DATE_FORMAT')} at {local:%H:%M} (" in after
    assert "Change our position" in after


def test_a_forged_confirmation_is_validated_again(signed_in, circulation):
    url = f"/circulations/{circulation.pk}/"
    kaz = signed_in("delegate-kaz")
    forged = kaz.post(url, {"position": "veto", "text": "", "confirm": "1"})
    assert forged.status_code == 400
    no_text = kaz.post(url, {"position": "reservation", "text": " ", "confirm": "1"})
    assert no_text.status_code == 400
    assert "Give the text" in no_text.content.decode()
    assert _kaz_receipt(circulation).position == ""


def test_after_the_deadline_no_change_form(signed_in, circulation):
    url = f"/circulations/{circulation.pk}/"
    kaz = signed_in("delegate-kaz")
    assert kaz.post(url, {"position": "support", "text": "", "confirm": "1"}).status_code == 302
    Circulation.objects.filter(pk=circulation.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = kaz.get(url).content.decode()
    assert 'name="position"' not in page
    assert "can no longer change" in page
    late = kaz.post(url, {"position": "objection", "text": "Late.", "confirm": "1"})
    assert late.status_code == 409
    assert _kaz_receipt(circulation).position == "support"


def test_declare_interest_not_offered_after_declaring_nor_to_the_coordinator(signed_in, drafting):
    declared = drafting.declarations.select_related("participant").first()
    assert declared is not None
    code = declared.participant.code.lower()
    for username in (f"delegate-{code}", "delegate-tjk"):
        client = signed_in(username)
        assert "/catalogue/ECO-4/declare/" not in client.get("/catalogue/ECO-4/").content.decode()
        page = client.get(f"/initiatives/{drafting.pk}/").content.decode()
        assert f"/initiatives/{drafting.pk}/declare_interest/" not in page
    other = (
        Participant.objects.with_status_in("member")
        .exclude(declarations__initiative=drafting)
        .exclude(code="TJK")
        .first()
    )
    assert other is not None
    page = signed_in(f"delegate-{other.code.lower()}").get("/catalogue/ECO-4/").content.decode()
    assert "/catalogue/ECO-4/declare/" in page


def test_withdraw_is_a_danger_action_that_asks_for_confirmation(signed_in, drafting):
    tjk = signed_in("delegate-tjk")
    page = tjk.get(f"/initiatives/{drafting.pk}/").content.decode()
    assert re.search(r'class="button danger"[^>]*href="[^"]*/withdraw/', page) or re.search(
        r'href="[^"]*/withdraw/"[^>]*class="button danger"', page
    )
    url = f"/initiatives/{drafting.pk}/withdraw/"
    first = tjk.post(url, {"reason": "No resources."})
    assert first.status_code == 200
    text = first.content.decode()
    state = Participant.objects.get(code="TJK").name
    assert f"{state} will withdraw from {drafting.reference}" in text
    drafting.refresh_from_db()
    assert drafting.status == "drafting"
    cancel = tjk.post(url, {"reason": "No resources.", "confirm": "1", "cancel": ""})
    assert cancel.status_code == 302
    drafting.refresh_from_db()
    assert drafting.status == "drafting"
    done = tjk.post(url, {"reason": "No resources.", "confirm": "1"})
    assert done.status_code == 302
    drafting.refresh_from_db()
    assert drafting.status == "withdrawn"


def test_those_who_may_not_act_are_refused_not_asked_to_confirm(signed_in, circulation, drafting):
    # The secretariat takes no position; a state that does not coordinate does not withdraw.
    staff = signed_in("secretariat").post(
        f"/circulations/{circulation.pk}/", {"position": "support", "text": ""}
    )
    assert staff.status_code == 403
    assert "will record" not in staff.content.decode()
    kaz = signed_in("delegate-kaz").post(
        f"/initiatives/{drafting.pk}/withdraw/", {"reason": "Not ours."}
    )
    assert kaz.status_code == 403
    assert "will withdraw" not in kaz.content.decode()
    drafting.refresh_from_db()
    assert drafting.status != "withdrawn"
