"""Issue 18 target 5: the secretariat's dashboard (/admin/dashboard/) in at
most ten queries for the whole request — session, user, roles, the admin's
sidebar, the figures, both charts — and as many with much more data:
initiatives in every status, decisions, circulations with receipts, reporting
cycles with returns. The page shows what it showed before (pinned against the
previous implementation, tests/dashboard_before18.py)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import secretariat.admin_views
from implementation.models import ReturnKind
from implementation.services.reporting import cycle_open, return_nil, return_save, return_submit
from measures.models import CoordinatorDesignation, Initiative, InterestDeclaration, Measure
from measures.services import initiative_submit_paper
from measures.workflow import OPEN_STATUSES, Status
from members.models import Participant
from secretariat import selectors
from secretariat.models import Circulation, Receipt
from secretariat.services import initiative_circulate, receipt_answer
from tests import dashboard_before18 as before
from tests.files import pdf
from tests.implementation.scenarios17 import at_noon, cycle_2027_with_returns
from tests.test_query_bounds import _v3_reporting, add_batch

pytestmark = pytest.mark.django_db

BOUND = 10


def dashboard_queries(client) -> tuple[int, list[str]]:
    client.get("/admin/dashboard/")  # warm what is cached per process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    return len(ctx), [q["sql"] for q in ctx.captured_queries]


def initiatives_in_every_status(n: int) -> None:
    """``n`` more initiatives in each status, with declarations of interest
    and coordinators (some ended), spread over the areas. One open initiative
    per measure and modality: an open status goes to a measure without one."""
    states = list(Participant.objects.with_status_in("member").order_by("code")[:6])
    measures = list(Measure.objects.order_by("pk"))
    for i, status in enumerate(Status):
        for k in range(n):
            modality = "ab"[k % 2]
            if status.value in OPEN_STATUSES:
                taken = Initiative.objects.filter(status__in=OPEN_STATUSES, modality=modality)
                measure = (
                    Measure.objects.exclude(pk__in=taken.values("measure")).order_by("-pk").first()
                )
            else:
                measure = measures[(7 * i + 3 * k) % len(measures)]
            assert measure is not None
            sequence = (measure.initiatives.aggregate(m=Max("sequence"))["m"] or 0) + 1
            initiative = Initiative.objects.create(
                measure=measure, status=status.value, sequence=sequence, modality=modality
            )
            for state in states[: 1 + k % 4]:
                InterestDeclaration.objects.create(
                    initiative=initiative, participant=state, declared_on=datetime.date(2026, 5, 1)
                )
            CoordinatorDesignation.objects.create(
                initiative=initiative,
                participant=states[k % len(states)],
                role="coordinator",
                started_on=datetime.date(2026, 5, 1),
                ended_on=datetime.date(2026, 9, 1) if k % 3 == 0 else None,
            )


def overdue_circulation(people) -> Circulation:
    """A paper circulated three weeks ago, due a week ago, still circulated:
    some states answered before the deadline, one after, the rest not."""
    today = timezone.localdate()
    measure = Measure.objects.exclude(initiatives__status__in=OPEN_STATUSES).order_by("pk").first()
    assert measure is not None
    initiative = Initiative.objects.create(
        measure=measure,
        status="drafting",
        sequence=(measure.initiatives.aggregate(m=Max("sequence"))["m"] or 0) + 1,
    )
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="MNG"),
        role="coordinator",
        started_on=today - datetime.timedelta(days=30),
    )
    with time_machine.travel(at_noon(today - datetime.timedelta(days=21)), tick=False):
        initiative_submit_paper(
            actor=people["delegate-mng"], initiative=initiative, file=pdf(), language="en"
        )
        initiative_circulate(
            actor=people.secretariat,
            initiative=initiative,
            deadline=today - datetime.timedelta(days=7),
        )
        circulation = initiative.circulations.get()
        for state in ("KAZ", "CHN"):
            receipt_answer(
                actor=people[f"delegate-{state.lower()}"],
                circulation=circulation,
                position="support",
            )
    with time_machine.travel(at_noon(today - datetime.timedelta(days=8)), tick=False):
        receipt_answer(actor=people["delegate-ind"], circulation=circulation, position="support")
    # An answer recorded after the deadline (the service refuses one; set-up only).
    Receipt.objects.filter(circulation=circulation, participant__code="IND").update(
        position_at=at_noon(today - datetime.timedelta(days=3))
    )
    return circulation


def more_cycles(people, years: range) -> None:
    """Cycles on areas and on measures, with nil returns and reports, some late."""
    from measures.models import PriorityArea  # noqa: PLC0415

    areas = list(PriorityArea.objects.order_by("order"))
    for n, year in enumerate(years):
        area = areas[n % len(areas)]
        due_on = datetime.date(year + 1, 3, 31)
        measure = Measure.objects.filter(area=areas[(n + 1) % len(areas)]).first()
        assert measure is not None
        with time_machine.travel(at_noon(datetime.date(year + 1, 1, 10)), tick=False):
            cycle = cycle_open(
                actor=people.secretariat, year=year, due_on=due_on, areas=[area], measures=[measure]
            )
        owed = [area, areas[(n + 1) % len(areas)]]
        for k, code in enumerate(("KAZ", "CHN", "IND", "TJK", "AZE")[: 2 + n % 4]):
            delegate = people[f"delegate-{code.lower()}"]
            state = Participant.objects.get(code=code)
            day = due_on + datetime.timedelta(days=10) if k == 1 else due_on
            for owed_area in owed[: 1 + k % 2]:
                with time_machine.travel(at_noon(day), tick=False):
                    if k % 3 == 2:
                        draft = return_save(
                            actor=delegate,
                            cycle=cycle,
                            participant=state,
                            kind=ReturnKind.NATIONAL_REPORT,
                            area=owed_area,
                            text=f"{code}'s report for {year}.",
                        )
                        return_submit(actor=delegate, ret=draft)
                    else:
                        return_nil(actor=delegate, cycle=cycle, participant=state, area=owed_area)


def small(people) -> None:
    add_batch(people, ("HUM-1", "HUM-2"))
    _v3_reporting(people)


def much_more(people) -> None:
    add_batch(people, ("HUM-3", "HUM-4", "HUM-6"))
    overdue_circulation(people)
    initiatives_in_every_status(3)
    cycle_2027_with_returns_if_missing()
    more_cycles(people, range(2029, 2034))


def cycle_2027_with_returns_if_missing() -> None:
    from implementation.models import ReportingCycle  # noqa: PLC0415

    if not ReportingCycle.objects.filter(year=2027).exists():
        cycle_2027_with_returns()


@pytest.mark.parametrize("username", ["secretariat", "chair"])
def test_the_dashboard_takes_ten_queries_whatever_the_data(client, people, username):
    client.force_login(people[username])
    small(people)
    few, few_sql = dashboard_queries(client)
    much_more(people)
    assert Circulation.objects.count() > 6
    many, many_sql = dashboard_queries(client)
    listing = "\n".join(many_sql)
    assert few <= BOUND, f"{few} queries:\n" + "\n".join(few_sql)
    assert many == few, f"{few} queries, then {many} with much more data:\n{listing}"


def test_the_admin_sidebar_and_roles_cost_no_more_than_one_query(client, people):
    """Session and user (one each), then the user's groups and permissions
    together in one: nothing more before the dashboard's own reads."""
    client.force_login(people.secretariat)
    _n, sql = dashboard_queries(client)
    auth = [s for s in sql if re.search(r'FROM "(auth_|django_session)', s)]
    assert len(auth) <= 3, "\n".join(auth)


# --- the same page as before --------------------------------------------------------


def rich(people) -> None:
    small(people)
    much_more(people)


def _previous(monkeypatch) -> None:
    """The view reads through the previous implementation (frozen copy)."""
    monkeypatch.setattr(selectors, "dashboard_figures", before.dashboard_figures)
    monkeypatch.setattr(selectors, "dashboard_chart", before.dashboard_chart)
    monkeypatch.setattr(
        secretariat.admin_views, "participation_across_years", before.participation_across_years
    )
    monkeypatch.setattr(secretariat.admin_views, "load_roles", lambda user: None)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, language: str) -> str:
    response = client.get("/admin/dashboard/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return CSRF.sub("csrf", response.content.decode())


@pytest.mark.parametrize("username", ["secretariat", "chair"])
def test_the_page_is_byte_equal_to_the_previous_one(client, people, username, monkeypatch):
    rich(people)
    client.force_login(people[username])
    now = {language: _page(client, language) for language in ("en", "fr", "ru")}
    with monkeypatch.context() as m:
        _previous(m)
        then = {language: _page(client, language) for language in ("en", "fr", "ru")}
    for language in now:
        assert now[language] == then[language], language
    html = now["en"]
    assert 'id="participation-chart"' in html
    assert html.count('<tr data-year="') >= 7
    assert '<table id="overdue">' in html


def test_the_figures_equal_the_previous_ones(people):
    rich(people)
    figures = selectors.dashboard_figures()
    old = before.dashboard_figures()
    for key in ("today", "by_area_status", "statuses", "totals"):
        assert figures[key] == old[key], key
    assert sum(n for row in old["by_area_status"].values() for n in row.values()) > 20
    assert {row["status"] for row in Initiative.objects.values("status")} == set(Status.values)

    def rows(items, *names):
        return [tuple([item.pk, *(getattr(item, n) for n in names)]) for item in items]

    circulated = ("deadline", "addressed", "answered", "rate", "missing", "reference")
    assert rows(figures["open_circulations"], *circulated) == rows(
        old["open_circulations"], *circulated
    )
    assert rows(figures["overdue"], *circulated) == rows(old["overdue"], *circulated)
    assert old["overdue"]
    assert len(old["open_circulations"]) > 3
    assert [d.pk for d in figures["decisions"]] == [d.pk for d in old["decisions"]]
    counted = ("code", "n_declarations", "n_coordinations", "n_addressed", "n_answered", "on_time")
    assert rows(figures["participation"], *counted) == rows(old["participation"], *counted)
    assert any(p.on_time for p in old["participation"])
    assert any(p.n_answered > p.on_time for p in old["participation"])

    assert selectors.dashboard_chart(figures) == before.dashboard_chart(old)

    from implementation.participation import participation_across_years  # noqa: PLC0415

    points = participation_across_years()
    assert points == before.participation_across_years()
    assert len(points) >= 7
    assert any(p.late for p in points)
    assert any(p.reports for p in points)


@pytest.mark.parametrize("username", ["secretariat", "chair", "delegate-kaz", "direct", "root"])
def test_roles_read_in_one_query_are_the_backends(people, username, django_assert_num_queries):
    """load_roles fills what ModelBackend and the roles would read, for a
    user with groups, with permissions of its own, and a superuser."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    from members.rules import _groups, is_chair_office, is_secretariat, load_roles  # noqa: PLC0415

    User = get_user_model()
    if username == "direct":
        user = User.objects.create_user("direct", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_")[:5])
        user.groups.add(*people.secretariat.groups.all())
    elif username == "root":
        User.objects.create_superuser("root", "root@example.org", "x")
    pk = User.objects.get(username=username).pk

    fresh = User.objects.get(pk=pk)
    expected = (
        _groups(fresh),
        fresh.get_user_permissions(),
        fresh.get_group_permissions(),
        fresh.get_all_permissions(),
        is_secretariat(fresh),
        is_chair_office(fresh),
    )
    user = User.objects.get(pk=pk)
    with django_assert_num_queries(1):
        load_roles(user)
        load_roles(user)
        if not user.is_superuser:
            got = (
                _groups(user),
                user.get_user_permissions(),
                user.get_group_permissions(),
                user.get_all_permissions(),
                is_secretariat(user),
                is_chair_office(user),
            )
            assert got == expected
            assert any(expected[:4]) or username.startswith("delegate")


def test_the_status_report_is_the_same_without_the_roles_read_first(client, people, monkeypatch):
    client.force_login(people.chair)
    response = client.get("/admin/report/")
    assert response.status_code == 200
    now = CSRF.sub("csrf", response.content.decode())
    monkeypatch.setattr(secretariat.admin_views, "load_roles", lambda user: None)
    then = CSRF.sub("csrf", client.get("/admin/report/").content.decode())
    assert now == then
    assert 'id="nav-sidebar"' in now
