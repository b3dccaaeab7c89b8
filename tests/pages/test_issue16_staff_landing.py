"""Issue 16 item 5 (part): secretariat staff landing on ``/`` are sent to
their dashboard, not shown a delegate's desk ("Your state has not declared
interest…"); a delegate still gets the desk."""

import pytest

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_secretariat_lands_on_its_dashboard(client, people):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    answer = client.get("/")
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/dashboard/"
    page = client.get(answer["Location"]).content.decode()
    assert "Your state" not in page


def test_a_delegate_still_lands_on_the_desk(client, people):
    assert client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    answer = client.get("/")
    assert answer.status_code == 200
    assert "cica/desk.html" in [t.name for t in answer.templates]
