"""Issue 14 item 1, last part: one input class per action. The API reads the
action's serializer; the admin's and the pages' form is derived from it. What
the forms enforced (labels, 5,000-character free text) the API now enforces
too; coordinators are designated with the same two lists of codes everywhere."""

import pytest
from django.urls import reverse

from measures import actions
from measures.forms import TEXT_LIMIT, form_for_input
from measures.inputs import WithdrawInput
from measures.models import CoordinatorDesignation, InitiativeEvent
from measures.workflow import Action
from secretariat.models import Meeting
from tests.conftest import DEMO_PASSWORD
from tests.measures.test_issue13_available_actions import build

pytestmark = pytest.mark.django_db


def _designated(initiative):
    return sorted(
        CoordinatorDesignation.objects.filter(initiative=initiative).values_list(
            "participant__code", "role"
        )
    )


def test_the_api_designates_coordinators_and_co_coordinators_by_code(as_user):
    initiative = build("a", "consultation", set())
    response = as_user("secretariat").post(
        f"/api/v1/initiatives/{initiative.pk}/designate-coordinators/",
        {"coordinators": ["TJK"], "co_coordinators": ["IRN"], "reason": "Consulted."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert _designated(initiative) == [("IRN", "co_coordinator"), ("TJK", "coordinator")]
    assert response.json()["status"] == "drafting"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"coordinators": []}, "coordinators"),
        ({"co_coordinators": ["IRN"]}, "coordinators"),
        # The body before issue 14 item 1: refused, nothing designated.
        ({"designations": [{"participant": "TJK", "role": "coordinator"}]}, "coordinators"),
        ({"coordinators": ["XXX"]}, "coordinators"),
    ],
)
def test_the_api_refuses_a_designation_without_coordinators(as_user, body, field):
    initiative = build("a", "consultation", set())
    response = as_user("secretariat").post(
        f"/api/v1/initiatives/{initiative.pk}/designate-coordinators/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.content.decode()
    assert _designated(initiative) == []
    initiative.refresh_from_db()
    assert initiative.status == "consultation"


def test_the_api_takes_free_text_up_to_the_forms_limit(as_user):
    """The forms refused a reason over 5,000 characters; the API now does too."""
    client = as_user("secretariat")
    initiative = build("a", "drafting", set())
    url = f"/api/v1/initiatives/{initiative.pk}/withdraw/"
    before = InitiativeEvent.objects.filter(initiative=initiative).count()
    response = client.post(url, {"reason": "x" * (TEXT_LIMIT + 1)}, format="json")
    assert response.status_code == 400
    assert "reason" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == "drafting"
    assert InitiativeEvent.objects.filter(initiative=initiative).count() == before
    response = client.post(url, {"reason": "x" * TEXT_LIMIT}, format="json")
    assert response.status_code == 200, response.json()
    initiative.refresh_from_db()
    assert initiative.status == "withdrawn"


def test_the_schema_documents_the_inputs_labels_and_limits(client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    designate = schema["DesignateInputRequest"]
    assert designate["required"] == ["coordinators"]
    assert designate["properties"]["coordinators"]["items"]["type"] == "string"
    assert designate["properties"]["co_coordinators"]["items"]["type"] == "string"
    assert "designations" not in designate["properties"]
    withdraw = schema["WithdrawInputRequest"]["properties"]["reason"]
    assert withdraw["maxLength"] == TEXT_LIMIT
    assert schema["ReasonInputRequest"]["properties"]["reason"]["title"] == "Reason or note"


def test_the_derived_form_is_built_once_per_input():
    assert form_for_input(WithdrawInput) is form_for_input(WithdrawInput)
    assert actions.REGISTRY[Action.WITHDRAW].form_class() is form_for_input(WithdrawInput)


def test_the_page_shows_the_inputs_labels_text_areas_and_limits(client, people):
    """What a delegate sees is what the hand-written form showed."""
    initiative = build("a", "drafting", set())
    assert client.login(username="delegate-tjk", password=DEMO_PASSWORD)
    page = client.get(reverse("initiative-act", args=[initiative.pk, Action.WITHDRAW]))
    html = page.content.decode()
    assert '<label for="id_reason">Reason:</label>' in html
    assert f'<textarea name="reason" cols="40" rows="10" maxlength="{TEXT_LIMIT}"' in html
    page = client.get(reverse("initiative-act", args=[initiative.pk, Action.SUBMIT_PAPER]))
    html = page.content.decode()
    assert "Paper (PDF, DOCX or ODT)" in html
    assert 'type="file" name="file"' in html
    assert '<select name="language"' in html
    assert '<textarea name="note"' in html


def test_the_admin_offers_member_states_as_coordinators_by_code(client, people):
    """Only member states coordinate (the service's rule): the form offers
    them, by code, as the API takes them."""
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    consultation = build("a", "consultation", set())
    url = reverse("admin:measures_initiative_act", args=[consultation.pk, "designate_coordinators"])
    form = client.get(url).context["form"]
    offered = {p.code for p in form.fields["coordinators"].queryset}
    assert {"TJK", "IRN", "KAZ"} <= offered
    assert "USA" not in offered  # an observer never coordinates
    html = client.get(url).content.decode()
    assert '<option value="TJK">' in html
    assert 'type="date"' not in html
    response = client.post(url, {"coordinators": ["TJK"], "co_coordinators": ["IRN"]})
    assert response.status_code == 302
    assert _designated(consultation) == [("IRN", "co_coordinator"), ("TJK", "coordinator")]


def test_the_admin_offers_a_decisions_meetings_of_its_body(client, people):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    review = build("a", "swg_review", {"paper", "circulated", "meetings"})
    url = reverse("admin:measures_initiative_act", args=[review.pk, "record_swg_decision"])
    form = client.get(url).context["form"]
    assert {m.body for m in form.fields["meeting"].queryset} == {"swg"}
    assert Meeting.objects.filter(body="soc").exists()


def test_the_admin_circulates_with_a_date_input(client, people):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    circulate = build("a", "drafting", {"paper"})
    url = reverse("admin:measures_initiative_act", args=[circulate.pk, "circulate"])
    assert 'name="deadline"' in client.get(url).content.decode()
    assert 'type="date"' in client.get(url).content.decode()
