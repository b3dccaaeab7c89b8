"""Issue 16 item 5 (b): an observer's desk shows what an observer may do —
read what is circulated to observers and acknowledge its receipt — and not
what it may not: no "Awaiting our answer" (observers take no positions), no
invitation to declare interest (only member states declare, coordinate and
take positions: DESIGN §5, members/rules.py, measures/rules.py)."""

import datetime

import pytest
from django.utils import timezone

from members.models import Participant
from secretariat.models import Circulation, Receipt
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_observers(drafting):
    """HUM-5's paper circulated to members and observers; the USA (an
    observer) and Kazakhstan (a member) have not answered."""
    circulation = Circulation.objects.create(
        initiative=drafting,
        paper=drafting.papers.get(),
        reference="CICA/CIRC/HUM-5/1",
        audience="members_and_observers",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    for code in ("USA", "KAZ"):
        Receipt.objects.create(
            circulation=circulation, participant=Participant.objects.get(code=code)
        )
    return circulation


def _desk(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    return page.content.decode()


def test_an_observer_is_offered_what_an_observer_may_do(client, people, to_observers):
    html = _desk(client, "delegate-usa")
    assert "Desk of United States of America" in html
    assert "takes part as an observer" in html
    assert "To read and acknowledge" in html
    assert f'href="/circulations/{to_observers.pk}/"' in html
    # What an observer may not do is not offered.
    assert "Awaiting our answer" not in html
    assert "declared interest" not in html
    assert "Our initiatives" not in html
    assert "/declare/" not in html


def test_an_acknowledged_circulation_leaves_the_observers_desk(client, people, to_observers):
    Receipt.objects.filter(participant__code="USA").update(acknowledged_at=timezone.now())
    html = _desk(client, "delegate-usa")
    assert f'href="/circulations/{to_observers.pk}/"' not in html
    assert "Nothing to acknowledge." in html


def test_a_member_keeps_its_desk(client, people, to_observers):
    html = _desk(client, "delegate-kaz")
    assert "Awaiting our answer" in html
    assert f'href="/circulations/{to_observers.pk}/"' in html
    assert "Our initiatives" in html
    assert "takes part as an observer" not in html


def test_the_observers_desk_reads_in_a_fixed_number_of_queries(
    client, people, to_observers, django_assert_max_num_queries
):
    assert client.login(username="delegate-usa", password=DEMO_PASSWORD)
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200
