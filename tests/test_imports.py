"""Register imports from CSV and XLSX (issue 7, must show 4)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from measures.models import CoordinatorDesignation, Initiative
from members.models import Participant, Participation
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

GOOD = [
    ["code", "kind", "name_en", "name_fr", "name_ru", "status", "from", "aliases"],
    ["JOR", "state", "Jordan", "Jordanie", "Иордания", "member", "2008-06-01", "Hashemite Kingdom"],
    ["VNM", "state", "Viet Nam", "Viet Nam", "Вьетнам", "member", "2010-06-08", ""],
]
BAD = GOOD + [
    ["ARE", "state", "United Arab Emirates", "", "ОАЭ", "member", "2008-06-01", ""],
    ["jo1", "planet", "X", "X", "X", "founder", "yesterday", ""],
    ["JOR", "state", "Jordan", "Jordanie", "Иордания", "member", "2008-06-01", ""],
    ["KAZ", "state", "Kazakhstan", "Kazakhstan", "Казахстан", "observer", "", ""],
]


def csv_file(rows, name="rows.csv"):
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in rows)
    return SimpleUploadedFile(name, text.encode("utf-8"))


def xlsx_file(rows, name="rows.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def staff(client, people):
    client.login(username="secretariat", password=DEMO_PASSWORD)
    return client


def snapshot():
    return (
        Participant.objects.count(),
        Participation.objects.count(),
        list(Participation.objects.order_by("pk").values_list("status", "ended_on")),
    )


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_bad_rows_change_nothing_and_each_is_listed_with_its_reason(staff, make):
    before = snapshot()
    response = staff.post("/admin/import/participants/", {"file": make(BAD), "apply": "on"})
    assert response.status_code == 400
    errors = dict(response.context["report"].errors)
    assert set(errors) == {4, 5, 6, 7}
    assert "missing name_fr" in errors[4]
    assert "not 2 to 8 letters" in errors[5] and "not state or organization" in errors[5]
    assert "not member or observer" in errors[5] and "not YYYY-MM-DD" in errors[5]
    assert "repeats row 2" in errors[6]
    assert "needs its date" in errors[7]
    html = response.content.decode()
    assert 'id="import-errors"' in html and "nothing was changed" in html
    assert snapshot() == before


def test_dry_run_then_apply(staff):
    before = snapshot()
    response = staff.post("/admin/import/participants/", {"file": csv_file(GOOD)})
    assert response.status_code == 200 and response.context["report"].accepted == [2, 3]
    assert snapshot() == before
    response = staff.post("/admin/import/participants/", {"file": xlsx_file(GOOD), "apply": "on"})
    assert response.context["report"].applied
    jordan = Participant.objects.get(code="JOR")
    assert jordan.name_ru == "Иордания" and jordan.status_on() == "member"
    assert jordan.aliases.filter(name="Hashemite Kingdom").exists()
    # Viet Nam was an observer: it becomes a member and keeps its past.
    vnm = Participant.objects.get(code="VNM")
    assert list(vnm.participations.order_by("pk").values_list("status", flat=True)) == [
        "observer",
        "member",
    ]


def test_designations_import(staff):
    rows = [
        ["measure", "participant", "role", "from"],
        ["ECO-2", "AZE", "coordinator", "2008-01-01"],
        ["ECO-2", "CHN", "co-coordinator", "2008-01-01"],
        ["ECO-2", "USA", "co_coordinator", "2008-01-01"],
        ["ECO-7", "IND", "coordinator", "2008-01-01"],
        ["ECO-99", "IND", "boss", "2008"],
    ]
    response = staff.post("/admin/import/designations/", {"file": csv_file(rows), "apply": "on"})
    errors = dict(response.context["report"].errors)
    assert set(errors) == {4, 5, 6}
    assert "not a member state" in errors[4] and "no open initiative" in errors[5]
    assert "no measure" in errors[6] and "not coordinator or co-coordinator" in errors[6]
    assert not CoordinatorDesignation.objects.exists()
    response = staff.post(
        "/admin/import/designations/", {"file": csv_file(rows[:3]), "apply": "on"}
    )
    assert response.context["report"].applied
    eco2 = Initiative.objects.get(measure__code="ECO-2")
    assert sorted(eco2.designations.values_list("participant__code", "role")) == [
        ("AZE", "coordinator"),
        ("CHN", "co_coordinator"),
    ]
    assert eco2.status == "interest_declared"
    assert eco2.events.filter(details__imported=True).count() == 2


def test_imports_are_for_the_secretariat(client, people):
    client.login(username="chair", password=DEMO_PASSWORD)
    assert (
        client.post(
            "/admin/import/participants/", {"file": csv_file(GOOD), "apply": "on"}
        ).status_code
        == 403
    )
    assert not Participant.objects.filter(code="JOR").exists()


def test_unreadable_files_are_refused_plainly(staff):
    response = staff.post(
        "/admin/import/participants/", {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    response = staff.post(
        "/admin/import/participants/", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken")}
    )
    assert response.status_code == 400 and "cannot be read" in response.content.decode()
