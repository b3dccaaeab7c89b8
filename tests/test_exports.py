"""Exports from the admin (issue 7, must show 3): CSV and XLSX that open with the
standard readers and hold exactly the expected rows; secretariat only."""

import csv
import io

import openpyxl
import pytest
from django.utils import timezone
from openpyxl.worksheet.worksheet import Worksheet

from measures.models import Expert, Initiative, Measure
from members.models import Participant
from secretariat.models import Receipt
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

EXPORTS = {
    "measures/measure": lambda: set(Measure.objects.values_list("code", flat=True)),
    "measures/initiative": lambda: {
        i.reference for i in Initiative.objects.select_related("measure")
    },
    "secretariat/receipt": lambda: set(Receipt.objects.values_list("participant__code", flat=True)),
    "measures/expert": lambda: set(Expert.objects.values_list("name", flat=True)),
}


@pytest.fixture
def data(people, drafting):
    initiative_circulate(
        actor=people.secretariat, initiative=drafting, deadline=timezone.localdate()
    )
    Expert.objects.create(
        participant=Participant.objects.get(code="KOR"),
        measure=Measure.objects.get(code="ECO-9"),
        name="Dr Kim",
        contact="kim@example.org",
        started_on=timezone.localdate(),
    )


def export(client, path, fmt):
    url = f"/admin/{path}/export/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    form = page.context["form"]
    payload = {"format": fmt, "resource": form.initial.get("resource", 0) or 0}
    for name, field in form.fields.items():
        if getattr(field, "is_selectable_field", False):
            payload[name] = "on"
    payload["export_items"] = form.initial.get("export_items", [])
    return client.post(url, payload)


@pytest.mark.parametrize("path", EXPORTS)
def test_csv_and_xlsx_exports_hold_exactly_the_rows(client, data, path):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    expected = EXPORTS[path]()
    assert expected
    response = export(client, path, "0")
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    key = 2 if path == "secretariat/receipt" else (2 if path == "measures/expert" else 0)
    assert len(body) == {"secretariat/receipt": Receipt.objects.count()}.get(path, len(expected))
    assert {row[key] for row in body} == expected, header
    response = export(client, path, "1")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    active = workbook.active
    assert isinstance(active, Worksheet)
    sheet = list(active.iter_rows(values_only=True))
    assert list(sheet[0]) == header
    assert len(sheet) - 1 == len(body)


def test_exports_follow_the_chosen_language(client, data):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    client.cookies["django_language"] = "fr"
    body = export(client, "measures/measure", "0").content.decode("utf-8-sig")
    assert "Couloirs de transport" in body
    assert "Statut" in body.splitlines()[0]


def test_measures_export_carries_status_and_coordinators(client, data):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    rows = list(
        csv.DictReader(
            io.StringIO(export(client, "measures/measure", "0").content.decode("utf-8-sig"))
        )
    )
    hum5 = next(r for r in rows if r["Code"] == "HUM-5")
    assert hum5["Status"] == "Circulated"
    assert hum5["Coordinators"] == "MNG (Coordinator)"


@pytest.mark.parametrize("username", ["chair", "delegate-kaz"])
@pytest.mark.parametrize("path", EXPORTS)
def test_exports_are_refused_to_others(client, data, username, path):
    client.login(username=username, password=DEMO_PASSWORD)
    response = export(client, path, "0")
    assert response.status_code in (302, 403)
    assert not response.content.startswith(b"Code")
