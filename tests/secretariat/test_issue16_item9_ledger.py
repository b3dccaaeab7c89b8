"""Issue 16 item 9: a circulation's ledger is one compact table with its
summary on top, in the admin and (members apart from observers, by name) on
the delegates' page."""

import pytest
from django.test import Client

from members.models import Participant
from secretariat import selectors
from secretariat.models import Circulation
from secretariat.services import initiative_circulate, receipt_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(people, drafting, deadline):
    """HUM-5 circulated to members and observers; Kazakhstan supports, Korea
    and China object, India makes a reservation."""
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=deadline,
        audience="members_and_observers",
    )
    circulation = Circulation.objects.get(initiative=drafting)
    receipt_answer(actor=people["delegate-kaz"], circulation=circulation, position="support")
    for code in ("kor", "chn"):
        receipt_answer(
            actor=people[f"delegate-{code}"],
            circulation=circulation,
            position="objection",
            text="Not in this form.",
        )
    receipt_answer(
        actor=people["delegate-ind"], circulation=circulation, position="reservation", text="R."
    )
    return circulation


def test_the_ledger_counts_answers_among_members(answered):
    members = Participant.objects.with_status_in("member").count()
    ledger = selectors.circulation_ledger(answered)
    assert ledger.addressed == members == len(ledger.members)
    assert ledger.observers, "observers were addressed too"
    assert ledger.answered == 4
    assert ledger.objections == 2
    assert ledger.reservations == 1
    names = [str(r.participant.name) for r in ledger.members]
    assert names == sorted(names, key=str.casefold)


def test_the_admin_shows_one_table_with_the_summary_and_no_save(people, answered):
    client = Client()
    client.force_login(people.secretariat)
    page = client.get(f"/admin/secretariat/circulation/{answered.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    members = Participant.objects.with_status_in("member").count()
    assert f"answered 4/{members}" in html
    assert "2 objections" in html
    assert 'id="ledger"' in html
    assert "Kazakhstan" in html
    assert "Republic of Korea" in html
    assert "Member states" in html
    assert "Observers" in html
    assert "receipts-group" not in html  # no per-state fieldsets
    assert 'name="_save"' not in html
    # The receipts come right after what the circulation is, the rest of the
    # record folded underneath.
    assert html.index('id="ledger"') < html.lower().index("draft decision")


def test_the_delegates_page_separates_members_from_observers_by_name(people, answered):
    client = Client()
    client.force_login(people["delegate-kaz"])
    page = client.get(f"/circulations/{answered.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    receipts = html[html.index('id="receipts"') :]
    russian = dict(Participant.objects.values_list("code", "name_ru"))
    assert russian["KAZ"] in receipts
    assert "<td>KAZ</td>" not in receipts
    members_at = receipts.index("rowgroup")
    observers_at = receipts.index("rowgroup", members_at + 1)
    assert receipts.index(russian["KAZ"]) < observers_at
    assert receipts.index(russian["USA"]) > observers_at
    assert 'id="receipts-summary"' in html
