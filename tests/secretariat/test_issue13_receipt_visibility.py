"""Who sees whose receipts (issue 13, item 8): an observer sees its own
receipt only; a member state sees every state's receipt and position but
never the user names of another state's delegates; the secretariat sees all."""

import pytest
from django.test import Client

from secretariat import services
from secretariat.models import Circulation
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(people, drafting, deadline):
    """A circulation to members and observers: China supports, the USA
    (observer) and Kazakhstan acknowledge."""
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=deadline,
        audience="members_and_observers",
    )
    circulation = Circulation.objects.get(initiative=drafting)
    services.receipt_answer(
        actor=people["delegate-chn"], circulation=circulation, position="support", text=""
    )
    services.receipt_acknowledge(actor=people["delegate-usa"], circulation=circulation)
    services.receipt_acknowledge(actor=people["delegate-kaz"], circulation=circulation)
    return circulation


def _receipts(as_user, username, circulation):
    response = as_user(username).get(f"/api/v1/circulations/{circulation.pk}/")
    assert response.status_code == 200, response.content
    return {r["participant"]: r for r in response.json()["receipts"]}


def test_item8_observer_sees_only_its_own_receipt_in_the_api(as_user, answered):
    """issue 13 item 8: an observer's delegate sees its own receipt, no other state's."""
    seen = _receipts(as_user, "delegate-jpn", answered)  # another observer, Japan
    assert set(seen) == {"JPN"}
    own = _receipts(as_user, "delegate-usa", answered)
    assert set(own) == {"USA"}
    assert own["USA"]["acknowledged_by"] == "delegate-usa"
    assert own["USA"]["acknowledged_at"]
    assert own["USA"]["position"] is None


def test_item8_member_sees_positions_but_no_other_states_user_names(as_user, answered):
    """issue 13 item 8: a member state sees positions, never another state's delegate names."""
    seen = _receipts(as_user, "delegate-ind", answered)
    assert len(seen) == len(answered.receipts.all())
    assert seen["CHN"]["position"] == "support"
    assert seen["CHN"]["acknowledged_at"]
    assert all(r["acknowledged_by"] is None for code, r in seen.items() if code != "IND")
    own = _receipts(as_user, "delegate-kaz", answered)["KAZ"]
    assert own["acknowledged_by"] == "delegate-kaz"


def test_item8_secretariat_sees_every_receipt_with_names(as_user, answered):
    """issue 13 item 8: the secretariat sees every receipt, names and positions."""
    seen = _receipts(as_user, "secretariat", answered)
    assert seen["USA"]["acknowledged_by"] == "delegate-usa"
    assert seen["CHN"]["acknowledged_by"] == "delegate-chn"
    assert seen["CHN"]["position"] == "support"


def _page(username, circulation):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get(f"/circulations/{circulation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _rows(html):
    table = html.split('id="receipts"', 1)[1].split("</table>", 1)[0]
    # Each receipt's row names its state and carries its code (issue 16 item 9).
    return [row.split('"', 1)[0] for row in table.split('<tr data-code="')[1:]]


def test_item8_pages_show_receipts_as_the_api_does(answered):
    """issue 13 item 8: the circulation page lists the receipts the reader may see."""
    assert _rows(_page("delegate-jpn", answered)) == ["JPN"]
    member = _rows(_page("delegate-ind", answered))
    assert "CHN" in member
    assert "USA" in member
    assert len(member) == answered.receipts.count()
    assert "delegate-chn" not in _page("delegate-ind", answered)
    staff = _rows(_page("secretariat", answered))
    assert len(staff) == answered.receipts.count()
