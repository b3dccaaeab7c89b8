"""Issue 17 item 4: the dashboard's chart of the response rate across years,
drawn server-side (SVG with a table of the same figures), readable: 13 px
labels, colours at least 3:1 against white and against each other."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from implementation.participation import PARTICIPATION_COLOURS
from implementation.services.reporting import cycle_open, return_nil
from measures.models import PriorityArea
from members.models import Participant
from secretariat import selectors
from tests.implementation.scenarios17 import cycle_2027_with_returns
from tests.secretariat.test_issue16_dashboard_chart import contrast

pytestmark = pytest.mark.django_db


def test_the_palette_reads_on_white_and_side_by_side():
    reports, nils = PARTICIPATION_COLOURS["reports"], PARTICIPATION_COLOURS["nils"]
    assert contrast(reports, selectors.CHART_BACKGROUND) >= 3
    assert contrast(nils, selectors.CHART_BACKGROUND) >= 3
    assert contrast(reports, nils) >= 3


def _dashboard(client, people):
    client.force_login(people.secretariat)
    response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_no_cycle_yet(client, people):
    html = _dashboard(client, people)
    assert "No reporting cycle has been opened yet." in html
    assert 'id="participation-chart"' not in html


def test_a_bar_and_a_table_row_per_year(client, people):
    cycle_2027_with_returns()
    eco = PriorityArea.objects.get(code="ECO")
    later = cycle_open(
        actor=people.secretariat, year=2028, due_on=datetime.date(2029, 3, 31), areas=[eco]
    )
    return_nil(
        actor=people["delegate-kaz"],
        cycle=later,
        participant=Participant.objects.get(code="KAZ"),
        area=eco,
    )
    html = _dashboard(client, people)
    assert '<svg id="participation-chart" role="img"' in html
    assert 'data-year="2027" data-series="reports"' in html
    assert 'data-year="2027" data-series="nils"' in html
    assert 'data-year="2028" data-series="nils"' in html
    assert 'data-year="2028" data-series="reports"' not in html
    assert 'class="bar-total" data-year="2027">17%</text>' in html
    row = (
        '<tr data-year="2027"><th scope="row"><a href="/reporting/2027/participation/">2027</a>'
        "</th><td>18</td><td>3</td><td>17%</td><td>2</td><td>1</td><td>1</td></tr>"
    )
    assert row in html
    chart = html[
        html.index('<svg id="participation-chart"') : html.index(
            "</svg>", html.index('<svg id="participation-chart"')
        )
    ]
    sizes = {int(x) for x in re.findall(r'font-size="(\d+)"', chart)}
    assert sizes == {13}


def test_the_dashboard_stays_bounded_with_more_cycles(client, people):
    cycle_2027_with_returns()
    client.force_login(people.secretariat)
    client.get("/admin/dashboard/")
    with CaptureQueriesContext(connection) as before:
        client.get("/admin/dashboard/")
    eco = PriorityArea.objects.get(code="ECO")
    for year in (2030, 2031, 2032):
        cycle = cycle_open(
            actor=people.secretariat, year=year, due_on=datetime.date(year + 1, 3, 31), areas=[eco]
        )
        for code in ("KAZ", "IRN", "CHN"):
            return_nil(
                actor=people[f"delegate-{code.lower()}"],
                cycle=cycle,
                participant=Participant.objects.get(code=code),
                area=eco,
            )
    with CaptureQueriesContext(connection) as after:
        client.get("/admin/dashboard/")
    assert len(after) == len(before)
