"""Every status × action × role of the initiative workflow (issue 3, must show 1).

Allowed pairs succeed and write one timeline event; refused pairs raise a
domain error, change nothing, and reach the API as 403 (not allowed for the
role) or 409 (not in this status) with a message.
"""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from cica.errors import Conflict, Forbidden
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
from measures.workflow import OPEN_STATUSES, TABLES, TRANSITIONS, Action, Role, Status
from members.models import Participant
from secretariat.models import Circulation, Decision, Meeting
from secretariat.services import initiative_actions
from tests.files import PDF, pdf

pytestmark = pytest.mark.django_db

# Who is asking, as a demo user, and the roles the table knows them by.
ROLES = {
    "anonymous": (None, set()),
    "observer": ("delegate-usa", {Role.OBSERVER_DELEGATE}),
    "other_member": ("delegate-chn", {Role.MEMBER_DELEGATE}),
    "interested_member": ("delegate-irn", {Role.MEMBER_DELEGATE}),
    "coordinator": ("delegate-tjk", {Role.MEMBER_DELEGATE, Role.COORDINATOR_DELEGATE}),
    "chair": ("chair", {Role.CHAIR}),
    "secretariat": ("secretariat", {Role.SECRETARIAT}),
}
HAS_DECLARED = {"interested_member", "coordinator"}
AFTER_CIRCULATION = {
    Status.CIRCULATED,
    Status.SWG_REVIEW,
    Status.SOC_REVIEW,
    Status.ADOPTED,
    Status.REJECTED,
}


def build(status: str, modality: str = "a") -> Initiative:
    """An initiative on ECO-5 at ``status`` with what that status implies:
    Iran and Tajikistan interested, Tajikistan coordinator (modality (a)) or
    its expert responsible for the working paper (modality (b)), a paper, a
    circulation whose deadline has passed, and SWG and SOC meetings held."""
    measure = Measure.objects.get(code="ECO-5")
    initiative = Initiative.objects.create(measure=measure, status=status, modality=modality)
    irn, tjk = Participant.objects.get(code="IRN"), Participant.objects.get(code="TJK")
    today = timezone.localdate()
    expert = Expert.objects.create(
        participant=tjk, measure=measure, name="Dr Expert", started_on=today
    )
    specialised = Meeting.objects.create(
        body="specialised", date=today, measure=measure, host=Participant.objects.get(code="JPN")
    )
    specialised.experts.set([expert])
    if modality == "b":
        initiative.responsible_experts.set([expert])
    for state in (irn, tjk):
        InterestDeclaration.objects.create(
            initiative=initiative, participant=state, declared_on=today
        )
    CoordinatorDesignation.objects.create(
        initiative=initiative, participant=tjk, role="coordinator", started_on=today
    )
    if status != Status.INTEREST_DECLARED and status != Status.CONSULTATION:
        paper = Paper(
            initiative=initiative,
            kind="concept_paper",
            version=1,
            symbol="CICA/CP/ECO-5/1",
            original_name="p.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0",
            language="en",
            submitted_for=tjk,
        )
        paper.file.save("p.pdf", ContentFile(PDF), save=False)
        paper.save()
        if status in AFTER_CIRCULATION:
            Circulation.objects.create(
                initiative=initiative,
                paper=paper,
                reference="CICA/CIRC/TEST/1",
                deadline=today - datetime.timedelta(days=1),
            )
    yesterday = today - datetime.timedelta(days=1)
    for body in ("swg", "soc"):
        meeting = Meeting.objects.create(body=body, date=yesterday)
        meeting.present.set(Participant.objects.filter(code__in=["IRN", "TJK", "CHN", "KAZ"]))
    return initiative


def meeting_id(body):
    return Meeting.objects.filter(body=body).order_by("-pk").values_list("pk", flat=True)[0]


def call_service(action, user, initiative):
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    kaz = Participant.objects.get(code="KAZ")
    match action:
        case Action.DECLARE_INTEREST:
            return services.initiative_declare_interest(
                actor=user, measure=initiative.measure, modality=initiative.modality
            )
        case Action.CHARGE_EXPERTS:
            return initiative_actions.initiative_charge_experts(
                actor=user,
                initiative=initiative,
                meeting=Meeting.objects.get(pk=meeting_id("specialised")),
                experts=list(Expert.objects.filter(name="Dr Expert")),
            )
        case Action.OPEN_CONSULTATION:
            return services.initiative_open_consultation(actor=user, initiative=initiative)
        case Action.DESIGNATE_COORDINATORS:
            return services.initiative_designate_coordinators(
                actor=user, initiative=initiative, designations=[(kaz, "coordinator")]
            )
        case Action.SUBMIT_PAPER:
            return services.initiative_submit_paper(
                actor=user, initiative=initiative, file=pdf(), language="en"
            )
        case Action.CIRCULATE:
            return initiative_actions.initiative_circulate(
                actor=user, initiative=initiative, deadline=deadline
            )
        case Action.REFER_TO_SWG:
            return initiative_actions.initiative_refer_to_swg(actor=user, initiative=initiative)
        case Action.RECORD_SWG_DECISION | Action.RECORD_SOC_DECISION:
            body = "swg" if action == Action.RECORD_SWG_DECISION else "soc"
            return initiative_actions.initiative_record_decision(
                actor=user,
                initiative=initiative,
                body=body,
                meeting=Meeting.objects.get(pk=meeting_id(body)),
                outcome="approved",
            )
        case Action.WITHDRAW:
            return services.initiative_withdraw(actor=user, initiative=initiative, reason="test")
    raise AssertionError(action)


def call_api(client, action, initiative):
    url = f"/api/v1/initiatives/{initiative.pk}/{action.replace('_', '-')}/"
    deadline = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    payload = {
        Action.DECLARE_INTEREST: {},
        Action.OPEN_CONSULTATION: {},
        Action.DESIGNATE_COORDINATORS: {"coordinators": ["KAZ"]},
        Action.CIRCULATE: {"deadline": deadline},
        Action.REFER_TO_SWG: {},
        Action.RECORD_SWG_DECISION: {"meeting": meeting_id("swg"), "outcome": "approved"},
        Action.RECORD_SOC_DECISION: {"meeting": meeting_id("soc"), "outcome": "approved"},
        Action.WITHDRAW: {"reason": "test"},
        Action.CHARGE_EXPERTS: {
            "meeting": meeting_id("specialised"),
            "experts": list(Expert.objects.filter(name="Dr Expert").values_list("pk", flat=True)),
        },
    }
    if action == Action.SUBMIT_PAPER:
        return client.post(url, {"file": pdf(), "language": "en"}, format="multipart")
    if action == Action.DECLARE_INTEREST:
        return client.post(
            "/api/v1/initiatives/",
            {"measure": initiative.measure.code, "modality": initiative.modality},
        )
    return client.post(url, payload[action], format="json")


def expected(status, action, role, modality="a"):
    """What the table says: 'ok', 403 or 409."""
    _username, roles = ROLES[role]
    table = TABLES[modality]
    if action not in table:
        return 409  # the action does not apply to this modality
    if not table[action].roles & roles:
        return 403
    if action == Action.DECLARE_INTEREST:
        if status not in OPEN_STATUSES:
            return "ok"  # a closed initiative: the declaration starts a new one
        return 409 if role in HAS_DECLARED else "ok"
    if status not in table[action].sources:
        return 409
    return "ok"


def snapshot(initiative):
    initiative.refresh_from_db()
    return (
        initiative.status,
        Initiative.objects.count(),
        InitiativeEvent.objects.count(),
        InterestDeclaration.objects.count(),
        CoordinatorDesignation.objects.count(),
        Paper.objects.count(),
        Circulation.objects.count(),
        Decision.objects.count(),
    )


TARGET = {
    Action.CHARGE_EXPERTS: Status.DRAFTING,
    Action.OPEN_CONSULTATION: Status.CONSULTATION,
    Action.DESIGNATE_COORDINATORS: Status.DRAFTING,
    Action.SUBMIT_PAPER: Status.DRAFTING,
    Action.CIRCULATE: Status.CIRCULATED,
    Action.REFER_TO_SWG: Status.SWG_REVIEW,
    Action.RECORD_SWG_DECISION: Status.SOC_REVIEW,
    Action.RECORD_SOC_DECISION: Status.ADOPTED,
    Action.WITHDRAW: Status.WITHDRAWN,
}


@pytest.mark.parametrize(
    ("modality", "status", "action", "role"),
    list(itertools.product(["a", "b"], Status.values, Action.values, ROLES)),
)
def test_every_status_action_role(people, modality, status, action, role):
    initiative = build(status, modality)
    username, _roles = ROLES[role]
    user = people[username] if username else AnonymousUser()
    before = snapshot(initiative)
    outcome = expected(status, action, role, modality)

    if outcome == "ok":
        call_service(action, user, initiative)
        after = snapshot(initiative)
        assert after[2] == before[2] + 1, "one timeline event"
        event = InitiativeEvent.objects.order_by("-pk").first()
        assert event is not None
        assert event.action == action
        assert event.actor == user
        if action == Action.DECLARE_INTEREST:
            if status in OPEN_STATUSES:
                assert event.initiative == initiative
                assert after[0] == status
            else:  # a new initiative, the old one untouched
                assert event.initiative != initiative
                assert after[0] == status
                assert event.initiative.status == Status.INTEREST_DECLARED
        else:
            assert after[0] == TARGET[action] == event.to_status
            assert event.from_status == status
        return

    error = Forbidden if outcome == 403 else Conflict
    with pytest.raises(error) as refused:
        call_service(action, user, initiative)
    assert str(refused.value)
    assert snapshot(initiative) == before, "a refusal changes nothing"

    client = APIClient()
    if username:
        client.force_authenticate(people[username])
    response = call_api(client, action, initiative)
    api_expected = 401 if role == "anonymous" else outcome
    assert response.status_code == api_expected, response.content
    assert response.json()["detail"]
    assert snapshot(initiative) == before


def test_the_table_is_the_one_the_issue_gives():
    """The matrix above follows the table; this pins the table itself."""
    S, R = Status, Role
    open_ = {
        S.INTEREST_DECLARED,
        S.CONSULTATION,
        S.DRAFTING,
        S.CIRCULATED,
        S.SWG_REVIEW,
        S.SOC_REVIEW,
    }
    spec = {
        Action.DECLARE_INTEREST: (open_, {R.MEMBER_DELEGATE}),
        Action.OPEN_CONSULTATION: ({S.INTEREST_DECLARED}, {R.CHAIR, R.SECRETARIAT}),
        Action.DESIGNATE_COORDINATORS: ({S.CONSULTATION}, {R.CHAIR, R.SECRETARIAT}),
        Action.SUBMIT_PAPER: ({S.DRAFTING}, {R.COORDINATOR_DELEGATE}),
        Action.CIRCULATE: ({S.DRAFTING}, {R.SECRETARIAT}),
        Action.REFER_TO_SWG: ({S.CIRCULATED}, {R.SECRETARIAT}),
        Action.RECORD_SWG_DECISION: ({S.SWG_REVIEW}, {R.SECRETARIAT}),
        Action.RECORD_SOC_DECISION: ({S.SOC_REVIEW}, {R.SECRETARIAT}),
        Action.WITHDRAW: (open_, {R.SECRETARIAT, R.COORDINATOR_DELEGATE}),
    }
    assert {a: (set(t.sources), set(t.roles)) for a, t in TRANSITIONS.items()} == spec
    swg, soc = TRANSITIONS[Action.RECORD_SWG_DECISION], TRANSITIONS[Action.RECORD_SOC_DECISION]
    assert swg.by_outcome == {
        "approved": S.SOC_REVIEW,
        "returned": S.DRAFTING,
        "no_consensus": S.DRAFTING,  # back to the coordinators (issue 13 item 3)
        "rejected": S.REJECTED,
    }
    assert soc.by_outcome == {
        "approved": S.ADOPTED,
        "returned": S.DRAFTING,
        "no_consensus": S.DRAFTING,
        "rejected": S.REJECTED,
    }


def test_modality_b_table_shares_the_road_after_the_working_paper():
    b = TABLES["b"]
    assert set(b) == {
        Action.DECLARE_INTEREST,
        Action.CHARGE_EXPERTS,
        Action.SUBMIT_PAPER,
        Action.CIRCULATE,
        Action.REFER_TO_SWG,
        Action.RECORD_SWG_DECISION,
        Action.RECORD_SOC_DECISION,
        Action.WITHDRAW,
    }
    charge = b[Action.CHARGE_EXPERTS]
    assert (set(charge.sources), set(charge.roles), charge.target) == (
        {Status.INTEREST_DECLARED},
        {Role.SECRETARIAT},
        Status.DRAFTING,
    )
    for action in set(b) - {Action.CHARGE_EXPERTS}:
        assert b[action] is TRANSITIONS[action]
