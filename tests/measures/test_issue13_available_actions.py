"""Issue 13 item 5: what ``GET /initiatives/{id}/actions/`` offers, the POST
accepts; what it does not offer, the POST refuses, with the same reason.

Initiatives in many states of both modalities (with and without a paper, a
circulated paper, a deadline still running, a meeting with or without the
states present); for each user and each action, the POST with valid input is
tried in a savepoint that is rolled back afterwards.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from measures import services
from measures.models import (
    CoordinatorDesignation,
    Expert,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
)
from members.models import Participant
from secretariat.models import Circulation, Meeting
from tests.files import PDF, pdf

pytestmark = pytest.mark.django_db

USERS = {
    "anonymous": None,
    "observer": "delegate-usa",
    "other_member": "delegate-chn",
    "interested_member": "delegate-irn",
    "coordinator": "delegate-tjk",
    "chair": "chair",
    "secretariat": "secretariat",
}

# name: (modality, status, what else the initiative has)
SCENARIOS = {
    "a_interest_declared": ("a", "interest_declared", set()),
    "a_consultation": ("a", "consultation", set()),
    "a_drafting_no_paper": ("a", "drafting", set()),
    "a_drafting_paper": ("a", "drafting", {"paper"}),
    "a_drafting_paper_already_circulated": ("a", "drafting", {"paper", "circulated"}),
    "a_circulated_deadline_passed": ("a", "circulated", {"paper", "circulated"}),
    "a_circulated_deadline_running": ("a", "circulated", {"paper", "circulated", "running"}),
    "a_swg_review_meeting": ("a", "swg_review", {"paper", "circulated", "meetings"}),
    "a_swg_review_no_meeting": ("a", "swg_review", {"paper", "circulated"}),
    "a_swg_review_meeting_nobody_present": (
        "a",
        "swg_review",
        {"paper", "circulated", "empty_meetings"},
    ),
    "a_swg_review_meeting_not_held_yet": (
        "a",
        "swg_review",
        {"paper", "circulated", "future_meetings"},
    ),
    "a_soc_review_meeting": ("a", "soc_review", {"paper", "circulated", "meetings"}),
    "a_soc_review_no_meeting": ("a", "soc_review", {"paper", "circulated"}),
    "a_adopted": ("a", "adopted", {"paper", "circulated", "meetings"}),
    "a_withdrawn": ("a", "withdrawn", set()),
    "b_interest_declared_specialised_meeting": ("b", "interest_declared", {"specialised"}),
    "b_interest_declared_no_specialised_meeting": ("b", "interest_declared", set()),
    "b_drafting_no_paper": ("b", "drafting", {"charged"}),
    "b_drafting_paper": ("b", "drafting", {"charged", "paper"}),
    "b_circulated_deadline_running": (
        "b",
        "circulated",
        {"charged", "paper", "circulated", "running"},
    ),
    "b_swg_review_meeting": ("b", "swg_review", {"charged", "paper", "circulated", "meetings"}),
    "b_soc_review_no_meeting": ("b", "soc_review", {"charged", "paper", "circulated"}),
    "b_rejected": ("b", "rejected", {"charged", "paper", "circulated"}),
}


def build(modality: str, status: str, has: set) -> Initiative:
    """An initiative on ECO-5 with Iran and Tajikistan interested and
    Tajikistan coordinating (modality (a)) or its expert charged with the
    working paper (modality (b))."""
    measure = Measure.objects.get(code="ECO-5")
    initiative = Initiative.objects.create(
        measure=measure, status=status, modality=modality, sequence=measure.initiatives.count() + 1
    )
    irn, tjk = Participant.objects.get(code="IRN"), Participant.objects.get(code="TJK")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    for state in (irn, tjk):
        InterestDeclaration.objects.create(
            initiative=initiative, participant=state, declared_on=today
        )
    expert = Expert.objects.get_or_create(
        participant=tjk, measure=measure, name="Dr Expert", defaults={"started_on": yesterday}
    )[0]
    if has & {"specialised", "charged"}:
        specialised = Meeting.objects.create(
            body="specialised",
            date=today,
            measure=measure,
            host=Participant.objects.get(code="JPN"),
        )
        specialised.experts.set([expert])
    if "charged" in has:
        initiative.responsible_experts.set([expert])
        initiative.charged_at = specialised
        initiative.save()
    if modality == "a" and status not in ("interest_declared", "consultation"):
        CoordinatorDesignation.objects.create(
            initiative=initiative, participant=tjk, role="coordinator", started_on=today
        )
    if "paper" in has:
        kind = "concept_paper" if modality == "a" else "working_paper"
        paper = Paper(
            initiative=initiative,
            kind=kind,
            version=1,
            symbol=f"CICA/TEST/{initiative.pk}/1",
            original_name="p.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0",
            language="en",
            submitted_for=tjk,
        )
        paper.file.save("p.pdf", ContentFile(PDF), save=False)
        paper.save()
        if "circulated" in has:
            running = "running" in has
            Circulation.objects.create(
                initiative=initiative,
                paper=paper,
                reference=f"CICA/CIRC/TEST/{initiative.pk}",
                deadline=today + datetime.timedelta(days=5 if running else -1),
            )
    for body in ("swg", "soc"):
        if "meetings" in has:
            meeting = Meeting.objects.create(body=body, date=yesterday)
            meeting.present.set(Participant.objects.filter(code__in=["IRN", "TJK", "CHN", "KAZ"]))
        if "empty_meetings" in has:
            Meeting.objects.create(body=body, date=yesterday)
        if "future_meetings" in has:
            meeting = Meeting.objects.create(body=body, date=today + datetime.timedelta(days=3))
            meeting.present.set(Participant.objects.filter(code__in=["IRN", "TJK"]))
    return initiative


def _meeting(body: str) -> int | None:
    meetings = Meeting.objects.filter(body=body).order_by("-pk")
    best = meetings.filter(present__isnull=False).first() or meetings.first()
    return best.pk if best else None


def post_valid(client: APIClient, initiative: Initiative, action: str):
    """The POST of ``action`` with input that is valid for the endpoint."""
    url = f"/api/v1/initiatives/{initiative.pk}/{action.replace('_', '-')}/"
    if action == "submit_paper":
        return client.post(url, {"file": pdf(), "language": "en"}, format="multipart")
    specialised = Meeting.objects.filter(body="specialised").order_by("-pk").first()
    payload = {
        "declare_interest": {},
        "open_consultation": {},
        "designate_coordinators": {"coordinators": ["KAZ"]},
        "charge_experts": {
            "meeting": specialised.pk if specialised else 0,
            "experts": list(Expert.objects.filter(name="Dr Expert").values_list("pk", flat=True)),
        },
        "circulate": {"deadline": (timezone.localdate() + datetime.timedelta(days=14)).isoformat()},
        "refer_to_swg": {},
        "record_swg_decision": {"meeting": _meeting("swg") or 0, "outcome": "approved"},
        "record_soc_decision": {"meeting": _meeting("soc") or 0, "outcome": "approved"},
        "withdraw": {"reason": "test"},
    }[action]
    return client.post(url, payload, format="json")


def _snapshot(initiative):
    initiative.refresh_from_db()
    return (
        initiative.status,
        Initiative.objects.count(),
        InitiativeEvent.objects.count(),
        Paper.objects.count(),
        Circulation.objects.count(),
    )


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_item5_every_action_offered_is_accepted_and_every_other_refused(people, scenario, user):
    """issue 13 item 5: actions/ and the POST run the same checks, for every user and state."""
    modality, status, has = SCENARIOS[scenario]
    initiative = build(modality, status, has)
    client = APIClient()
    if USERS[user]:
        client.force_authenticate(people[USERS[user]])
    rows = client.get(f"/api/v1/initiatives/{initiative.pk}/actions/").json()
    assert rows
    assert all(set(row) >= {"action", "available", "reason"} for row in rows)
    for row in rows:
        action = row["action"]
        before = _snapshot(initiative)
        with transaction.atomic():
            response = post_valid(client, initiative, action)
            after = _snapshot(initiative)
            transaction.set_rollback(True)
        if row["available"]:
            assert response.status_code in (200, 201), (action, response.content)
            assert after[2] == before[2] + 1, (action, "one timeline event")
            assert row["reason"] == ""
        else:
            assert response.status_code in (400, 401, 403, 409), (action, response.content)
            assert after == before, (action, "a refusal changes nothing")
            assert row["reason"], action
            # Field errors (a 400 naming fields in "errors"): no valid input
            # exists here, e.g. there is no meeting of that body to name at all.
            if user != "anonymous" and not response.json()["errors"]:
                assert response.json()["detail"] == row["reason"], (action, response.content)
        if modality == "b":
            for text in (row["reason"], response.content.decode()):
                assert "concept paper" not in text.lower(), (action, text)


def test_item5_circulate_is_not_offered_without_a_paper_and_says_why(as_user):
    """issue 13 item 5: the reported case: circulate offered on an initiative with no paper."""
    initiative = build("a", "drafting", set())
    secretariat = as_user("secretariat")
    rows = {
        r["action"]: r
        for r in secretariat.get(f"/api/v1/initiatives/{initiative.pk}/actions/").json()
    }
    assert rows["circulate"]["available"] is False
    assert "no concept paper" in rows["circulate"]["reason"].lower()
    refused = post_valid(secretariat, initiative, "circulate")
    assert refused.status_code == 409
    assert refused.json()["detail"] == rows["circulate"]["reason"]


def test_item5_actions_are_documented_as_the_list_they_are(api):
    """issue 13 item 5: the schema's answer of actions/ is a plain list, with each label."""
    schema = api.get("/api/schema/?format=json").json()
    answer = schema["paths"]["/api/v1/initiatives/{id}/actions/"]["get"]["responses"]["200"]
    listed = answer["content"]["application/json"]["schema"]
    assert listed["type"] == "array"
    item = schema["components"]["schemas"][listed["items"]["$ref"].rsplit("/", 1)[-1]]
    assert {"action", "label", "available", "reason"} <= set(item["required"])


def test_item5_refusals_on_a_working_paper_say_working_paper(as_user):
    """issue 13 item 5: modality (b) messages name the working paper."""
    initiative = build("b", "drafting", {"charged"})
    secretariat = as_user("secretariat")
    rows = {
        r["action"]: r
        for r in secretariat.get(f"/api/v1/initiatives/{initiative.pk}/actions/").json()
    }
    assert "working paper" in rows["circulate"]["reason"]
    assert "working paper" in rows["submit_paper"]["reason"]
    assert rows["submit_paper"]["label"] == "Submit working paper"
    chn = as_user("delegate-chn")
    refused = post_valid(chn, initiative, "submit_paper")
    assert refused.status_code == 403
    assert "working paper" in refused.json()["detail"]
    assert "concept paper" not in refused.json()["detail"]
    closed = build("b", "withdrawn", {"charged"})
    refused = post_valid(as_user("delegate-tjk"), closed, "submit_paper")
    assert refused.status_code == 409
    assert "Submit working paper" in refused.json()["detail"]


def test_item5_the_timeline_of_a_working_paper_says_working_paper(client, people):
    """issue 13 item 5: the initiative's page names the working paper in its timeline."""
    initiative = build("b", "drafting", {"charged"})
    services.initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=initiative, file=pdf(), language="en"
    )
    page = client.get(f"/initiatives/{initiative.pk}/").content.decode()
    # The timeline names the event (issue 16 item 13), still of a working paper.
    assert "Working paper submitted" in page
    assert "concept paper" not in page.lower()
