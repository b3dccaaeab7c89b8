"""Issue 16 item 5: the declaration form is shown only to whoever may declare;
the others are told why instead (observers, the Chair's office, the
secretariat; a state that has already declared)."""

import pytest

from measures import services
from measures.models import Measure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "status", "reason"),
    [
        ("delegate-usa", 403, "Not allowed"),
        ("chair", 403, "Not allowed"),
        ("secretariat", 403, "Not allowed"),
    ],
)
def test_who_may_not_declare_is_told_why_and_shown_no_form(
    signed_in, people, username, status, reason
):
    response = signed_in(username).get("/catalogue/ECO-10/declare/")
    assert response.status_code == status
    page = response.content.decode()
    assert reason in page
    assert 'name="statement"' not in page


def test_a_state_that_declared_is_told_so(signed_in, people):
    measure = Measure.objects.get(code="ECO-10")
    services.initiative_declare_interest(actor=people["delegate-tjk"], measure=measure)
    response = signed_in("delegate-tjk").get("/catalogue/ECO-10/declare/")
    assert response.status_code == 409
    assert "already declared interest" in response.content.decode()
    assert 'name="statement"' not in response.content.decode()


def test_a_member_state_is_shown_the_form(signed_in, people):
    response = signed_in("delegate-tjk").get("/catalogue/ECO-10/declare/")
    assert response.status_code == 200
    assert 'name="statement"' in response.content.decode()
