"""Issue 16 item 13: exports give dates in the secretariat's zone
(settings.TIME_ZONE) and ISO format, the XLSX sheet says what it holds, and
circulations are exportable with their receipts summarised."""

import csv
import datetime
import io
import re
import zoneinfo

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone, translation
from openpyxl.worksheet.worksheet import Worksheet

from measures.models import Expert, Initiative, Measure
from members.models import Participant
from secretariat import services
from secretariat.models import Circulation, Receipt
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD
from tests.test_exports import export

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

SHEETS = {
    "measures/measure": "Measures",
    "measures/initiative": "Initiatives",
    "measures/expert": "Experts",
    "secretariat/receipt": "Receipts",
    "secretariat/circulation": "Circulations",
}


def in_secretariat_zone(value: datetime.datetime) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).isoformat(timespec="seconds")


@pytest.fixture
def data(people, drafting, deadline):
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation = Circulation.objects.get(initiative=drafting)
    for code, position in [("KAZ", "support"), ("CHN", "support"), ("IND", "objection")]:
        services.receipt_answer(
            actor=people[f"delegate-{code.lower()}"],
            circulation=circulation,
            position=position,
            text="Not yet." if position == "objection" else "",
        )
    Expert.objects.create(
        participant=Participant.objects.get(code="KOR"),
        measure=Measure.objects.get(code="ECO-9"),
        name="Dr Kim",
        contact="kim@example.org",
        started_on=datetime.date(2026, 3, 9),
    )
    # Late evening in UTC is already the next day in Almaty: the zone shows.
    Initiative.objects.filter(pk=drafting.pk).update(
        updated_at=datetime.datetime(2026, 12, 5, 22, 30, tzinfo=datetime.UTC)
    )
    return circulation


def xlsx(client, path):
    response = export(client, path, "1")
    assert response.status_code == 200, response.content[:300]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def csv_rows(client, path):
    response = export(client, path, "0")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("path", SHEETS)
def test_the_sheet_says_what_it_holds(client, data, path):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    assert xlsx(client, path).title == SHEETS[path]


@pytest.mark.parametrize("language", ["ru", "fr"])
def test_the_sheet_name_is_in_the_readers_language(client, data, language):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    client.cookies["django_language"] = language
    with translation.override(language):
        expected = translation.gettext("Initiatives")
    title = xlsx(client, "measures/initiative").title
    assert title == expected[:31]
    assert title not in ("Tablib Dataset", "Sheet1", "Sheet 1", "Worksheet")


def test_datetimes_are_iso_8601_with_the_offset_of_the_secretariats_zone(client, data):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    hum5 = Initiative.objects.get(measure__code="HUM-5")
    expected = in_secretariat_zone(hum5.updated_at)
    assert expected == "2026-12-06T03:30:00+05:00"

    row = next(
        r for r in csv_rows(client, "measures/initiative") if r["Reference"].startswith("HUM-5")
    )
    assert row["Updated"] == expected

    sheet = list(xlsx(client, "measures/initiative").iter_rows(values_only=True))
    column = sheet[0].index("Updated")
    cell = next(r[column] for r in sheet[1:] if str(r[0]).startswith("HUM-5"))
    assert cell == expected


def test_receipts_dates_are_iso_in_csv_and_xlsx(client, data):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    kaz = Receipt.objects.get(circulation=data, participant__code="KAZ")
    assert kaz.position_at is not None
    rows = {r["State"]: r for r in csv_rows(client, "secretariat/receipt")}
    assert rows["KAZ"]["Deadline"] == data.deadline.isoformat()
    assert rows["KAZ"]["Given at"] == in_secretariat_zone(kaz.position_at)
    if kaz.delivered_at:
        assert rows["KAZ"]["Delivered"] == in_secretariat_zone(kaz.delivered_at)
    for row in rows.values():
        for name in ("Delivered", "Acknowledged", "Given at"):
            assert row[name] == "" or ISO_DATETIME.match(row[name]), (name, row[name])
        assert ISO_DATE.match(row["Deadline"])

    sheet = list(xlsx(client, "secretariat/receipt").iter_rows(values_only=True))
    header = list(sheet[0])
    kaz_row = next(r for r in sheet[1:] if r[header.index("State")] == "KAZ")
    assert kaz_row[header.index("Deadline")] == data.deadline.isoformat()
    assert kaz_row[header.index("Given at")] == in_secretariat_zone(kaz.position_at)


def test_expert_dates_are_iso(client, data):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    kim = next(r for r in csv_rows(client, "measures/expert") if r["Name"] == "Dr Kim")
    assert kim["From"] == "2026-03-09"
    assert kim["Until"] == ""


def test_circulations_are_exportable_with_their_receipts_summary(client, data):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    rows = csv_rows(client, "secretariat/circulation")
    assert {r["Reference"] for r in rows} == set(
        Circulation.objects.values_list("reference", flat=True)
    )
    row = next(r for r in rows if r["Reference"] == data.reference)
    addressed = Receipt.objects.filter(circulation=data).count()
    assert row["Paper"] == data.paper.symbol
    assert row["Deadline"] == data.deadline.isoformat()
    assert row["Circulated at"] == in_secretariat_zone(data.circulated_at)
    assert row["Addressed"] == str(addressed)
    assert row["Answered"] == "3"
    assert row["Objections"] == "1"
    assert row["Positions"] == "Support: 2; Objection: 1"


@pytest.mark.parametrize("username", ["chair", "delegate-kaz"])
def test_circulation_export_is_refused_to_others(client, data, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = export(client, "secretariat/circulation", "0")
    assert response.status_code in (302, 403)


def test_today_in_the_zone_is_not_utc_today():
    """The fixture's point: 22:30 UTC on 5 December is 6 December in Almaty."""
    assert settings.TIME_ZONE == "Asia/Almaty"
    moment = datetime.datetime(2026, 12, 5, 22, 30, tzinfo=datetime.UTC)
    assert timezone.localtime(moment).date() == datetime.date(2026, 12, 6)
