"""Every list endpoint and the main pages answer in a number of queries that
does not grow with the page size or the data (issue 8, must show 2): an N+1
makes these fail."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from implementation.models import ActionPlan
from implementation.services.plans import plan_create
from measures.models import CoordinatorDesignation, Expert, Initiative, Measure
from measures.services import initiative_submit_paper
from members.models import Participant
from members.services import api_token_issue
from secretariat.models import Meeting
from secretariat.services import (
    information_disseminate,
    information_submit,
    initiative_circulate,
    initiative_record_decision,
    meeting_create,
    receipt_answer,
)
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf

pytestmark = pytest.mark.django_db


def api_list_routes():
    resolver = get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            names += [
                p.name
                for p in pattern.url_patterns
                if isinstance(p, URLPattern) and p.name and p.name.endswith("-list")
            ]
    return sorted(set(names))


def test_the_list_routes_are_all_covered():
    assert set(api_list_routes()) == {
        "api-token-list",
        "area-list",
        "chairmanship-list",
        "circulation-list",
        "coordinator-offer-list",
        "decision-list",
        "expert-list",
        "information-list",
        "initiative-list",
        "meeting-list",
        "measure-list",
        "notification-list",
        "participant-list",
        # issue 17 v3: annual reporting.
        "reporting-cycle-list",
        "return-list",
        "action-plan-list",  # issue 17 v1
        "activity-list",  # issue 17 v2
    }


@pytest.fixture
def plenty(people):
    """Several rows of everything, so that a page of 1 and a page of 100 differ."""
    add_batch(people, ("HUM-1", "HUM-2", "HUM-3"))
    for username in ("delegate-kaz", "delegate-kaz", "delegate-kaz", "secretariat"):
        api_token_issue(user=people[username], name="query bounds")
    _v3_reporting(people)
    add_plans(people, ("NCT-3", "NCT-4", "NCT-5"))
    add_activities()


def add_activities():
    """Issue 17 v2: activities under ECO-4, one of each visibility and two more."""
    from tests.implementation.v2_setup import an_activity, eco4_adopted  # noqa: PLC0415

    eco4_adopted()
    for n, visibility in enumerate(
        ("public", "members_and_observers", "secretariat", "public", "public")
    ):
        an_activity(visibility=visibility, title=f"Seminar {n}", days=30 + n)


def add_plans(people, codes):
    """Issue 17 v1: an action plan per measure, in force but the last (a draft)."""
    for n, code in enumerate(codes):
        initiative = Initiative.objects.create(
            measure=Measure.objects.get(code=code), status="adopted"
        )
        CoordinatorDesignation.objects.create(
            initiative=initiative,
            role="coordinator",
            participant=Participant.objects.get(code="KAZ"),
            started_on=timezone.localdate(),
        )
        plan = plan_create(
            actor=people.secretariat,
            initiative=initiative,
            starts_in=2027,
            ends_in=2028,
            planned=[{"kind": "seminar", "title": "Seminar", "target_year": 2027}],
        )
        if n < len(codes) - 1:
            ActionPlan.objects.filter(pk=plan.pk).update(status="approved")  # set-up only


def add_batch(people, codes):
    today = timezone.localdate()
    secretariat = people.secretariat
    for code in codes:
        initiative = Initiative.objects.create(
            measure=Measure.objects.get(code=code), status="drafting"
        )
        CoordinatorDesignation.objects.create(
            initiative=initiative,
            role="coordinator",
            participant=Participant.objects.get(code="MNG"),
            started_on=today,
        )
        initiative_submit_paper(
            actor=people["delegate-mng"], initiative=initiative, file=pdf(), language="en"
        )
        initiative_circulate(
            actor=secretariat, initiative=initiative, deadline=today + datetime.timedelta(days=3)
        )
    for day in range(len(codes)):
        meeting_create(
            actor=secretariat,
            body="swg",
            date=today - datetime.timedelta(days=day),
            present=Participant.objects.filter(code__in=["KAZ", "MNG", "CHN"]),
        )
    for n in range(len(codes)):
        Expert.objects.create(
            participant=Participant.objects.get(code="KOR"),
            measure=Measure.objects.get(code="ECO-9"),
            name=f"Expert {n}",
            started_on=today,
        )
        submission = information_submit(
            actor=people["delegate-kaz"],
            title=f"Info {n}",
            text="text",
            kind="views",
            language="en",
            visibility="public",
            measures=[Measure.objects.get(code="NCT-1")],
        )
        information_disseminate(actor=secretariat, submission=submission)
    for initiative in Initiative.objects.filter(status="circulated", measure__code__in=codes):
        circulation = initiative.circulations.get()
        for state in Participant.objects.with_status_in("member"):
            receipt_answer(
                actor=people[f"delegate-{state.code.lower()}"],
                circulation=circulation,
                position="support",
            )
        Initiative.objects.filter(pk=initiative.pk).update(status="swg_review")
        initiative_record_decision(
            actor=secretariat,
            initiative=initiative,
            body="swg",
            meeting=Meeting.objects.first(),
            outcome="no_consensus",
            objecting=[Participant.objects.get(code="CHN")],
        )


def _v3_reporting(people):
    """issue 17 v3: two cycles, and returns of several states in each."""
    from implementation.services.reporting import cycle_open, return_nil  # noqa: PLC0415
    from measures.models import PriorityArea  # noqa: PLC0415

    eco = PriorityArea.objects.get(code="ECO")
    for year in (2027, 2028):
        cycle = cycle_open(
            actor=people.secretariat,
            year=year,
            due_on=datetime.date(year, 12, 31),
            areas=[eco],
            measures=[Measure.objects.get(code="HUM-1")],
        )
        for code in ("KAZ", "CHN", "IND"):
            return_nil(
                actor=people[f"delegate-{code.lower()}"],
                cycle=cycle,
                participant=Participant.objects.get(code=code),
                area=eco,
            )


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx)


@pytest.mark.parametrize("username", ["", "delegate-kaz", "secretariat"])
@pytest.mark.parametrize("route", api_list_routes())
def test_api_lists_do_not_grow_with_the_page(plenty, people, route, username):
    client = APIClient()
    if username:
        client.force_authenticate(people[username])
    url = reverse(f"api:{route}")
    client.get(f"{url}?page_size=10")  # warm what is cached per user
    small_status, small = count(client, f"{url}?page_size=10")
    if small_status != 200:
        assert small_status in (401, 403)
        return
    body = client.get(f"{url}?page_size=100").json()
    rows = body.get("count", len(body["results"]))
    assert rows >= 2 or route in ("chairmanship-list",), route
    _status, large = count(client, f"{url}?page_size=100")
    assert large == small, f"{route}: {small} queries for a page of 10, {large} for {rows}"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/catalogue/",
        "/catalogue/HUM-1/",
        "/circulations/",
        "/information/",
        "/experts/",
        "/notifications/",
        "/admin/dashboard/",
        "/admin/report/",
    ],
)
def test_pages_do_not_grow_with_the_data(client, people, url):
    client.login(
        username="secretariat" if url.startswith("/admin") else "delegate-kaz",
        password=DEMO_PASSWORD,
    )
    add_batch(people, ("HUM-1", "HUM-2"))
    client.get(url)
    status, before = count(client, url)
    assert status == 200
    add_batch(people, ("HUM-3", "HUM-4", "HUM-5", "HUM-6"))
    _status, after = count(client, url)
    assert after == before, f"{url}: {before} queries, then {after} with twice the data"
