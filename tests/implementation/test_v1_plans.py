"""Action plans (issue 17 item 1): drawn up by an adopted measure's
coordinators, approved by the SWG then the SOC, amended, superseded."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cica.errors import Conflict, DomainError, Forbidden
from implementation.models import ActionPlan, PlanEvent, PlanStatus
from implementation.selectors import plan_in_force, plans_visible
from implementation.services.plans import (
    TABLE,
    PlanAction,
    plan_amend,
    plan_available_actions,
    plan_create,
    plan_record_decision,
    plan_refusal,
    plan_submit,
    plan_update,
)
from measures.models import Initiative
from members.models import Participant
from secretariat.models import Decision, Notification
from secretariat.services import meeting_create
from secretariat.services.notices import notice_render
from tests.scenarios import eco4_adopted, eco4_at_drafting

pytestmark = pytest.mark.django_db

PLANNED = [
    {"kind": "seminar", "title": "Seminar on trade facilitation", "target_year": 2027},
    {"kind": "workshop", "title": "Customs workshop", "target_year": 2028},
]


@pytest.fixture
def adopted(people):
    return eco4_adopted(people)


@pytest.fixture
def meetings(people):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    present = list(Participant.objects.filter(code__in=["TJK", "KAZ", "IND", "CHN"]))
    return {
        body: meeting_create(actor=people.secretariat, body=body, date=yesterday, present=present)
        for body in ("swg", "soc")
    }


def _plan(people, initiative, actor="delegate-tjk"):
    return plan_create(
        actor=people[actor],
        initiative=initiative,
        starts_in=2027,
        ends_in=2029,
        text="Carry out ECO-4.",
        planned=PLANNED,
    )


def _approve(people, plan, meetings):
    for body in ("swg", "soc"):
        plan = plan_record_decision(
            actor=people.secretariat,
            plan=plan,
            body=body,
            meeting=meetings[body],
            outcome="approved",
        )
    return plan


def test_the_coordinator_draws_up_a_plan_numbered_in_the_measure(people, adopted):
    plan = _plan(people, adopted)
    assert plan.symbol == "CICA/AP/ECO-4/1"
    assert plan.number == 1
    assert plan.status == PlanStatus.DRAFT
    assert [(c.participant.code, c.role) for c in plan.coordinators.all()] == [
        ("TJK", "coordinator")
    ]
    assert [p.title for p in plan.planned_activities.all()] == [
        "Seminar on trade facilitation",
        "Customs workshop",
    ]
    event = plan.events.get()
    assert (event.action, event.from_status, event.to_status) == ("create", "", "draft")
    assert event.actor == people["delegate-tjk"]


def test_the_secretariat_may_draw_up_the_plan_too(people, adopted):
    assert _plan(people, adopted, actor="secretariat").created_by == people.secretariat


@pytest.mark.parametrize("who", ["delegate-chn", "delegate-usa", "chair"])
def test_others_may_not_draw_up_a_plan(people, adopted, who):
    with pytest.raises(Forbidden, match="coordinator states"):
        _plan(people, adopted, actor=who)
    assert not ActionPlan.objects.exists()


def test_a_plan_needs_an_adopted_initiative(people):
    initiative = eco4_at_drafting()
    with pytest.raises(Conflict, match="adopted measure"):
        _plan(people, initiative)


def test_one_plan_open_at_a_time_and_amend_once_in_force(people, adopted, meetings):
    plan = _plan(people, adopted)
    with pytest.raises(Conflict, match="one plan at a time"):
        _plan(people, adopted)
    _approve(people, plan_submit(actor=people["delegate-tjk"], plan=plan), meetings)
    with pytest.raises(Conflict, match="amend it"):
        _plan(people, adopted)


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        (1999, 2001, "between"),
        (2027, 2201, "between"),
        (2029, 2027, "before it starts"),
        (2027, 2037, "at most 10 years"),
    ],
)
def test_the_period_must_be_sane(people, adopted, starts, ends, message):
    with pytest.raises(DomainError, match=message):
        plan_create(actor=people.secretariat, initiative=adopted, starts_in=starts, ends_in=ends)


def test_planned_activities_aim_inside_the_period(people, adopted):
    with pytest.raises(DomainError, match="outside the plan's years"):
        plan_create(
            actor=people.secretariat,
            initiative=adopted,
            starts_in=2027,
            ends_in=2028,
            planned=[{"kind": "seminar", "title": "Late", "target_year": 2030}],
        )
    with pytest.raises(DomainError, match="Unknown kind"):
        plan_create(
            actor=people.secretariat,
            initiative=adopted,
            starts_in=2027,
            ends_in=2028,
            planned=[{"kind": "party", "title": "Party", "target_year": 2027}],
        )


def test_update_changes_the_draft_and_records_it(people, adopted):
    plan = _plan(people, adopted)
    plan = plan_update(
        actor=people["delegate-tjk"],
        plan=plan,
        text="Revised.",
        ends_in=2030,
        planned=[{"kind": "exercise", "title": "Exercise", "target_year": 2030}],
    )
    assert (plan.text, plan.ends_in) == ("Revised.", 2030)
    assert [p.target_year for p in plan.planned_activities.all()] == [2030]
    event = plan.events.reverse()[0]
    assert event.action == "update"
    assert event.details == {"changed": ["text", "period", "planned"]}
    # Shortening the period leaves a planned activity outside it: refused.
    with pytest.raises(DomainError, match="outside"):
        plan_update(actor=people["delegate-tjk"], plan=plan, ends_in=2029)


def _decide(people, plan, meetings, body):
    return plan_record_decision(
        actor=people.secretariat, plan=plan, body=body, meeting=meetings[body], outcome="approved"
    )


# What each action does when allowed, by the role allowed to take it.
RUN = {
    PlanAction.UPDATE: lambda people, plan, m: plan_update(
        actor=people["delegate-tjk"], plan=plan, text="New."
    ),
    PlanAction.SUBMIT: lambda people, plan, m: plan_submit(actor=people["delegate-tjk"], plan=plan),
    PlanAction.AMEND: lambda people, plan, m: plan_amend(actor=people["delegate-tjk"], plan=plan),
    PlanAction.RECORD_SWG_DECISION: lambda people, plan, m: _decide(people, plan, m, "swg"),
    PlanAction.RECORD_SOC_DECISION: lambda people, plan, m: _decide(people, plan, m, "soc"),
}
AFTER = {
    PlanAction.UPDATE: "draft",
    PlanAction.SUBMIT: "swg_review",
    PlanAction.AMEND: "draft",  # the amendment's status; the plan amended stays approved
    PlanAction.RECORD_SWG_DECISION: "soc_review",
    PlanAction.RECORD_SOC_DECISION: "approved",
}
ALLOWED = {
    ("draft", PlanAction.UPDATE),
    ("draft", PlanAction.SUBMIT),
    ("approved", PlanAction.AMEND),
    ("swg_review", PlanAction.RECORD_SWG_DECISION),
    ("soc_review", PlanAction.RECORD_SOC_DECISION),
}


def test_the_table_is_the_one_written_here():
    assert {(s, a) for a, row in TABLE.items() for s in row.sources} == ALLOWED


@pytest.mark.parametrize("status", PlanStatus.values)
@pytest.mark.parametrize("action", list(RUN))
def test_every_status_and_action(people, adopted, meetings, status, action):
    """Every (status, action) pair: allowed ones take the plan where the table
    says and write an event; refused ones are a 409 with a message and
    change nothing."""
    plan = _plan(people, adopted)
    ActionPlan.objects.filter(pk=plan.pk).update(status=status)  # test set-up only
    plan.refresh_from_db()
    events = PlanEvent.objects.count()
    if (status, action) in ALLOWED:
        assert plan_refusal(actor=people.secretariat, plan=plan, action=action) is None
        result = RUN[action](people, plan, meetings)
        assert result.status == AFTER[action]
        assert PlanEvent.objects.count() > events
        if action == PlanAction.AMEND:
            assert result.amends == plan
            assert ActionPlan.objects.get(pk=plan.pk).status == "approved"
    else:
        with pytest.raises(Conflict, match="not possible now") as refused:
            RUN[action](people, plan, meetings)
        assert plan.symbol in refused.value.message
        assert ActionPlan.objects.get(pk=plan.pk).status == status
        assert PlanEvent.objects.count() == events


@pytest.mark.parametrize("action", list(RUN))
@pytest.mark.parametrize("who", ["delegate-chn", "delegate-usa", "chair", ""])
def test_the_wrong_role_is_forbidden_whatever_the_status(people, adopted, action, who):
    plan = _plan(people, adopted)
    user = people[who] if who else AnonymousUser()
    refusal = plan_refusal(actor=user, plan=plan, action=action)
    assert isinstance(refusal, Forbidden)
    assert "Not allowed" in str(refusal.message)


@pytest.mark.parametrize("action", [PlanAction.RECORD_SWG_DECISION, PlanAction.RECORD_SOC_DECISION])
def test_coordinators_do_not_record_decisions(people, adopted, meetings, action):
    plan = _plan(people, adopted)
    plan = plan_submit(actor=people["delegate-tjk"], plan=plan)
    with pytest.raises(Forbidden, match="only the secretariat"):
        plan_record_decision(
            actor=people["delegate-tjk"],
            plan=plan,
            body="swg",
            meeting=meetings["swg"],
            outcome="approved",
        )


def test_eco4_plan_approved_then_amended_and_superseded(people, adopted, meetings):
    """ECO-4 adopted → plan 1 → SWG approves → SOC approves → in force; the
    amendment (plan 2) goes the same way and supersedes plan 1."""
    tjk = people["delegate-tjk"]
    first = plan_submit(actor=tjk, plan=_plan(people, adopted))
    assert first.status == "swg_review"
    first = _decide(people, first, meetings, "swg")
    assert first.status == "soc_review"
    first = _decide(people, first, meetings, "soc")
    assert first.status == "approved"
    assert first.approved_at is not None
    assert plan_in_force(adopted.measure) == first
    decisions = Decision.objects.filter(action_plan=first).order_by("pk")
    assert [(d.body, d.outcome) for d in decisions] == [("swg", "approved"), ("soc", "approved")]
    assert all(d.initiative_id == adopted.pk and d.paper is None for d in decisions)
    # The coordinator's delegate is told in its own notice; not twice.
    notices = Notification.objects.filter(recipient=tjk, kind="action_plan")
    assert notices.count() == 2
    assert "CICA/AP/ECO-4/1" in notices.order_by("-pk")[0].subject
    assert not Notification.objects.filter(
        recipient=tjk, kind="decision", target_id__in=[d.pk for d in decisions]
    ).exists()
    # Other member states hear of the SOC decision, naming the plan.
    soc_notice = Notification.objects.filter(
        recipient=people["delegate-kaz"], kind="decision", target_id=decisions[1].pk
    ).get()
    assert "CICA/AP/ECO-4/1" in soc_notice.subject

    second = plan_amend(actor=tjk, plan=first)
    assert second.symbol == "CICA/AP/ECO-4/2"
    assert second.amends == first
    assert second.text == first.text
    assert [p.title for p in second.planned_activities.all()] == [p["title"] for p in PLANNED]
    assert plan_in_force(adopted.measure) == first
    second = plan_submit(actor=tjk, plan=second)
    second = _approve(people, second, {**meetings})  # same meetings, another plan
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "approved")
    assert plan_in_force(adopted.measure) == second
    assert first.events.reverse()[0].action == "supersede"
    assert first.events.reverse()[0].details == {"by": "CICA/AP/ECO-4/2"}


def test_no_consensus_sends_the_plan_back_to_draft(people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_plan(people, adopted))
    plan = plan_record_decision(
        actor=people.secretariat,
        plan=plan,
        body="swg",
        meeting=meetings["swg"],
        outcome="no_consensus",
        objecting=[Participant.objects.get(code="CHN")],
    )
    assert plan.status == "draft"
    event = plan.events.reverse()[0]
    assert (event.from_status, event.to_status) == ("swg_review", "draft")
    assert event.details["outcome"] == "no_consensus"
    notice = Notification.objects.get(recipient=people["delegate-tjk"], kind="action_plan")
    assert "submit it again" in notice.body
    # An approval over an objection is refused by the consensus rule.
    plan = plan_submit(actor=people["delegate-tjk"], plan=plan)
    with pytest.raises(DomainError, match="No consensus"):
        plan_record_decision(
            actor=people.secretariat,
            plan=plan,
            body="swg",
            meeting=meetings["swg"],
            outcome="approved",
            objecting=[Participant.objects.get(code="CHN")],
        )


def test_one_decision_per_plan_per_meeting(people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_plan(people, adopted))
    plan = plan_record_decision(
        actor=people.secretariat,
        plan=plan,
        body="swg",
        meeting=meetings["swg"],
        outcome="returned",
        text="Add a budget.",
    )
    plan = plan_submit(actor=people["delegate-tjk"], plan=plan)
    with pytest.raises(Conflict, match="one decision per action plan"):
        _decide(people, plan, meetings, "swg")


def test_rejected_closes_the_plan(people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_plan(people, adopted))
    plan = plan_record_decision(
        actor=people.secretariat,
        plan=plan,
        body="swg",
        meeting=meetings["swg"],
        outcome="rejected",
        text="Out of scope.",
    )
    assert plan.status == "rejected"
    # A rejected plan does not block a new one.
    assert _plan(people, adopted).number == 2


def test_who_sees_which_plan(people, adopted, meetings):
    plan = _plan(people, adopted)

    def seen_by(name):
        user = people[name] if name else AnonymousUser()
        return plans_visible(user).filter(pk=plan.pk).exists()

    draft_readers = {"secretariat", "chair", "delegate-tjk"}
    everyone = ["", "delegate-usa", "delegate-chn", "delegate-kaz", *draft_readers]
    assert {n for n in everyone if seen_by(n)} == draft_readers
    plan = plan_submit(actor=people["delegate-tjk"], plan=plan)
    assert {n for n in everyone if seen_by(n)} == draft_readers | {"delegate-chn", "delegate-kaz"}
    _approve(people, plan, meetings)
    assert all(seen_by(n) for n in everyone)


def test_available_actions_say_why_not(people, adopted):
    plan = _plan(people, adopted)
    rows = {r["action"]: r for r in plan_available_actions(user=people["delegate-tjk"], plan=plan)}
    assert rows["submit"]["available"]
    assert rows["update"]["available"]
    assert not rows["amend"]["available"]
    assert "not possible now" in rows["amend"]["reason"]
    assert "only the secretariat" in rows["record_swg_decision"]["reason"]


def test_the_plan_notice_is_written_in_the_readers_language(people, adopted, meetings):
    plan = plan_submit(actor=people["delegate-tjk"], plan=_plan(people, adopted))
    _decide(people, plan, meetings, "swg")
    notice = Notification.objects.get(recipient=people["delegate-tjk"], kind="action_plan")
    en = notice_render(kind=notice.kind, params=notice.params, language="en")
    ru = notice_render(kind=notice.kind, params=notice.params, language="ru")
    assert "CICA/AP/ECO-4/1" in en[0]
    assert "CICA/AP/ECO-4/1" in ru[0]
    assert Initiative.objects.get(pk=adopted.pk).status == "adopted"
