"""Register imports from CSV and XLSX (issue 7, must show 4)."""

import datetime
import io
import time

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.worksheet.worksheet import Worksheet

from measures.models import CoordinatorDesignation, Initiative, InitiativeEvent
from measures.services import initiative_open_consultation
from members.models import Participant, Participation
from secretariat.models import Notification
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
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
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
    assert "not 2 to 8 letters" in errors[5]
    assert "not state or organization" in errors[5]
    assert "not member or observer" in errors[5]
    assert "YYYY-MM-DD" in errors[5]
    assert "repeats row 2" in errors[6]
    assert "needs its date" in errors[7]
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "nothing was changed" in html
    assert snapshot() == before


def test_dry_run_then_apply(staff):
    before = snapshot()
    response = staff.post("/admin/import/participants/", {"file": csv_file(GOOD)})
    assert response.status_code == 200
    assert response.context["report"].accepted == [2, 3]
    assert snapshot() == before
    response = staff.post("/admin/import/participants/", {"file": xlsx_file(GOOD), "apply": "on"})
    assert response.context["report"].applied
    jordan = Participant.objects.get(code="JOR")
    assert jordan.name_ru == "Иордания"  # type: ignore[attr-defined]  # TEMPORARY (issue 14)
    assert jordan.status_on() == "member"
    assert jordan.aliases.filter(name="Hashemite Kingdom").exists()
    # Viet Nam was an observer: it becomes a member and keeps its past.
    vnm = Participant.objects.get(code="VNM")
    assert list(vnm.participations.order_by("pk").values_list("status", flat=True)) == [
        "observer",
        "member",
    ]


def test_designations_import(staff):
    # The rows on one measure are one "Designate coordinators" action (issue 13 item 12).
    consultation("ECO-2")
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
    assert set(errors) == {2, 3, 4, 5, 6}
    assert "USA is not a member state" in errors[4]
    assert "USA is not a member state" in errors[2]
    assert "no open initiative" in errors[5]
    assert "no measure" in errors[6]
    assert "is not one of: coordinator, co-coordinator" in errors[6]
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
    assert eco2.status == "drafting"
    event = eco2.events.get(action="designate_coordinators")
    assert event.details["started_on"] == "2008-01-01"
    assert event.actor is not None
    assert event.actor.username == "secretariat"


def test_imports_are_for_the_secretariat(client, people):
    client.login(username="chair", password=DEMO_PASSWORD)
    assert (
        client.post(
            "/admin/import/participants/", {"file": csv_file(GOOD), "apply": "on"}
        ).status_code
        == 403
    )
    assert not Participant.objects.filter(code="JOR").exists()
    assert client.get("/admin/import/designations/template.csv").status_code == 403


def test_unreadable_files_are_refused_plainly(staff):
    response = staff.post(
        "/admin/import/participants/", {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    response = staff.post(
        "/admin/import/participants/", {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken")}
    )
    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()


# --- issue 13 items 10, 11, 12: what a secretariat officer's files look like -------------

DESIGNATIONS = "/admin/import/designations/"


def consultation(code):
    """The seed's initiative on ``code``, taken to "Consultation" by the action itself."""
    initiative = Initiative.objects.get(measure__code=code)
    secretariat = get_user_model().objects.get(username="secretariat")
    initiative_open_consultation(actor=secretariat, initiative=initiative)
    initiative.refresh_from_db()
    return initiative


def upload(text, *, encoding="utf-8", name="designations.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


def designations_of(code):
    return sorted(
        CoordinatorDesignation.objects.filter(
            initiative__measure__code=code, ended_on__isnull=True
        ).values_list("participant__code", "role", "started_on")
    )


FRENCH_FILE = (
    "measure;participant;role;from\r\n"
    "ECO-2;Fédération de Russie;coordonnateur;02/11/2026\r\n"
    "ECO-2;Iran (République islamique d');co-coordonnateur;02/11/2026\r\n"
    "ECO-2;république de coree;Cocoordonnateur;02/11/2026\r\n"
    "ECO-3;Russie;Coordonnateur;03/11/2026\r\n"
    "ECO-3;Kazakhstan;co-coordinateur;03/11/2026\r\n"
)


def test_item10_11_french_semicolon_csv_resolves_names_roles_and_dates(staff):
    """issue 13 items 10 and 11: a ';' CSV from a French Excel, with French names,
    roles and day-first dates: the preview says what each name became, then it applies."""
    consultation("ECO-2"), consultation("ECO-3")
    before = (InitiativeEvent.objects.count(), Notification.objects.count())
    file = upload("\ufeff" + FRENCH_FILE)
    response = staff.post(DESIGNATIONS, {"file": file}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, response.content.decode()[-3000:]
    html = response.content.decode()
    report = response.context["report"]
    assert report.ok
    assert report.accepted == [2, 3, 4, 5, 6]
    assert not report.applied
    # The preview: per row, what each name resolved to.
    assert 'id="import-preview"' in html
    shown = {row.number: row.shown for row in report.rows}
    assert "RUS" in shown[2]["participant"]
    assert "IRN" in shown[3]["participant"]
    assert "KOR" in shown[4]["participant"]
    assert "RUS" in shown[5]["participant"]
    assert "KAZ" in shown[6]["participant"]
    assert "2026-11-02" in shown[2]["from"]
    for code in ("RUS", "IRN", "KOR", "KAZ"):
        assert code in html
    assert designations_of("ECO-2") == []  # a dry run changes nothing, tells nobody
    assert (InitiativeEvent.objects.count(), Notification.objects.count()) == before

    file = upload("\ufeff" + FRENCH_FILE)
    response = staff.post(DESIGNATIONS, {"file": file, "apply": "on"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.context["report"].applied
    nov2, nov3 = datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)
    assert designations_of("ECO-2") == [
        ("IRN", "co_coordinator", nov2),
        ("KOR", "co_coordinator", nov2),
        ("RUS", "coordinator", nov2),
    ]
    assert designations_of("ECO-3") == [
        ("KAZ", "co_coordinator", nov3),
        ("RUS", "coordinator", nov3),
    ]
    # Through the action: the initiatives moved on to drafting, as "Designate" does,
    # and the designated states' delegates are told.
    assert Initiative.objects.get(measure__code="ECO-2").status == "drafting"
    assert (
        Notification.objects.filter(kind="designation", recipient__username="delegate-rus").count()
        == 2
    )


def test_item10_english_and_russian_names_roles_and_dates_in_the_readers_order(staff):
    """issue 13 item 10: "Russian Federation", "Kazakhstan", "координатор", and
    02/11/2026 read day first in Russian, month first in English."""
    consultation("ECO-2"), consultation("ECO-3")
    russian = (
        "measure,participant,role,from\n"
        "ECO-2,Российская Федерация,координатор,02/11/2026\n"
        "ECO-2,Kazakhstan,сокоординатор,02.11.2026\n"
    )
    response = staff.post(
        DESIGNATIONS, {"file": upload(russian), "apply": "on"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 200, response.content.decode()[-3000:]
    nov2 = datetime.date(2026, 11, 2)
    assert designations_of("ECO-2") == [
        ("KAZ", "co_coordinator", nov2),
        ("RUS", "coordinator", nov2),
    ]
    english = "measure,participant,role,from\nECO-3,Russian Federation,Coordinator,02/11/2026\n"
    response = staff.post(
        DESIGNATIONS, {"file": upload(english), "apply": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert designations_of("ECO-3") == [("RUS", "coordinator", datetime.date(2026, 2, 11))]


def test_item10_refusals_say_exactly_what_is_expected(staff):
    """issue 13 item 10: an unknown name, role or date is refused with what is expected."""
    consultation("ECO-2")
    text = (
        "measure;participant;role;from\n"
        "ECO-2;Atlantis;boss;31/02/2026\n"
        "ECO-2;Viet Nam;coordonnateur;2026-11-02\n"
        "ECO-2;Fédération russe;coordonnateur;2026-11-02\n"
        "ECO-2;Corée;coordonnateur;2026-11-02\n"
    )
    response = staff.post(
        DESIGNATIONS, {"file": upload(text), "apply": "on"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    errors = dict(response.context["report"].errors)
    assert "Atlantis" in errors[2]
    assert "coordinator" in errors[2]
    assert "co-coordinator" in errors[2]
    assert "JJ/MM/AAAA" in errors[2] or "DD/MM/YYYY" in errors[2]
    assert "VNM" in errors[3]  # found, but an observer: the action's own refusal
    # No whole name matches: refused, with what the participant search finds.
    assert "Fédération russe" in errors[4]
    assert "RUS" not in errors[4]
    assert "KOR" in errors[5]
    assert "Corée" in errors[5]
    assert designations_of("ECO-2") == []


def test_item10_import_page_documents_columns_and_offers_a_template(staff):
    """issue 13 item 10: the page lists the columns (which are required) and links a template."""
    html = staff.get(DESIGNATIONS).content.decode()
    assert 'id="import-columns"' in html
    for column in ("measure", "participant", "role", "from"):
        assert f"<code>{column}</code>" in html
    assert "required" in html.lower()
    assert 'href="/admin/import/designations/template.csv"' in html
    template = staff.get("/admin/import/designations/template.csv")
    assert template.status_code == 200
    assert "text/csv" in template["Content-Type"]
    assert "attachment" in template["Content-Disposition"]
    assert template.content.decode("utf-8-sig").splitlines()[0] == "measure,participant,role,from"


def test_item11_cr_only_and_cp1252_files_from_excel(staff):
    """issue 13 item 11: old Mac Excel line endings (CR only) and a cp1252 file."""
    consultation("ECO-2"), consultation("ECO-3")
    cr_only = "measure,participant,role,from\rECO-2,KAZ,coordinator,2026-11-02\r"
    response = staff.post(DESIGNATIONS, {"file": upload(cr_only), "apply": "on"})
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert [c for c, _r, _d in designations_of("ECO-2")] == ["KAZ"]
    cp1252 = (
        "measure;participant;role;from\r\nECO-3;Fédération de Russie;coordonnateur;02/11/2026\r\n"
    )
    response = staff.post(
        DESIGNATIONS,
        {"file": upload(cp1252, encoding="cp1252"), "apply": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert [c for c, _r, _d in designations_of("ECO-3")] == ["RUS"]


def test_item11_too_large_a_file_or_too_many_rows_is_refused_and_refusals_are_capped(
    staff, settings
):
    """issue 13 item 11: size and rows are capped (settings); a page of refusals shows
    the first ones and counts the rest."""
    # The file of the report: 5 MB of rows, with the default limits.
    five_mb = "measure,participant,role,from\n" + "ECO-2,Atlantis,boss,soon\n" * 210_000
    started = time.monotonic()
    response = staff.post(DESIGNATIONS, {"file": upload(five_mb), "apply": "on"})
    assert response.status_code == 400
    assert time.monotonic() - started < 10
    # The sizes come from cica.uploads, with filesizeformat's non-breaking spaces.
    assert "The file is 5.0\xa0MB; the limit is 1.0\xa0MB." in response.content.decode()
    assert len(response.content) < 100_000
    settings.CICA_IMPORT_MAX_BYTES = 2000
    settings.CICA_IMPORT_MAX_ROWS = 100
    big = "measure,participant,role,from\n" + "ECO-2,KAZ,coordinator,2026-11-02\n" * 80
    assert len(big) > 2000
    response = staff.post(DESIGNATIONS, {"file": upload(big), "apply": "on"})
    assert response.status_code == 400
    assert "the limit is 2.0\xa0KB" in response.content.decode()
    assert response.context["report"] is None
    settings.CICA_IMPORT_MAX_BYTES = 1_000_000
    many = "measure,participant,role,from\n" + "ECO-2,Atlantis,boss,soon\n" * 101
    response = staff.post(DESIGNATIONS, {"file": upload(many), "apply": "on"})
    assert response.status_code == 400
    assert "100" in response.content.decode()
    assert response.context["report"] is None
    refused = "measure,participant,role,from\n" + "ECO-2,Atlantis,boss,soon\n" * 90
    response = staff.post(DESIGNATIONS, {"file": upload(refused), "apply": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Atlantis") == 50
    assert "40 more" in html
    assert len(response.content) < 100_000
    assert not CoordinatorDesignation.objects.exists()


def test_item12_import_goes_through_the_designation_action(staff, drafting):
    """issue 13 item 12: at "Interest declared" the import is refused as the action is;
    a second coordinator on a measure that has one is refused; nothing is half-applied."""
    consultation("ECO-3")
    text = (
        "measure,participant,role,from\n"
        "ECO-3,KAZ,coordinator,2026-11-02\n"  # fine on its own
        "ECO-2,AZE,coordinator,2026-11-02\n"  # ECO-2 is still at "Interest declared"
        "HUM-5,KAZ,coordinator,2026-11-02\n"  # HUM-5 is drafting, MNG coordinates
    )
    response = staff.post(DESIGNATIONS, {"file": upload(text), "apply": "on"})
    assert response.status_code == 400
    errors = dict(response.context["report"].errors)
    assert set(errors) == {3, 4}
    assert "Interest declared" in errors[3]
    assert "not possible now" in errors[3]
    assert "Drafting" in errors[4]
    assert "nothing was changed" in response.content.decode()
    assert designations_of("ECO-2") == []
    assert designations_of("ECO-3") == []
    assert [c for c, _r, _d in designations_of("HUM-5")] == ["MNG"]
    assert Initiative.objects.get(measure__code="ECO-2").status == "interest_declared"
    assert Initiative.objects.get(measure__code="ECO-3").status == "consultation"


def test_item12_reimport_skips_existing_rows_as_unchanged(staff):
    """issue 13 item 12: re-importing a file whose rows partly exist reports them
    "unchanged" and imports the rest."""
    consultation("ECO-2"), consultation("ECO-3")
    first = "measure,participant,role,from\nECO-2,KAZ,coordinator,2026-11-02\n"
    staff.post(DESIGNATIONS, {"file": upload(first), "apply": "on"})
    assert [c for c, _r, _d in designations_of("ECO-2")] == ["KAZ"]
    events = Initiative.objects.get(measure__code="ECO-2").events.count()
    again = first + "ECO-3,Russie,coordonnateur,03/11/2026\n"
    response = staff.post(DESIGNATIONS, {"file": upload(again)}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    outcomes = {row.number: row.outcome for row in response.context["report"].rows}
    assert outcomes == {2: "unchanged", 3: "new"}
    response = staff.post(
        DESIGNATIONS, {"file": upload(again), "apply": "on"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    assert response.context["report"].applied
    assert designations_of("ECO-2") == [("KAZ", "coordinator", datetime.date(2026, 11, 2))]
    assert designations_of("ECO-3") == [("RUS", "coordinator", datetime.date(2026, 11, 3))]
    assert Initiative.objects.get(measure__code="ECO-2").events.count() == events


def test_item12_participants_reimport_reports_unchanged_rows(staff):
    """issue 13 item 12: the participants import, sent again with one more row, skips
    the rows already in the register ("unchanged") and imports the new one."""
    response = staff.post("/admin/import/participants/", {"file": csv_file(GOOD), "apply": "on"})
    assert response.status_code == 200
    assert response.context["report"].applied
    before = snapshot()
    again = GOOD + [["MDV", "state", "Maldives", "Maldives", "Мальдивы", "observer", "", ""]]
    response = staff.post("/admin/import/participants/", {"file": xlsx_file(again)})
    assert response.status_code == 200
    outcomes = {row.number: row.outcome for row in response.context["report"].rows}
    assert outcomes == {2: "unchanged", 3: "unchanged", 4: "new"}
    assert "unchanged" in response.content.decode()
    assert snapshot() == before
    response = staff.post("/admin/import/participants/", {"file": csv_file(again), "apply": "on"})
    assert response.status_code == 200
    assert response.context["report"].applied
    assert Participant.objects.get(code="MDV").status_on() == "observer"
    assert snapshot()[0] == before[0] + 1


def test_item11_tab_separated_text_and_xlsx_date_cells(staff):
    """issue 13 item 11: Excel's "Text (tab delimited)" and an XLSX whose dates are date cells."""
    consultation("ECO-2"), consultation("ECO-3")
    tabbed = "measure\tparticipant\trole\tfrom\nECO-2\tViet Nam, Socialist Republic\tx\t1\n"
    response = staff.post(DESIGNATIONS, {"file": upload(tabbed)})
    assert dict(response.context["report"].errors)[2].startswith("no state or organisation")
    tabbed = "measure\tparticipant\trole\tfrom\nECO-2\tRepublic of Korea\tcoordinator\t2026-11-02\n"
    response = staff.post(DESIGNATIONS, {"file": upload(tabbed), "apply": "on"})
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert [c for c, _r, _d in designations_of("ECO-2")] == ["KOR"]
    rows = [
        ["Measure", "Participant", "Role", "From"],
        ["ECO-3", "Россия", "Координатор", datetime.datetime(2026, 11, 2)],
    ]
    response = staff.post(DESIGNATIONS, {"file": xlsx_file(rows), "apply": "on"})
    assert response.status_code == 200, response.content.decode()[-3000:]
    assert designations_of("ECO-3") == [("RUS", "coordinator", datetime.date(2026, 11, 2))]
