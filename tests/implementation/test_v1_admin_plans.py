"""The secretariat's admin of action plans (issue 17, v1): read-only records,
submit and amend through the services, CSV and XLSX exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from implementation.models import ActionPlan
from implementation.services.plans import plan_create, plan_record_decision, plan_submit
from members.models import Participant
from secretariat.services import meeting_create
from tests.conftest import DEMO_PASSWORD
from tests.scenarios import eco4_adopted
from tests.test_exports import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(people):
    return plan_create(
        actor=people["delegate-tjk"],
        initiative=eco4_adopted(people),
        starts_in=2027,
        ends_in=2028,
        planned=[{"kind": "seminar", "title": "Seminar", "target_year": 2027}],
    )


def test_the_admin_submits_and_amends_through_the_services(client, people, plan):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    changelist = "/admin/implementation/actionplan/"
    page = client.get(f"{changelist}{plan.pk}/change/")
    assert page.status_code == 200
    assert b"Seminar" in page.content
    client.post(changelist, {"action": "submit_plans", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert plan.status == "swg_review"
    assert plan.events.order_by("-pk")[0].actor == people.secretariat
    # Not in force: the amendment is refused, with the reason, and nothing written.
    answer = client.post(
        changelist, {"action": "amend_plans", "_selected_action": [plan.pk]}, follow=True
    )
    assert "not possible now" in answer.content.decode()
    assert ActionPlan.objects.count() == 1
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    present = list(Participant.objects.filter(code__in=["TJK", "KAZ"]))
    for body in ("swg", "soc"):
        meeting = meeting_create(
            actor=people.secretariat, body=body, date=yesterday, present=present
        )
        plan = plan_record_decision(
            actor=people.secretariat, plan=plan, body=body, meeting=meeting, outcome="approved"
        )
    client.post(changelist, {"action": "amend_plans", "_selected_action": [plan.pk]})
    assert ActionPlan.objects.get(number=2).amends == plan
    assert client.get(f"{changelist}add/").status_code == 403


def test_plans_export_as_csv_and_xlsx(client, people, plan):
    plan_submit(actor=people["delegate-tjk"], plan=plan)
    client.login(username="secretariat", password=DEMO_PASSWORD)
    answer = export(client, "implementation/actionplan", "0")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Symbol", "Measure", "Initiative"]
    assert rows[1][0] == "CICA/AP/ECO-4/1"
    assert "TJK (Coordinator)" in rows[1]
    xlsx = export(client, "implementation/actionplan", "1")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.title == "Action plans"
    assert sheet["A2"].value == "CICA/AP/ECO-4/1"


def test_the_chairs_office_reads_plans_but_does_not_export(client, plan):
    client.login(username="chair", password=DEMO_PASSWORD)
    assert client.get("/admin/implementation/actionplan/").status_code == 200
    assert client.get("/admin/implementation/actionplan/export/").status_code == 403
