"""The secretariat's admin for reporting (issue 17 item 6): a cycle opened
through a form that calls the service, closed by an action, a nil return
filed on a state's behalf; returns read-only, filtered and exported."""

import csv
import io

import pytest

from implementation.models import ReportingCycle, Return, ReturnKind
from implementation.services.reporting import return_nil, return_save
from measures.models import PriorityArea
from secretariat.models import Notification, NotificationKind
from tests.conftest import DEMO_PASSWORD
from tests.implementation.v3_helpers import area, cycle_2027, state
from tests.test_exports import export

pytestmark = pytest.mark.django_db

ADD = "/admin/implementation/reportingcycle/add/"
CYCLES = "/admin/implementation/reportingcycle/"


def _open_form(year="2027"):
    eco = PriorityArea.objects.get(code="ECO").pk
    return {"year": year, "due_on": "2027-12-31", "areas": [eco], "reminder_days": "14"}


def test_the_secretariat_opens_a_cycle_in_the_admin(
    client, people, django_capture_on_commit_callbacks
):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    assert client.get(ADD).status_code == 200
    with django_capture_on_commit_callbacks():
        answer = client.post(ADD, _open_form())
    assert answer.status_code == 302, answer.content[:2000]
    cycle = ReportingCycle.objects.get()
    assert (cycle.symbol, cycle.opened_by) == ("CICA/IMPL/2027", people.secretariat)
    assert [a.code for a in cycle.areas.all()] == ["ECO"]
    # The service's notices, not a bare row.
    assert Notification.objects.filter(kind=NotificationKind.CYCLE_OPENED).exists()
    again = client.post(ADD, _open_form())
    assert again.status_code == 200
    assert "already open" in again.content.decode()
    nothing = client.post(ADD, {**_open_form("2028"), "areas": []})
    assert nothing.status_code == 200
    assert ReportingCycle.objects.count() == 1
    assert client.get(f"{CYCLES}{cycle.pk}/change/").status_code == 200


def test_the_chair_reads_and_cannot_open(client, people):
    cycle_2027(people)
    assert client.login(username="chair", password=DEMO_PASSWORD)
    assert client.get(CYCLES).status_code == 200
    assert client.get(ADD).status_code == 403


def test_close_and_nil_on_behalf_actions(client, people):
    cycle = cycle_2027(people)
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    select = {"_selected_action": [cycle.pk]}
    asked = client.post(CYCLES, {**select, "action": "file_nil_return"})
    assert asked.status_code == 200
    assert b'name="participant"' in asked.content
    filed = client.post(
        CYCLES, {**select, "action": "file_nil_return", "participant": "KGZ", "area": "ECO"}
    )
    assert filed.status_code == 302
    ret = Return.objects.get(participant__code="KGZ")
    assert (ret.kind, ret.status, ret.submitted_by) == (
        ReturnKind.NIL_RETURN,
        "submitted",
        people.secretariat,
    )
    client.post(CYCLES, {**select, "action": "close_cycles"})
    cycle.refresh_from_db()
    assert cycle.closed_at is not None


def test_returns_are_read_filtered_and_exported(client, people):
    cycle = cycle_2027(people)
    return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    return_save(
        actor=people["delegate-aze"],
        cycle=cycle,
        participant=state("AZE"),
        kind=ReturnKind.NATIONAL_REPORT,
        area=area("ECO"),
        text="Draft text.",
    )
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    listing = client.get("/admin/implementation/return/?kind__exact=nil_return&late=no")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    kaz = Return.objects.get(participant__code="KAZ")
    page = client.get(f"/admin/implementation/return/{kaz.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/implementation/return/add/").status_code == 403
    response = export(client, "implementation/return", "0")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted((r["State"], r["Kind"], r["Status"]) for r in rows) == [
        ("AZE", "National implementation report", "Draft"),
        ("KAZ", "Nil return", "Submitted"),
    ]
    xlsx = export(client, "implementation/return", "1")
    assert xlsx.status_code == 200


def test_the_export_is_the_secretariats(client, people):
    assert client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    assert export(client, "implementation/return", "0").status_code == 302
