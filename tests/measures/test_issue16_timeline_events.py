"""Issue 16 item 13: an initiative's timeline reads as what happened
("Consultation opened", "Interest declared"), not as commands ("Open
consultation"), on the delegates' pages and in the admin."""

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from measures import services, workflow
from measures.models import InitiativeEvent, Measure
from measures.workflow import EVENT_CHOICES, Action
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

EXPECTED = {
    "declare_interest": "Interest declared",
    "open_consultation": "Consultation opened",
    "designate_coordinators": "Coordinators designated",
    "charge_experts": "Experts charged with a working paper",
    "submit_paper": "Concept paper submitted",
    "circulate": "Circulated to member states",
    "refer_to_swg": "Referred to the Special Working Group",
    "record_swg_decision": "SWG decision recorded",
    "record_soc_decision": "SOC decision recorded",
    "withdraw": "Withdrawn",
    "silence_started": "Silence procedure started",
    "silence_broken": "Silence broken",
    "silence_closed": "Silence procedure closed: draft adopted",
}


def test_every_timeline_entry_has_an_event_label():
    assert set(EXPECTED) == {value for value, _label in EVENT_CHOICES}
    for action, label in EXPECTED.items():
        assert workflow.event_label(action) == label
        # Translatable where it is written.
        assert isinstance(workflow.EVENT_LABELS[action], Promise)
    assert workflow.event_label("submit_paper", "b") == "Working paper submitted"


def test_an_event_label_is_not_the_command():
    for action in Action:
        assert workflow.event_label(action.value) != str(action.label)


def test_the_delegates_page_shows_events(client, people):
    initiative, _created = services.initiative_declare_interest(
        actor=people["delegate-kaz"], measure=Measure.objects.get(code="HUM-5")
    )
    services.initiative_open_consultation(actor=people.chair, initiative=initiative)
    assert client.login(username="delegate-kor", password=DEMO_PASSWORD)
    html = client.get(f"/initiatives/{initiative.pk}/").content.decode()
    assert "Interest declared" in html
    assert "Consultation opened" in html
    assert "Open consultation" not in html
    assert "Declare interest</td>" not in html


def test_the_model_and_the_admin_timeline_name_events(client, people):
    initiative, _created = services.initiative_declare_interest(
        actor=people["delegate-kaz"], measure=Measure.objects.get(code="HUM-5")
    )
    services.initiative_open_consultation(actor=people.chair, initiative=initiative)
    labels = [e.action_label for e in InitiativeEvent.objects.filter(initiative=initiative)]
    assert labels == ["Interest declared", "Consultation opened"]
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    html = client.get(
        reverse("admin:measures_initiative_change", args=[initiative.pk])
    ).content.decode()
    assert "Consultation opened" in html
