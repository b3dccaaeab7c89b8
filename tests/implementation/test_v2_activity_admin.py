"""Issue 17 item 2 (v2): the secretariat's admin of the activities — read
only, its actions call the service (a reason asked to cancel), and the
export (CSV, XLSX) with ISO dates."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from implementation.models import ActivityEvent
from tests.conftest import DEMO_PASSWORD
from tests.implementation.v2_setup import an_activity, eco4_adopted
from tests.test_exports import export

pytestmark = pytest.mark.django_db

URL = "/admin/implementation/activity/"


@pytest.fixture
def staff(people):
    eco4_adopted()
    client = Client()
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    return client


def test_list_filters_and_page(staff):
    activity = an_activity()
    page = staff.get(URL + "?status=planned&kind=seminar&visibility=public")
    assert page.status_code == 200
    assert "Seminar on trade facilitation" in page.content.decode()
    change = staff.get(f"{URL}{activity.pk}/change/")
    assert change.status_code == 200
    assert staff.get(URL + "add/").status_code == 403


def test_actions_call_the_service(staff):
    planned = an_activity()
    answer = staff.post(URL, {"action": "confirm", "_selected_action": [planned.pk]})
    assert answer.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "confirmed"
    assert ActivityEvent.objects.filter(activity=planned, to_status="confirmed").exists()
    # Held only once started: refused with the service's message, unchanged.
    staff.post(URL, {"action": "mark_held", "_selected_action": [planned.pk]})
    planned.refresh_from_db()
    assert planned.status == "confirmed"


def test_cancel_asks_for_the_reason(staff):
    activity = an_activity()
    asked = staff.post(URL, {"action": "cancel", "_selected_action": [activity.pk]})
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    activity.refresh_from_db()
    assert activity.status == "planned"
    staff.post(URL, {"action": "cancel", "_selected_action": [activity.pk], "reason": "No host"})
    activity.refresh_from_db()
    assert (activity.status, activity.status_reason) == ("cancelled", "No host")


def test_export_csv_and_xlsx_with_iso_dates(staff):
    activity = an_activity(participants=("AZE", "KAZ"))
    response = export(staff, "implementation/activity", "0")
    assert response.status_code == 200, response.content[:300]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Starts on"] == activity.starts_on.isoformat()
    assert row["Participating states"] == "AZE, KAZ"
    assert row["Participating organisations"] == "UNESCAP; OSCE"
    xlsx = export(staff, "implementation/activity", "1")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.active is not None
    assert workbook.active.title == "Activities"
