"""Issue 13 item 7: every workflow action the admin offers works through its
admin form, in both modalities, and changes the initiative as the table says."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.actions import form_for
from measures.models import Expert, InitiativeEvent
from measures.workflow import TABLES, Action, Role
from secretariat.models import Meeting
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf
from tests.measures.test_issue13_available_actions import build

pytestmark = pytest.mark.django_db


def _data(action: str) -> dict:
    """What the officer fills in on the action's form."""
    if action == Action.OPEN_CONSULTATION:
        return {"reason": "The Chair consults the interested states."}
    if action == Action.DESIGNATE_COORDINATORS:
        return {"coordinators": ["KAZ"], "reason": ""}
    if action == Action.CHARGE_EXPERTS:
        meeting = Meeting.objects.filter(body="specialised").latest("pk")
        return {
            "meeting": meeting.pk,
            "experts": list(Expert.objects.filter(name="Dr Expert").values_list("pk", flat=True)),
            "reason": "",
        }
    if action == Action.CIRCULATE:
        deadline = timezone.localdate() + datetime.timedelta(days=20)
        return {"deadline": deadline.isoformat(), "audience": "members", "reason": ""}
    if action == Action.REFER_TO_SWG:
        return {"reason": "The deadline has passed."}
    if action in (Action.RECORD_SWG_DECISION, Action.RECORD_SOC_DECISION):
        body = "swg" if action == Action.RECORD_SWG_DECISION else "soc"
        meeting = Meeting.objects.filter(body=body, present__isnull=False).latest("pk")
        return {"meeting": meeting.pk, "outcome": "approved", "text": ""}
    if action == Action.WITHDRAW:
        return {"reason": "The coordinators withdrew."}
    raise AssertionError(action)


# (user, action, modality, status, what the initiative has, the status after)
CASES = [
    ("secretariat", Action.OPEN_CONSULTATION, "a", "interest_declared", set(), "consultation"),
    ("chair", Action.OPEN_CONSULTATION, "a", "interest_declared", set(), "consultation"),
    ("secretariat", Action.DESIGNATE_COORDINATORS, "a", "consultation", set(), "drafting"),
    ("chair", Action.DESIGNATE_COORDINATORS, "a", "consultation", set(), "drafting"),
    ("secretariat", Action.CHARGE_EXPERTS, "b", "interest_declared", {"specialised"}, "drafting"),
    ("secretariat", Action.CIRCULATE, "a", "drafting", {"paper"}, "circulated"),
    ("secretariat", Action.CIRCULATE, "b", "drafting", {"charged", "paper"}, "circulated"),
    ("secretariat", Action.REFER_TO_SWG, "a", "circulated", {"paper", "circulated"}, "swg_review"),
    (
        "secretariat",
        Action.REFER_TO_SWG,
        "b",
        "circulated",
        {"charged", "paper", "circulated"},
        "swg_review",
    ),
    (
        "secretariat",
        Action.RECORD_SWG_DECISION,
        "a",
        "swg_review",
        {"paper", "circulated", "meetings"},
        "soc_review",
    ),
    (
        "secretariat",
        Action.RECORD_SWG_DECISION,
        "b",
        "swg_review",
        {"charged", "paper", "circulated", "meetings"},
        "soc_review",
    ),
    (
        "secretariat",
        Action.RECORD_SOC_DECISION,
        "a",
        "soc_review",
        {"paper", "circulated", "meetings"},
        "adopted",
    ),
    (
        "secretariat",
        Action.RECORD_SOC_DECISION,
        "b",
        "soc_review",
        {"charged", "paper", "circulated", "meetings"},
        "adopted",
    ),
    ("secretariat", Action.WITHDRAW, "a", "drafting", {"paper"}, "withdrawn"),
    ("secretariat", Action.WITHDRAW, "b", "drafting", {"charged"}, "withdrawn"),
]
STAFF_ROLES = {"secretariat": Role.SECRETARIAT, "chair": Role.CHAIR}


def test_item7_the_cases_cover_every_action_staff_may_take_in_either_modality():
    """issue 13 item 7: the parametrised cases below are every (staff role, action, modality)."""
    expected = {
        (user, action, modality)
        for modality, table in TABLES.items()
        for action, transition in table.items()
        for user, role in STAFF_ROLES.items()
        if role in transition.roles
    }
    assert {(user, action, modality) for user, action, modality, *_rest in CASES} == expected


@pytest.mark.parametrize(
    ("user", "action", "modality", "status", "has", "after"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES],
)
def test_item7_every_admin_action_through_its_form(
    client, people, user, action, modality, status, has, after
):
    """issue 13 item 7: offered on the change page, its form shows, posting it moves the status."""
    initiative = build(modality, status, has)
    assert client.login(username=user, password=DEMO_PASSWORD)
    act = reverse("admin:measures_initiative_act", args=[initiative.pk, action])
    page = client.get(reverse("admin:measures_initiative_change", args=[initiative.pk]))
    assert page.status_code == 200
    assert act in page.content.decode(), "offered"

    form = client.get(act)
    assert form.status_code == 200
    assert b"<form" in form.content
    events = InitiativeEvent.objects.filter(initiative=initiative).count()

    response = client.post(act, _data(action))
    assert response.status_code == 302, response.context and response.context["form"].errors
    initiative.refresh_from_db()
    assert initiative.status == after
    event = InitiativeEvent.objects.filter(initiative=initiative).latest("pk")
    assert InitiativeEvent.objects.filter(initiative=initiative).count() == events + 1
    assert (event.action, event.from_status, event.to_status) == (action, status, after)
    assert event.actor == people[user]
    if action == Action.CHARGE_EXPERTS:
        assert list(initiative.responsible_experts.values_list("name", flat=True)) == ["Dr Expert"]
        assert initiative.charged_at is not None
        assert initiative.charged_at.body == "specialised"


def test_item7_charge_experts_form_offers_this_measures_meetings_and_experts(client):
    """issue 13 item 7: the reported 500: the form asks for the meeting and the experts."""
    initiative = build("b", "interest_declared", {"specialised"})
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    act = reverse("admin:measures_initiative_act", args=[initiative.pk, Action.CHARGE_EXPERTS])
    page = client.get(act)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="meeting"' in html
    assert 'name="experts"' in html
    assert "Dr Expert" in html
    # Missing input is a form error, not a 500, and nothing changes.
    response = client.post(act, {"reason": "only a reason"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    initiative.refresh_from_db()
    assert initiative.status == "interest_declared"


def test_item7_an_action_without_a_form_is_an_error_not_a_fallback():
    """issue 13 item 7: form_for knows every action and refuses any other."""
    for action in Action.values:
        assert form_for(action) is not None
    with pytest.raises(LookupError):
        form_for("fly_to_the_moon")


def test_item7_the_admin_timeline_of_a_working_paper_says_working_paper(client, people):
    """issue 13 item 5/7: the admin's timeline names the working paper."""
    initiative = build("b", "drafting", {"charged"})
    services.initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=initiative, file=pdf(), language="en"
    )
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    page = client.get(reverse("admin:measures_initiative_change", args=[initiative.pk]))
    html = page.content.decode()
    assert "Submit working paper" in html
    assert "Submit concept paper" not in html
