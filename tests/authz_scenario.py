"""One scenario for the authorisation matrix, built through the services.

Seven people look at it (``ROLES``):

* ``anon``      — nobody signed in;
* ``obs``       — the delegate of an observer state (USA);
* ``other``     — the delegate of a member state with no part in it (China);
* ``concerned`` — the delegate of the state concerned (Iran): it declared
  interest in every initiative below, submitted information, answered
  circulations;
* ``coord``     — the delegate of the coordinator state (Tajikistan):
  designated coordinator of the initiatives, its expert charged in modality
  (b), named co-submitter of Iran's information;
* ``chair``     — the Chair's office;
* ``sec``       — the secretariat.

Initiatives, one per measure, each at the status the actions on it need:

* ``declared``  ECO-6  interest declared (Iran);
* ``consult``   ECO-7  consultation opened by the Chair;
* ``draft``     ECO-8  drafting, Tajikistan's paper v1 not circulated (a draft);
* ``main``      ECO-5  circulated to members, deadline open, Iran's position in;
* ``circ``      ENV-1  circulated to members and observers, deadline passed;
* ``swg``       ENV-2  before the SWG, with a "no consensus" decision (China objected);
* ``soc``       ENV-4  before the SOC (the SWG approved);
* ``b``         ECO-1  modality (b), interest declared, Tajikistan's expert at a
  specialised meeting.

Plus information (Iran's unpublished submission with Tajikistan as
co-submitter and an attachment; China's, disseminated publicly), Iran's
notifications, a webhook subscription with deliveries, a token and the
periodic-task schedules the admin lists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from measures import services as measure_services
from measures.models import CoordinatorOffer, Expert, Initiative, Measure, Paper
from members.models import ApiToken, Chairmanship, Participant
from members.services import api_token_issue
from secretariat import services as secretariat_services
from secretariat.models import (
    Circulation,
    Decision,
    InformationAttachment,
    InformationSubmission,
    Meeting,
    Notification,
    WebhookSubscription,
)
from secretariat.services import initiative_actions
from tests.files import pdf

ROLES = ("anon", "obs", "other", "concerned", "coord", "chair", "sec")
USERNAMES = {
    "anon": None,
    "obs": "delegate-usa",
    "other": "delegate-chn",
    "concerned": "delegate-irn",
    "coord": "delegate-tjk",
    "chair": "chair",
    "sec": "secretariat",
}

# Text only some may read: each appears once in the scenario, so finding it in
# an answer means the answer showed it.
STATEMENT = "Iran-statement-7c1e: internal reasons"
DRAFT_NAME = "tjk-draft-eco8-91ab.pdf"
POSITION = "Iran-position-44d2: comments on the paper"
EXPERT_CONTACT = "expert-contact-5e0f@tjk.example"
PRIVATE_TITLE = "Iran-private-information-2b7a"
WEBHOOK_SECRET = "webhook-secret-83d9"
PLAN_DRAFT_TEXT = "tjk-draft-plan-env5-6c3a"  # issue 17 v1
V2_PRIVATE_TITLE = "Iran-secretariat-only-activity-6f3b"


@dataclass
class Scenario:
    users: dict = field(default_factory=dict)
    initiatives: dict[str, Initiative] = field(default_factory=dict)
    draft_paper: Paper | None = None
    circulated_paper: Paper | None = None
    main_circulation: Circulation | None = None
    observers_circulation: Circulation | None = None
    swg_meeting: Meeting | None = None
    soc_meeting: Meeting | None = None
    specialised_meeting: Meeting | None = None
    expert: Expert | None = None
    no_consensus: Decision | None = None
    private_information: InformationSubmission | None = None
    public_information: InformationSubmission | None = None
    attachment: InformationAttachment | None = None
    notification: Notification | None = None
    webhook: WebhookSubscription | None = None
    token: ApiToken | None = None
    token_key: str = ""
    sessions: dict[str, str] = field(default_factory=dict)
    chairmanship_id: int = 0
    offer_id: int = 0
    today: datetime.date = field(default_factory=timezone.localdate)
    # issue 17 v6
    v6_cycle: Any = None
    v6_iran_draft: Any = None
    v6_tajik_nil: Any = None
    # issue 17 v3: the reporting objects (see the end of build()).
    v3: dict = field(default_factory=dict)
    # issue 17 v1: action plans by name (approved, draft, swg), and the
    # adopted initiative with none yet ("fresh").
    plans: dict = field(default_factory=dict)
    plan_initiatives: dict = field(default_factory=dict)
    # Issue 17 v2: the activities register's objects, by name.
    v2: dict = field(default_factory=dict)

    def __getattr__(self, name):  # s.main, s.draft ... for the initiatives
        initiatives = self.__dict__.get("initiatives", {})
        if name in initiatives:
            return initiatives[name]
        raise AttributeError(name)


def _states(*codes):
    return [Participant.objects.get(code=code) for code in codes]


def build() -> Scenario:
    User = get_user_model()
    s = Scenario()
    s.users = {role: User.objects.get(username=name) for role, name in USERNAMES.items() if name}
    sec, chair = s.users["sec"], s.users["chair"]
    irn, tjk, chn = s.users["concerned"], s.users["coord"], s.users["other"]
    TJK, CHN = _states("TJK", "CHN")
    today = s.today
    soon = today + datetime.timedelta(days=14)
    yesterday = today - datetime.timedelta(days=1)

    # Registered first, so that the status changes below leave deliveries behind.
    s.webhook = WebhookSubscription.objects.create(
        name="Matrix client", url="https://client.example/hook", secret=WEBHOOK_SECRET
    )

    def declared(code, modality="a"):
        initiative, _created = measure_services.initiative_declare_interest(
            actor=irn,
            measure=Measure.objects.get(code=code),
            statement=STATEMENT if code == "ECO-5" else "",
            modality=modality,
        )
        return initiative

    def drafting(code):
        initiative = declared(code)
        measure_services.initiative_open_consultation(actor=chair, initiative=initiative)
        measure_services.initiative_designate_coordinators(
            actor=chair, initiative=initiative, designations=[(TJK, "coordinator")]
        )
        return initiative

    def circulated(code, audience="members", name="concept-paper.pdf"):
        initiative = drafting(code)
        measure_services.initiative_submit_paper(
            actor=tjk, initiative=initiative, file=pdf(name), language="en"
        )
        initiative_actions.initiative_circulate(
            actor=sec, initiative=initiative, deadline=soon, audience=audience
        )
        return initiative, initiative.circulations.get()

    def time_passes(circulation):
        # No service moves the calendar: the comment deadline passes.
        Circulation.objects.filter(pk=circulation.pk).update(deadline=yesterday)

    s.initiatives["declared"] = declared("ECO-6")
    s.initiatives["consult"] = declared("ECO-7")
    measure_services.initiative_open_consultation(actor=chair, initiative=s.consult)

    s.initiatives["draft"] = drafting("ECO-8")
    measure_services.initiative_submit_paper(
        actor=tjk, initiative=s.draft, file=pdf(DRAFT_NAME), language="en"
    )
    s.draft_paper = s.draft.papers.get()

    s.initiatives["main"], s.main_circulation = circulated("ECO-5")
    s.circulated_paper = s.main.papers.get()
    secretariat_services.receipt_answer(
        actor=irn, circulation=s.main_circulation, position="comment", text="Noted."
    )

    s.initiatives["circ"], s.observers_circulation = circulated(
        "ENV-1", audience="members_and_observers"
    )
    secretariat_services.receipt_answer(
        actor=irn, circulation=s.observers_circulation, position="comment", text=POSITION
    )
    time_passes(s.observers_circulation)

    present = _states("IRN", "TJK", "CHN", "KAZ")
    s.swg_meeting = secretariat_services.meeting_create(
        actor=sec, body="swg", date=yesterday, present=present
    )
    s.soc_meeting = secretariat_services.meeting_create(
        actor=sec, body="soc", date=yesterday, present=present
    )

    s.initiatives["swg"], swg_circulation = circulated("ENV-2")
    time_passes(swg_circulation)
    initiative_actions.initiative_refer_to_swg(actor=sec, initiative=s.swg)
    initiative_actions.initiative_record_decision(
        actor=sec,
        initiative=s.swg,
        body="swg",
        meeting=s.swg_meeting,
        outcome="no_consensus",
        objecting=[CHN],
    )
    s.no_consensus = s.swg.decisions.get()
    # No consensus sends the paper back to its coordinator (issue 13 item 3): the
    # revised version goes round again and is before the SWG once more.
    measure_services.initiative_submit_paper(
        actor=tjk, initiative=s.swg, file=pdf("revised-paper.pdf"), language="en"
    )
    initiative_actions.initiative_circulate(actor=sec, initiative=s.swg, deadline=soon)
    time_passes(s.swg.circulations.order_by("-pk").first())
    initiative_actions.initiative_refer_to_swg(actor=sec, initiative=s.swg)

    s.initiatives["soc"], soc_circulation = circulated("ENV-4")
    time_passes(soc_circulation)
    initiative_actions.initiative_refer_to_swg(actor=sec, initiative=s.soc)
    initiative_actions.initiative_record_decision(
        actor=sec, initiative=s.soc, body="swg", meeting=s.swg_meeting, outcome="approved"
    )

    # Modality (b): Tajikistan's expert at a specialised meeting on ECO-1.
    s.initiatives["b"] = declared("ECO-1", modality="b")
    s.expert = measure_services.expert_designate(
        actor=tjk,
        measure=Measure.objects.get(code="ECO-1"),
        name="Dr Matrix",
        contact=EXPERT_CONTACT,
        started_on=yesterday,
    )
    s.specialised_meeting = secretariat_services.meeting_create(
        actor=sec,
        body="specialised",
        date=today,
        measure=Measure.objects.get(code="ECO-1"),
        host=Participant.objects.get(code="JPN"),
        experts=[s.expert],
    )

    # The information exchange.
    s.private_information = secretariat_services.information_submit(
        actor=irn,
        title=PRIVATE_TITLE,
        text="Measures taken by Iran.",
        kind="measures_taken",
        language="en",
        visibility="members",
        measures=[Measure.objects.get(code="ECO-5")],
        co_submitters=[TJK],
        attachments=[pdf("iran-information.pdf")],
    )
    s.attachment = s.private_information.attachments.get()
    s.public_information = secretariat_services.information_submit(
        actor=chn,
        title="China's public information",
        text="Views of China.",
        kind="views",
        language="en",
        visibility="public",
        measures=[Measure.objects.get(code="ECO-5")],
    )
    secretariat_services.information_disseminate(actor=sec, submission=s.public_information)

    # Unread: the notices of a circulation Iran answered are already cleared.
    s.notification = (
        Notification.objects.filter(recipient=irn, read_at__isnull=True).order_by("pk").first()
    )
    assert s.notification is not None, "the circulations notify Iran's delegate"

    s.token, s.token_key = api_token_issue(user=chn, name="status poller")
    # One row of each sign-in record (django-axes keeps them; no service of ours).
    seen = {"user_agent": "test", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        username="delegate-usa",
        ip_address="10.0.0.9",
        get_data="",
        post_data="",
        failures_since_start=2,
        **seen,
    )
    AccessLog.objects.create(username="delegate-irn", ip_address="10.0.0.8", **seen)
    AccessFailureLog.objects.create(username="delegate-usa", ip_address="10.0.0.9", **seen)
    s.chairmanship_id = Chairmanship.objects.order_by("pk").values_list("pk", flat=True)[0]
    s.offer_id = CoordinatorOffer.objects.order_by("pk").values_list("pk", flat=True)[0]
    _beat_schedules()
    for initiative in s.initiatives.values():
        initiative.refresh_from_db()
    _v3_reporting(s)
    _v6_reporting(s)
    _issue17_v5_report(s)
    _v2_activities(s)

    # --- issue 17 v4: a reporting cycle for the participation table -----------------
    # Any cycle will do (another part's block may have opened one already).
    from implementation.models import ReportingCycle  # noqa: PLC0415
    from implementation.services.reporting import cycle_open  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415

    cycle = ReportingCycle.objects.order_by("year").first() or cycle_open(
        actor=sec,
        year=today.year,
        due_on=today + datetime.timedelta(days=30),
        areas=[PriorityArea.objects.get(code="ECO")],
    )
    s.participation_cycle = cycle  # type: ignore[attr-defined]
    # --- end of issue 17 v4 ---------------------------------------------------------

    # --- issue 17 v1: action plans ----------------------------------------------------
    # Four measures adopted through the services, Tajikistan coordinating:
    # NCT-3's plan in force (approved by the SWG and the SOC), ENV-5's a
    # draft, NCT-1's before the SWG; NCT-4 adopted with no plan yet.
    from implementation.services import plans as plan_services  # noqa: PLC0415

    def adopted(code):
        initiative, circulation = circulated(code)
        time_passes(circulation)
        initiative_actions.initiative_refer_to_swg(actor=sec, initiative=initiative)
        for body, meeting in (("swg", s.swg_meeting), ("soc", s.soc_meeting)):
            initiative_actions.initiative_record_decision(
                actor=sec, initiative=initiative, body=body, meeting=meeting, outcome="approved"
            )
        initiative.refresh_from_db()
        return initiative

    for name, code in (("approved", "NCT-3"), ("draft", "ENV-5"), ("swg", "NCT-1")):
        s.plan_initiatives[name] = adopted(code)
        s.plans[name] = plan_services.plan_create(
            actor=tjk,
            initiative=s.plan_initiatives[name],
            starts_in=today.year,
            ends_in=today.year + 2,
            text=f"{PLAN_DRAFT_TEXT} {name}" if name == "draft" else f"Plan {name}.",
            planned=[{"kind": "seminar", "title": "Seminar", "target_year": today.year}],
        )
    s.plans["swg"] = plan_services.plan_submit(actor=tjk, plan=s.plans["swg"])
    s.plans["approved"] = plan_services.plan_submit(actor=tjk, plan=s.plans["approved"])
    for body, meeting in (("swg", s.swg_meeting), ("soc", s.soc_meeting)):
        s.plans["approved"] = plan_services.plan_record_decision(
            actor=sec, plan=s.plans["approved"], body=body, meeting=meeting, outcome="approved"
        )
    s.plan_initiatives["fresh"] = adopted("NCT-4")
    # --- end of issue 17 v1 -----------------------------------------------------------
    return s


# --- issue 17 v6: the delegate's reporting pages -----------------------------------------
# A cycle covering ECO (a year no other part uses), Iran's draft national
# report, Tajikistan's nil return (public) and — ECO-3 adopted with an
# approved action plan, Tajikistan its coordinator — its progress report owed.
V6_YEAR = 2040
V6_IRAN_DRAFT = "Iran-draft-return-v6-5d1c"


def _v6_reporting(s: Scenario) -> None:
    from implementation.models import ActionPlan, ReportingCycle  # noqa: PLC0415
    from implementation.services import reporting  # noqa: PLC0415
    from measures.models import CoordinatorDesignation, PriorityArea  # noqa: PLC0415

    sec, irn, tjk = s.users["sec"], s.users["concerned"], s.users["coord"]
    IRN, TJK = _states("IRN", "TJK")
    eco = PriorityArea.objects.get(code="ECO")
    cycle = ReportingCycle.objects.filter(year=V6_YEAR).first() or reporting.cycle_open(
        actor=sec, year=V6_YEAR, due_on=datetime.date(V6_YEAR + 1, 3, 1), areas=[eco]
    )
    cycle.areas.add(eco)
    s.v6_cycle = cycle
    s.v6_iran_draft = reporting.return_save(
        actor=irn,
        cycle=cycle,
        participant=IRN,
        kind="national_report",
        area=eco,
        text=V6_IRAN_DRAFT,
        visibility="public",
    )
    s.v6_tajik_nil = reporting.return_nil(actor=tjk, cycle=cycle, participant=TJK, area=eco)
    eco3 = Measure.objects.get(code="ECO-3")
    # The seed's initiative on ECO-3, adopted (no service moves it there in one step).
    adopted = Initiative.objects.get(measure=eco3)
    Initiative.objects.filter(pk=adopted.pk).update(status="adopted")
    CoordinatorDesignation.objects.create(
        initiative=adopted, participant=TJK, role="coordinator", started_on=s.today
    )
    ActionPlan.objects.create(
        initiative=adopted,
        measure=eco3,
        number=1,
        symbol="CICA/AP/ECO-3/1",
        starts_in=V6_YEAR,
        ends_in=V6_YEAR + 2,
        status="approved",
    )


# --- issue 17 v5: the consolidated report ----------------------------------------------
V5_REPORT_SECRET = "Iran-secretariat-only-report-v5-3f1a"


def _issue17_v5_report(s: Scenario) -> None:
    """A 2027 cycle on the economic dimension (the one another part opened, if
    any) with Iran's national report for the secretariat's eyes only: Iran
    and the secretariat find it in the consolidated report, nobody else."""
    from implementation.models import ReportingCycle, ReturnKind, Visibility  # noqa: PLC0415
    from implementation.services import reporting  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415

    eco = PriorityArea.objects.get(code="ECO")
    cycle = ReportingCycle.objects.filter(year=2027).first() or reporting.cycle_open(
        actor=s.users["sec"], year=2027, due_on=datetime.date(2027, 3, 31), areas=[eco]
    )
    cycle.areas.add(eco)
    ret = reporting.return_save(
        actor=s.users["concerned"],
        cycle=cycle,
        participant=Participant.objects.get(code="IRN"),
        kind=ReturnKind.NATIONAL_REPORT,
        area=eco,
        text=V5_REPORT_SECRET,
        visibility=Visibility.SECRETARIAT,
    )
    reporting.return_submit(actor=s.users["concerned"], ret=ret)


# --- end issue 17 v5 -----------------------------------------------------------------


# --- issue 17 v3: annual reporting ---------------------------------------------------
# A cycle for next year on ECO and HUM; Iran (concerned) has a draft report on
# ECO (RETURN_DRAFT_TEXT: Iran's and the secretariat's only) and a submitted
# report on HUM for members and observers, with an attachment.
RETURN_DRAFT_TEXT = "Iran-draft-return-6d1f"


def _v3_reporting(s: Scenario) -> None:
    from implementation.services import reporting  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415

    sec, irn = s.users["sec"], s.users["concerned"]
    IRN = Participant.objects.get(code="IRN")
    eco, hum = PriorityArea.objects.get(code="ECO"), PriorityArea.objects.get(code="HUM")
    year = s.today.year + 3  # next year is the consolidated report block's, +2 the POST case's
    cycle = reporting.cycle_open(
        actor=sec, year=year, due_on=datetime.date(year, 12, 31), areas=[eco, hum]
    )
    draft = reporting.return_save(
        actor=irn,
        cycle=cycle,
        participant=IRN,
        kind="national_report",
        area=eco,
        text=RETURN_DRAFT_TEXT,
        visibility="public",
    )
    submitted = reporting.return_save(
        actor=irn,
        cycle=cycle,
        participant=IRN,
        kind="national_report",
        area=hum,
        text="Iran's report on HUM.",
        visibility="members_and_observers",
    )
    attachment = reporting.return_attach(actor=irn, ret=submitted, file=pdf("iran-return.pdf"))
    submitted = reporting.return_submit(actor=irn, ret=submitted)
    s.v3.update(cycle=cycle, draft=draft, submitted=submitted, attachment=attachment)


def _v2_activities(s: Scenario) -> None:
    """HUM-2 adopted, Tajikistan coordinating; three activities hosted by
    Iran (the state concerned): public, for members and observers, and for
    the secretariat only (with a document)."""
    from implementation.services.activities import (  # noqa: PLC0415
        activity_create,
        activity_document_add,
    )
    from measures.models import CoordinatorDesignation  # noqa: PLC0415

    measure = Measure.objects.get(code="HUM-2")
    initiative = Initiative.objects.create(measure=measure, status="adopted")
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=s.today,
    )
    s.v2["measure"] = measure
    s.v2["irn"] = Participant.objects.get(code="IRN")
    starts = s.today + datetime.timedelta(days=30)
    for visibility, title in (
        ("public", "Public seminar on tolerance"),
        ("members_and_observers", "Members' workshop on tolerance"),
        ("secretariat", V2_PRIVATE_TITLE),
    ):
        s.v2[visibility] = activity_create(
            actor=s.users["sec"],
            measure=measure,
            kind="seminar",
            host=s.v2["irn"],
            starts_on=starts,
            ends_on=starts,
            title_en=title,
            venue="Tehran",
            time_zone="Asia/Tehran",
            visibility=visibility,
        )
    s.v2["document"] = activity_document_add(
        actor=s.users["sec"],
        activity=s.v2["secretariat"],
        kind="programme",
        file=pdf("programme.pdf"),
    )


def _beat_schedules():
    """One row per django-celery-beat model, so that each admin change page exists."""
    interval, _created = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    ClockedSchedule.objects.get_or_create(clocked_time=timezone.now())
    CrontabSchedule.objects.get_or_create(minute="0", hour="6")
    SolarSchedule.objects.get_or_create(event="sunrise", latitude=43.24, longitude=76.89)
    PeriodicTask.objects.get_or_create(
        name="matrix: every minute", defaults={"task": "cica.tasks.noop", "interval": interval}
    )
