"""The consolidated report of a cycle (issue 17 item 5): each reader gets
exactly the items they may see, never a draft; in English and Russian; as a
page, a PDF bearing the cycle's symbol, and JSON; in a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from implementation.consolidated import consolidated_pdf, consolidated_report
from implementation.models import (
    ActionPlan,
    Activity,
    PlanCoordinator,
    ReportingCycle,
    Visibility,
)
from implementation.services.reporting import (
    cycle_close,
    cycle_open,
    return_nil,
    return_save,
    return_submit,
)
from measures.models import Measure, PriorityArea
from members.models import Participant
from tests.scenarios import eco4_at_drafting

pytestmark = pytest.mark.django_db

# Each text appears once: finding it in an answer means the answer showed it.
PUBLIC_ACTIVITY = "Seminar-public-a1"
MEMBERS_ACTIVITY = "Workshop-members-b2"
SECRET_ACTIVITY = "Exercise-secretariat-c3"
CANCELLED_ACTIVITY = "Cancelled-d4"
PLANNED_ACTIVITY = "Planned-e5"
LAST_YEAR_ACTIVITY = "Last-year-f6"
PUBLIC_REPORT = "Tajikistan-public-report-g7"
MEMBERS_REPORT = "Azerbaijan-members-report-h8"
SECRET_REPORT = "India-secretariat-report-i9"
DRAFT_REPORT = "Mongolia-draft-j0"
PROGRESS_REPORT = "Tajikistan-progress-k1"

ALL = {
    PUBLIC_ACTIVITY,
    MEMBERS_ACTIVITY,
    SECRET_ACTIVITY,
    CANCELLED_ACTIVITY,
    PLANNED_ACTIVITY,
    LAST_YEAR_ACTIVITY,
    PUBLIC_REPORT,
    MEMBERS_REPORT,
    SECRET_REPORT,
    DRAFT_REPORT,
    PROGRESS_REPORT,
}
# What each reader may read (a draft and what was not held: nobody).
PUBLIC = {PUBLIC_ACTIVITY, PUBLIC_REPORT}
MEMBERS = PUBLIC | {MEMBERS_ACTIVITY, MEMBERS_REPORT, PROGRESS_REPORT}
SEEN_BY = {
    "anon": PUBLIC,
    "delegate-usa": MEMBERS,  # an observer state
    "delegate-chn": MEMBERS,  # a member state with no part in any of it
    "delegate-ind": MEMBERS
    | {SECRET_ACTIVITY, SECRET_REPORT},  # its own, whatever their visibility
    "secretariat": MEMBERS | {SECRET_ACTIVITY, SECRET_REPORT},
}


def _state(code: str) -> Participant:
    return Participant.objects.get(code=code)


def _activity(title, *, host, visibility, status="held", year=2027, reason=""):
    return Activity.objects.create(
        measure=Measure.objects.get(code="ECO-4"),
        kind="seminar",
        title_en=title,
        title_ru=f"{title} (ru)",
        host=_state(host),
        starts_on=datetime.date(year, 5, 12),
        ends_on=datetime.date(year, 5, 13),
        venue="Dushanbe",
        status=status,
        status_reason=reason,
        visibility=visibility,
    )


def build_cycle(people) -> ReportingCycle:
    """ECO-4 adopted, Tajikistan coordinating under an approved plan; a 2027
    cycle on the economic dimension with returns of every visibility."""
    initiative = eco4_at_drafting()
    type(initiative).objects.filter(pk=initiative.pk).update(status="adopted")
    plan = ActionPlan.objects.create(
        initiative=initiative,
        measure=initiative.measure,
        number=1,
        symbol="CICA/AP/ECO-4/1",
        starts_in=2027,
        ends_in=2029,
        status="approved",
    )
    PlanCoordinator.objects.create(plan=plan, participant=_state("TJK"), role="coordinator")
    _activity(PUBLIC_ACTIVITY, host="KAZ", visibility=Visibility.PUBLIC)
    _activity(MEMBERS_ACTIVITY, host="AZE", visibility=Visibility.MEMBERS_AND_OBSERVERS)
    _activity(SECRET_ACTIVITY, host="IND", visibility=Visibility.SECRETARIAT, status="report_filed")
    _activity(
        CANCELLED_ACTIVITY,
        host="KAZ",
        visibility=Visibility.PUBLIC,
        status="cancelled",
        reason="No host venue.",
    )
    _activity(PLANNED_ACTIVITY, host="KAZ", visibility=Visibility.PUBLIC, status="planned")
    _activity(LAST_YEAR_ACTIVITY, host="KAZ", visibility=Visibility.PUBLIC, year=2026)

    eco = PriorityArea.objects.get(code="ECO")
    cycle = cycle_open(
        actor=people.secretariat, year=2027, due_on=datetime.date(2027, 3, 31), areas=[eco]
    )

    def report(code, text, visibility, *, submit=True):
        ret = return_save(
            actor=people[f"delegate-{code.lower()}"],
            cycle=cycle,
            participant=_state(code),
            kind="national_report",
            area=eco,
            text=text,
            visibility=visibility,
        )
        if submit:
            return_submit(actor=people[f"delegate-{code.lower()}"], ret=ret)

    report("TJK", PUBLIC_REPORT, Visibility.PUBLIC)
    report("IND", SECRET_REPORT, Visibility.SECRETARIAT)
    report("MNG", DRAFT_REPORT, Visibility.PUBLIC, submit=False)
    return_nil(actor=people["delegate-kaz"], cycle=cycle, participant=_state("KAZ"), area=eco)
    progress = return_save(
        actor=people["delegate-tjk"],
        cycle=cycle,
        participant=_state("TJK"),
        kind="progress_report",
        measure=initiative.measure,
        text=PROGRESS_REPORT,
    )
    return_submit(actor=people["delegate-tjk"], ret=progress)
    # Azerbaijan files after the due date: late.
    late = datetime.datetime(2027, 4, 3, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty"))
    with time_machine.travel(late, tick=False):
        report("AZE", MEMBERS_REPORT, Visibility.MEMBERS_AND_OBSERVERS)
    return cycle


@pytest.fixture
def cycle(people):
    return build_cycle(people)


def _texts(report) -> set[str]:
    """The scenario's texts found anywhere in the report."""
    found = set()
    for area in report.areas:
        for measure in area.measures:
            found |= {a.title for a in measure.activities}
            found |= {r.text for r in measure.progress_reports}
        found |= {r.text for r in area.national_reports}
    return found & ALL


def _user(people, name):
    if name == "anon":
        from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415

        return AnonymousUser()
    return people[name]


@pytest.mark.parametrize("reader", list(SEEN_BY))
def test_each_reader_gets_exactly_what_they_may_see(people, cycle, reader):
    report = consolidated_report(cycle=cycle, user=_user(people, reader))
    assert _texts(report) == SEEN_BY[reader]
    (area,) = report.areas
    assert [n.state for n in area.nil_returns] == ["KAZ"]  # a public nil return
    assert report.symbol == "CICA/IMPL/2027"
    (measure,) = [m for m in area.measures if m.code == "ECO-4"]
    assert measure.plan is not None
    assert measure.plan.symbol == "CICA/AP/ECO-4/1"


def test_the_late_report_and_the_participation_table(people, cycle):
    report = consolidated_report(cycle=cycle, user=people.secretariat)
    (area,) = report.areas
    late = {r.state: r.late for r in area.national_reports}
    assert late == {"AZE": True, "IND": False, "TJK": False}
    table = report.participation
    assert table is not None
    assert (table.responded, table.reports, table.nil_returns) == (4, 3, 1)
    assert table.owed == 18
    cells = {row.state: row.cells[0] for row in table.rows}
    assert (cells["AZE"].answer, cells["AZE"].late) == ("report", True)
    assert cells["KAZ"].answer == "nil"
    assert cells["MNG"].answer == "missing"  # a draft is no return


# --- the pages --------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["delegate-usa", "delegate-chn", "delegate-ind", "secretariat"])
def test_the_page_lists_what_the_reader_may_see(client, people, cycle, reader):
    client.force_login(people[reader])
    response = client.get("/reporting/2027/report/")
    assert response.status_code == 200
    body = response.content.decode()
    assert {text for text in ALL if text in body} == SEEN_BY[reader]
    assert "CICA/IMPL/2027" in body
    assert 'href="/reporting/2027/report.pdf?lang=en"' in body


def test_nobody_signed_in_reads_the_public_version_once_the_cycle_is_closed(client, people, cycle):
    response = client.get("/reporting/2027/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/reporting/2027/report.pdf").status_code == 302
    assert client.get(f"/api/v1/reporting-cycles/{cycle.pk}/report/").status_code == 401
    cycle_close(actor=people.secretariat, cycle=cycle)
    body = client.get("/reporting/2027/report/").content.decode()
    assert {text for text in ALL if text in body} == PUBLIC
    answer = client.get(f"/api/v1/reporting-cycles/{cycle.pk}/report/")
    assert answer.status_code == 200
    assert PUBLIC_REPORT in answer.content.decode()
    assert MEMBERS_REPORT not in answer.content.decode()


def test_unknown_year_and_language(client, people, cycle):
    client.force_login(people.secretariat)
    assert client.get("/reporting/2031/report/").status_code == 404
    assert client.get("/reporting/2031/report.pdf").status_code == 404
    assert client.get("/reporting/99999999999999999999/report/").status_code == 404
    assert client.get("/reporting/2027/report/?lang=xx").status_code == 400
    assert client.get("/reporting/2027/report/?lang=r%00u").status_code == 400


def test_the_report_in_russian(client, people, cycle):
    client.force_login(people.secretariat)
    body = client.get("/reporting/2027/report/?lang=ru").content.decode()
    assert '<html lang="ru">' in body
    assert "Совещание по взаимодействию и мерам доверия в Азии" in body
    assert "Секретариат СВМДА" in body
    assert PriorityArea.objects.get(code="ECO").name_ru in body
    assert f"{PUBLIC_ACTIVITY} (ru)" in body  # the activity's Russian title
    assert 'href="/reporting/2027/report.pdf?lang=ru"' in body
    english = client.get("/reporting/2027/report/").content.decode()
    assert "Consolidated implementation report 2027" in english
    assert "Секретариат СВМДА" not in english


# --- the PDF ----------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # lines break where the page does


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_pdf_bears_the_symbol(client, people, cycle, language):
    client.force_login(people["delegate-chn"])
    response = client.get(f"/reporting/2027/report.pdf?lang={language}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="CICA-IMPL-2027-{language}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "CICA/IMPL/2027" in text
    assert MEMBERS_REPORT in text
    assert SECRET_REPORT not in text
    assert DRAFT_REPORT not in text
    if language == "ru":
        assert "Секретариат СВМДА" in text  # Cyrillic is drawn, not boxes
        assert f"{PUBLIC_ACTIVITY} (ru)" in text


def test_the_symbol_runs_on_every_page(people, cycle):
    pdf = consolidated_pdf(cycle=cycle, user=people.secretariat, language="en")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for page in pages:
        assert "CICA/IMPL/2027" in page.extract_text()


# --- the API ----------------------------------------------------------------------------


def test_the_api_gives_the_same_reading(as_user, cycle):
    answer = as_user("delegate-chn").get(f"/api/v1/reporting-cycles/{cycle.pk}/report/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["symbol"] == "CICA/IMPL/2027"
    (area,) = data["areas"]
    assert {r["text"] for r in area["national_reports"]} == {PUBLIC_REPORT, MEMBERS_REPORT}
    assert [n["state"] for n in area["nil_returns"]] == ["KAZ"]
    (measure,) = [m for m in area["measures"] if m["code"] == "ECO-4"]
    assert {a["title"] for a in measure["activities"]} == {PUBLIC_ACTIVITY, MEMBERS_ACTIVITY}
    assert measure["plan"] == {"symbol": "CICA/AP/ECO-4/1", "starts_in": 2027, "ends_in": 2029}
    assert data["participation"]["responded"] == 4
    for missing in ("999999", "99999999999999999999999"):
        url = f"/api/v1/reporting-cycles/{missing}/report/"
        assert as_user("delegate-chn").get(url).status_code == 404


# --- a fixed number of queries ------------------------------------------------------------


def _count(user, cycle) -> int:
    with CaptureQueriesContext(connection) as queries:
        consolidated_report(cycle=cycle, user=user)
    return len(queries)


@pytest.mark.parametrize("reader", ["delegate-chn", "secretariat"])
def test_the_queries_do_not_grow_with_the_cycle(people, cycle, reader):
    user = get_user_model().objects.get(username=reader)
    before = _count(user, cycle)
    # Ten more activities and the other areas covered too.
    for n in range(10):
        _activity(f"More-{n}", host="KAZ", visibility=Visibility.PUBLIC)
    cycle.areas.set(PriorityArea.objects.all())
    user = get_user_model().objects.get(username=reader)  # no memo carried over
    assert _count(user, cycle) == before
    assert before <= 16
