"""Issue 16 item 2: where an initiative stands — the step, who acts next, by
when — for every status of both modalities, decisions at meetings and by
silence procedure, and each side exit. The initiative is driven through the
services; ``progress_of`` reads it as the initiative's page loads it and as
the delegate's desk loads it, and both read the same."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.formats import date_format

from measures import services
from measures.models import Expert, Initiative, Measure
from measures.progress import EXITS, ROADS, progress_of
from measures.selectors import initiative_detail, initiatives_on_desk
from measures.workflow import Status
from members.models import Participant
from secretariat.models import Meeting
from secretariat.services import (
    initiative_charge_experts,
    initiative_circulate,
    initiative_record_decision,
    initiative_refer_to_swg,
    silence_procedure_start,
)
from secretariat.tasks import close_silence_procedures
from tests.files import pdf

pytestmark = pytest.mark.django_db

ROAD_A = [
    "interest_declared",
    "consultation",
    "drafting",
    "circulated",
    "swg_review",
    "soc_review",
    "adopted",
]
ROAD_B = [s for s in ROAD_A if s != "consultation"]


def days(n):
    return datetime.timedelta(days=n)


def long(day):
    return date_format(day, "DATE_FORMAT")


def kaz():
    return Participant.objects.get(code="KAZ")


class Road:
    """One fresh initiative, driven step by step through the services."""

    def __init__(self, people, modality="a"):
        self.people = people
        measure = Measure.objects.filter(initiatives__isnull=True).order_by("pk")[0]
        self.initiative, _ = services.initiative_declare_interest(
            actor=people["delegate-kaz"], measure=measure, modality=modality
        )
        self.today = timezone.localdate()

    @property
    def sec(self):
        return self.people["secretariat"]

    def progress(self, today=None):
        """As the page reads it, checked against the desk's reading."""
        page = progress_of(initiative_detail().get(pk=self.initiative.pk), today)
        desk = next(i for i in initiatives_on_desk(kaz()) if i.pk == self.initiative.pk)
        assert progress_of(desk, today) == page
        return page

    def consult(self):
        services.initiative_open_consultation(
            actor=self.people["chair"], initiative=self.initiative
        )

    def designate(self, *codes):
        services.initiative_designate_coordinators(
            actor=self.people["chair"],
            initiative=self.initiative,
            designations=[(Participant.objects.get(code=c), "coordinator") for c in codes],
        )

    def charge(self):
        measure = self.initiative.measure
        expert = Expert.objects.create(
            participant=Participant.objects.get(code="TJK"),
            measure=measure,
            name="Dr Expert",
            started_on=self.today - days(30),
        )
        meeting = Meeting.objects.create(body="specialised", date=self.today, measure=measure)
        meeting.experts.set([expert])
        initiative_charge_experts(
            actor=self.sec, initiative=self.initiative, meeting=meeting, experts=[expert]
        )

    def submit(self, code="kaz"):
        services.initiative_submit_paper(
            actor=self.people[f"delegate-{code}"],
            initiative=self.initiative,
            file=pdf(),
            language="en",
        )

    def circulate(self, deadline, audience="members"):
        initiative_circulate(
            actor=self.sec, initiative=self.initiative, deadline=deadline, audience=audience
        )

    def refer(self):
        initiative_refer_to_swg(actor=self.sec, initiative=self.initiative)

    def decide(self, body, outcome):
        meeting = Meeting.objects.create(body=body, date=timezone.localdate())
        meeting.present.set(Participant.objects.filter(code__in=["KAZ", "TJK", "CHN", "IND"]))
        initiative_record_decision(
            actor=self.sec,
            initiative=self.initiative,
            body=body,
            meeting=meeting,
            outcome=outcome,
            text="" if outcome == "approved" else "The reasons.",
            objecting=list(Participant.objects.filter(code="CHN"))
            if outcome == "no_consensus"
            else [],
        )


def states(progress):
    return {step.key: step.state for step in progress.steps}


def assert_at(progress, key, road=ROAD_A):
    assert [step.key for step in progress.steps] == road
    at = road.index(key)
    expected = {
        k: "done" if i < at else "current" if i == at else "upcoming" for i, k in enumerate(road)
    }
    assert states(progress) == expected
    assert progress.current.key == key
    assert progress.position == at + 1
    assert progress.exit is None


@pytest.fixture
def road(people):
    return Road(people)


@pytest.fixture
def road_b(people):
    return Road(people, modality="b")


# --- modality (a) ----------------------------------------------------------------------


def test_declared_the_chair_opens_the_consultation(road):
    p = road.progress()
    assert_at(p, "interest_declared")
    assert p.next_actor == "The Chair's office"
    assert "consultation" in p.next_action
    assert p.deadline is None


def test_consultation_the_chair_designates(road):
    road.consult()
    p = road.progress()
    assert_at(p, "consultation")
    assert p.next_actor == "The Chair's office"
    assert "coordinators" in p.next_action
    assert p.deadline is None


def test_drafting_the_coordinators_by_name_then_the_secretariat(road):
    road.consult()
    road.designate("KAZ", "TJK")
    p = road.progress()
    assert_at(p, "drafting")
    assert p.next_actor == "The coordinators: Kazakhstan, Tajikistan"
    assert p.next_action == "submit the concept paper"
    assert p.sent_back == ""
    road.submit()
    p = road.progress()
    assert_at(p, "drafting")
    assert p.next_actor == "The secretariat"
    assert "circulates" in p.next_action


def test_one_coordinator_reads_singular(road):
    road.consult()
    road.designate("KAZ")
    assert road.progress().next_actor == "The coordinator: Kazakhstan"


@pytest.fixture
def circulated(road):
    road.consult()
    road.designate("KAZ")
    road.submit()
    road.deadline = road.today + days(5)
    road.circulate(road.deadline)
    return road


def test_circulated_every_member_state_until_the_deadline(circulated):
    p = circulated.progress()
    assert_at(p, "circulated")
    assert p.next_actor == f"Every member state, until {long(circulated.deadline)}"
    assert p.deadline == circulated.deadline
    assert p.deadline_label == "Comment deadline"
    # On the deadline day itself the states still answer.
    assert circulated.progress(today=circulated.deadline).deadline == circulated.deadline


def test_circulated_to_observers_too(road):
    road.consult()
    road.designate("KAZ")
    road.submit()
    deadline = road.today + days(3)
    road.circulate(deadline, audience="members_and_observers")
    assert road.progress().next_actor == f"Every member state and observer, until {long(deadline)}"


def test_circulated_after_the_deadline_the_secretariat_refers(circulated):
    p = circulated.progress(today=circulated.deadline + days(1))
    assert_at(p, "circulated")
    assert p.next_actor == "The secretariat"
    assert "Special Working Group" in p.next_action
    assert p.deadline is None


def test_the_deadline_reads_in_russian(circulated):
    with translation.override("ru"):
        p = circulated.progress()
        assert p.next_actor.endswith(long(circulated.deadline))
        assert long(circulated.deadline) != date_format(circulated.deadline, "Y-m-d")
        # Russian month names, not English ones.
        assert not any(m in p.next_actor for m in ("January", "December", "June", "July"))


@pytest.fixture
def at_swg(circulated):
    with time_machine.travel(circulated.deadline + days(1), tick=False):
        circulated.refer()
    circulated.today = circulated.deadline + days(1)
    return circulated


def test_at_swg_the_group_decides_at_a_meeting(at_swg):
    p = at_swg.progress()
    assert_at(p, "swg_review")
    assert p.next_actor == "The Special Working Group"
    assert "meeting" in p.next_action
    assert p.deadline is None


def test_at_swg_under_silence_every_member_state_until(at_swg):
    with time_machine.travel(at_swg.today, tick=False):
        silence_deadline = at_swg.today + days(7)
        silence_procedure_start(
            actor=at_swg.sec,
            initiative=at_swg.initiative,
            body="swg",
            draft_text="The SWG approves the paper.",
            deadline=silence_deadline,
        )
        p = at_swg.progress()
    assert_at(p, "swg_review")
    assert p.next_actor == f"Every member state, until {long(silence_deadline)}"
    assert "silence" in p.next_action
    assert p.deadline == silence_deadline
    assert p.deadline_label == "Silence deadline"
    # Silence kept: the SWG's decision is adopted and the SOC is next.
    with time_machine.travel(silence_deadline + days(1), tick=False):
        assert close_silence_procedures()
        p = at_swg.progress()
    assert_at(p, "soc_review")
    assert p.next_actor == "The Senior Officials Committee"


def test_at_soc_then_adopted(at_swg):
    at_swg.decide("swg", "approved")
    p = at_swg.progress()
    assert_at(p, "soc_review")
    assert p.next_actor == "The Senior Officials Committee"
    at_swg.decide("soc", "approved")
    p = at_swg.progress()
    assert [s.state for s in p.steps] == ["done"] * 6 + ["current"]
    assert p.current.key == "adopted"
    assert p.next_actor == ""
    assert p.deadline is None


@pytest.mark.parametrize(
    ("body", "outcome", "says"),
    [("swg", "no_consensus", "No consensus"), ("soc", "returned", "Returned with comments")],
)
def test_sent_back_for_revision_is_said_and_the_coordinators_act(at_swg, body, outcome, says):
    if body == "soc":
        at_swg.decide("swg", "approved")
    at_swg.decide(body, outcome)
    p = at_swg.progress()
    assert_at(p, "drafting")
    assert says in p.sent_back
    assert f"the {body.upper()}" in p.sent_back
    assert p.next_actor == "The coordinator: Kazakhstan"
    # The revision circulated: the states answer again, the note is gone.
    at_swg.submit()
    deadline = timezone.localdate() + days(4)
    at_swg.circulate(deadline)
    p = at_swg.progress()
    assert_at(p, "circulated")
    assert p.sent_back == ""
    assert p.deadline == deadline


# --- side exits ------------------------------------------------------------------------


def test_withdrawn_during_drafting(road):
    road.consult()
    road.designate("KAZ")
    services.initiative_withdraw(actor=road.sec, initiative=road.initiative, reason="No funds.")
    p = road.progress()
    assert p.exit is not None
    assert p.exit.key == "withdrawn"
    assert p.exit.label == "Withdrawn"
    assert p.exit.on == timezone.localdate()
    assert states(p) == {
        "interest_declared": "done",
        "consultation": "done",
        "drafting": "stopped",
        "circulated": "skipped",
        "swg_review": "skipped",
        "soc_review": "skipped",
        "adopted": "skipped",
    }
    assert p.current is None
    assert p.position == 0
    assert p.next_actor == ""
    assert p.deadline is None


def test_withdrawn_at_once(road):
    services.initiative_withdraw(actor=road.sec, initiative=road.initiative, reason="Merged.")
    p = road.progress()
    assert p.exit.key == "withdrawn"
    assert states(p)["interest_declared"] == "stopped"


@pytest.mark.parametrize("body", ["swg", "soc"])
def test_rejected_by_the_swg_or_the_soc(at_swg, body):
    if body == "soc":
        at_swg.decide("swg", "approved")
    at_swg.decide(body, "rejected")
    p = at_swg.progress()
    assert p.exit.key == "rejected"
    assert p.exit.label == "Rejected"
    stopped = "swg_review" if body == "swg" else "soc_review"
    assert states(p)[stopped] == "stopped"
    assert states(p)["adopted"] == "skipped"
    assert states(p)["circulated"] == "done"
    assert p.next_actor == ""


# --- modality (b) ----------------------------------------------------------------------


def test_b_declared_the_secretariat_charges_experts(road_b):
    p = road_b.progress()
    assert_at(p, "interest_declared", ROAD_B)
    assert p.next_actor == "The secretariat"
    assert "experts" in p.next_action


def test_b_drafting_the_responsible_experts_states(road_b):
    road_b.charge()
    p = road_b.progress()
    assert_at(p, "drafting", ROAD_B)
    assert p.next_actor == "The responsible experts' states: Tajikistan"
    assert p.next_action == "submit the working paper"
    road_b.submit("tjk")
    assert road_b.progress().next_actor == "The secretariat"


def test_b_circulated_swg_soc_adopted(road_b):
    road_b.charge()
    road_b.submit("tjk")
    deadline = road_b.today + days(2)
    road_b.circulate(deadline)
    p = road_b.progress()
    assert_at(p, "circulated", ROAD_B)
    assert p.next_actor == f"Every member state, until {long(deadline)}"
    with time_machine.travel(deadline + days(1), tick=False):
        road_b.refer()
    assert_at(road_b.progress(), "swg_review", ROAD_B)
    road_b.decide("swg", "approved")
    assert_at(road_b.progress(), "soc_review", ROAD_B)
    road_b.decide("soc", "approved")
    assert road_b.progress().current.key == "adopted"


def test_b_withdrawn(road_b):
    road_b.charge()
    services.initiative_withdraw(actor=road_b.sec, initiative=road_b.initiative, reason="x")
    p = road_b.progress()
    assert p.exit.key == "withdrawn"
    assert [s.state for s in p.steps] == [
        "done",
        "stopped",
        "skipped",
        "skipped",
        "skipped",
        "skipped",
    ]


def test_every_status_has_a_reading():
    """No status of the workflow is left without a step or an exit."""
    assert set(ROADS["a"]) | EXITS == set(Status.values)
    assert set(ROADS["b"]) | EXITS | {"consultation"} == set(Status.values)


def test_the_desk_reads_progress_in_a_fixed_number_of_queries(
    people, django_assert_max_num_queries
):
    for _ in range(3):
        Road(people)
    initiatives = list(initiatives_on_desk(kaz()))
    assert len(initiatives) >= 3
    with django_assert_max_num_queries(0):
        for initiative in initiatives:
            progress_of(initiative)
    assert Initiative.objects.exists()
