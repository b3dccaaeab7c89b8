"""The secretariat's dashboard and report (issue 7, must show 2)."""

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from measures.models import CoordinatorDesignation, Initiative, InterestDeclaration, Measure
from members.models import Participant
from secretariat import services
from secretariat.models import Circulation, Receipt
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(people, drafting, deadline):
    """Some initiatives at several stages, one circulation half answered, one overdue."""
    for code, status in [("HUM-1", "swg_review"), ("NCT-3", "adopted"), ("ENV-2", "drafting")]:
        Initiative.objects.create(measure=Measure.objects.get(code=code), status=status)
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation = Circulation.objects.get(initiative=drafting)
    for code in ("KAZ", "CHN", "IND"):
        services.receipt_answer(
            actor=people[f"delegate-{code.lower()}"], circulation=circulation, position="support"
        )
    return circulation


def test_dashboard_figures_equal_independent_counts(client, busy, deadline):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    figures = response.context["figures"]

    # Initiatives by area and status, counted here in Python from the rows.
    expected = Counter(Initiative.objects.values_list("measure__area__code", "status"))
    shown = Counter(
        {(a, s): n for a, row in figures["by_area_status"].items() for s, n in row.items()}
    )
    assert shown == expected
    for area in ("ECO", "ENV", "HUM", "NCT"):
        total = sum(n for (a, _s), n in expected.items() if a == area)
        assert re.search(rf'data-area="{area}">{total}<', html)
    assert f'id="total-initiatives">{Initiative.objects.count()}<' in html
    assert f'id="total-declarations">{InterestDeclaration.objects.count()}<' in html
    open_designations = CoordinatorDesignation.objects.filter(ended_on__isnull=True).count()
    assert f'id="total-designations">{open_designations}<' in html

    # The open circulation: addressed members and answers, counted independently.
    members = {p.pk for p in Participant.objects.all() if p.status_on() == "member"}
    receipts = [r for r in Receipt.objects.filter(circulation=busy) if r.participant_id in members]
    answered = sum(1 for r in receipts if r.position)
    assert (answered, len(receipts)) == (3, 18)
    assert f'data-answered="{answered}" data-addressed="{len(receipts)}"' in html
    assert "<svg" in html
    assert html.count("<rect") >= 4

    # Per state: declarations, open coordinations, answers.
    table = {p.code: p for p in figures["participation"]}
    for code in ("KAZ", "TJK", "MNG", "CHN"):
        state = Participant.objects.get(code=code)
        assert (
            table[code].n_declarations
            == InterestDeclaration.objects.filter(participant=state).count()
        )
        assert (
            table[code].n_coordinations
            == CoordinatorDesignation.objects.filter(
                participant=state, ended_on__isnull=True
            ).count()
        )
        assert (
            table[code].n_answered
            == Receipt.objects.filter(participant=state).exclude(position="").count()
        )
        assert table[code].on_time == table[code].n_answered

    # After the deadline the circulation is overdue, with 15 members missing.
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        client.login(username="secretariat", password=DEMO_PASSWORD)  # 12-hour session over
        overdue = client.get("/admin/dashboard/").context["figures"]["overdue"]
    assert [(c.reference, c.missing) for c in overdue] == [(busy.reference, 15)]


def test_dashboard_and_report_are_for_staff(client, busy):
    client.login(username="chair", password=DEMO_PASSWORD)
    assert client.get("/admin/dashboard/").status_code == 200
    report = client.get("/admin/report/")
    assert report.status_code == 200
    assert "HUM-5" in report.content.decode()
    client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    assert client.get("/admin/dashboard/").status_code == 302  # to the admin login
    client.logout()
    assert client.get("/admin/report/").status_code == 302


def test_report_rows_per_area(client, busy):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    areas = client.get("/admin/report/").context["areas"]
    assert [len(a["rows"]) for a in areas] == [10, 5, 6, 5]
    hum5 = next(r for a in areas for r in a["rows"] if r["measure"].code == "HUM-5")
    assert hum5["lead"].status == "circulated"
    assert [d.participant.code for d in hum5["coordinators"]] == ["MNG"]
    assert timezone.localdate()
