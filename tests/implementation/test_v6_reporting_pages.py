"""The delegate's reporting pages (issue 17 item 6, delegate side of item 3):
my state's returns due, the nil return with its confirmation and receipt,
the report's draft and submission, corrections with their versions, and the
refusals (another state's return, an observer, a closed cycle, hostile input)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from implementation.models import (
    ActionPlan,
    PlanStatus,
    ReportingCycle,
    Return,
    ReturnKind,
    ReturnStatus,
    ReturnVersion,
)
from implementation.services import reporting
from measures.models import Measure, PriorityArea
from members.models import Participant, UserPreference
from tests.files import pdf
from tests.scenarios import eco4_at_drafting

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(people):
    today = timezone.localdate()
    return reporting.cycle_open(
        actor=people.secretariat,
        year=today.year,
        due_on=today + datetime.timedelta(days=30),
        areas=[PriorityArea.objects.get(code="ECO")],
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def kaz(people):
    return client_for(people["delegate-kaz"])


def KAZ():
    return Participant.objects.get(code="KAZ")


def nil_url(cycle, area="ECO"):
    return f"/reporting/{cycle.year}/{area}/nil/"


# --- the pages as each role -------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(cycle):
    for url in ["/reporting/", f"/reporting/{cycle.year}/", f"/reporting/{cycle.year}/ECO/report/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Client().post(nil_url(cycle))["Location"].startswith("/accounts/login/")


def test_a_member_sees_its_returns_due_with_the_due_date_in_words(kaz, cycle):
    page = kaz.get("/reporting/").content.decode()
    assert "Returns due" in page
    assert cycle.symbol in page
    assert f"{cycle.due_on.day} {cycle.due_on:%B %Y}" in page
    assert "30 days left" in page
    assert "Not started" in page
    card = kaz.get(f"/reporting/{cycle.year}/").content.decode()
    assert "Nothing to report for this period" in card
    assert "Write the report" in card


def test_the_desk_says_returns_are_due(kaz, cycle):
    desk = kaz.get("/").content.decode()
    assert 'id="desk-returns-due"' in desk
    assert "1 return to file" in desk
    assert f'href="/reporting/{cycle.year}/"' in desk


def test_no_desk_box_without_an_open_cycle(kaz):
    assert 'id="desk-returns-due"' not in kaz.get("/").content.decode()


def test_the_desk_reads_the_returns_due_in_a_fixed_number_of_queries(
    kaz, people, cycle, django_assert_max_num_queries
):
    kaz.get("/")  # warm the session and the caches
    with django_assert_max_num_queries(30) as first:
        kaz.get("/")
    for year in (cycle.year + 1, cycle.year + 2):
        reporting.cycle_open(
            actor=people.secretariat,
            year=year,
            due_on=datetime.date(year, 3, 1),
            areas=PriorityArea.objects.all(),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        kaz.get("/")


def test_the_secretariat_and_the_chair_get_the_cycles(people, cycle):
    for name in ("secretariat", "chair"):
        page = client_for(people[name]).get("/reporting/")
        assert page.status_code == 200
        assert cycle.symbol in page.content.decode()
        assert f'href="/reporting/{cycle.year}/"' in page.content.decode()
        cycle_page = client_for(people[name]).get(f"/reporting/{cycle.year}/")
        assert cycle_page.status_code == 200
        assert "Nothing to report for this period" not in cycle_page.content.decode()


def test_an_observer_owes_nothing_and_is_not_shown_the_form(people, cycle):
    usa = client_for(people["delegate-usa"])
    assert "Observers owe no returns." in usa.get("/reporting/").content.decode()
    page = usa.get(f"/reporting/{cycle.year}/").content.decode()
    assert "Nothing to report for this period" not in page
    refused = usa.post(nil_url(cycle), {"confirm": "1"})
    assert refused.status_code == 403
    assert "not a member state" in refused.content.decode()
    assert usa.get(f"/reporting/{cycle.year}/ECO/report/").status_code == 403
    assert not Return.objects.exists()


def test_the_secretariat_does_not_file_through_the_delegate_pages(people, cycle):
    response = client_for(people.secretariat).post(nil_url(cycle), {"confirm": "1"})
    assert response.status_code == 403
    assert not Return.objects.exists()


def test_an_unknown_cycle_or_area_is_404(kaz, cycle):
    assert kaz.get("/reporting/1999/").status_code == 404
    assert kaz.post(nil_url(cycle, "ENV"), {"confirm": "1"}).status_code == 404
    assert kaz.get(f"/reporting/{cycle.year}/XYZ/report/").status_code == 404


# --- the nil return -------------------------------------------------------------------


def test_a_nil_return_is_restated_then_recorded_once(kaz, cycle):
    restated = kaz.post(nil_url(cycle))
    assert restated.status_code == 200
    text = restated.content.decode()
    assert "Kazakhstan will record a nil return for" in text
    assert f"{cycle.year} cycle" in text
    assert not Return.objects.exists()  # nothing before the confirmation

    done = kaz.post(nil_url(cycle), {"confirm": "1"})
    assert done.status_code == 302
    ret = Return.objects.get()
    assert ret.area is not None
    assert (ret.participant.code, ret.area.code, ret.kind) == ("KAZ", "ECO", "nil_return")
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.version == 1
    assert ret.versions.count() == 1
    assert done["Location"] == f"/returns/{ret.pk}/"
    receipt = kaz.get(done["Location"]).content.decode()
    today = timezone.localdate()
    assert f"Nil return recorded on {today.day} {today:%B %Y}" in receipt

    again = kaz.post(nil_url(cycle), {"confirm": "1"})
    assert again.status_code == 409
    ret.refresh_from_db()
    assert ret.version == 1
    assert Return.objects.count() == 1
    assert ReturnVersion.objects.count() == 1
    assert "Submitted on time" not in kaz.get(f"/reporting/{cycle.year}/").content.decode()
    assert "Nil return" in kaz.get("/reporting/").content.decode()


def test_cancel_records_nothing(kaz, cycle):
    response = kaz.post(nil_url(cycle), {"cancel": "1"})
    assert response.status_code == 302
    assert not Return.objects.exists()


def test_a_closed_cycle_is_409(kaz, people, cycle):
    reporting.cycle_close(actor=people.secretariat, cycle=cycle)
    assert kaz.post(nil_url(cycle), {"confirm": "1"}).status_code == 409
    assert kaz.get(f"/reporting/{cycle.year}/ECO/report/").status_code == 409
    assert not Return.objects.exists()
    # The closed cycle is among the past ones.
    page = kaz.get("/reporting/").content.decode()
    assert "No reporting cycle is open." in page
    assert "Nothing filed" in page


def test_the_nil_route_takes_only_post(kaz, cycle):
    assert kaz.get(nil_url(cycle)).status_code == 405


# --- the national report ----------------------------------------------------------------


def report_url(cycle):
    return f"/reporting/{cycle.year}/ECO/report/"


def test_a_draft_is_saved_then_submitted_after_its_restatement(kaz, cycle):
    eco1 = Measure.objects.get(code="ECO-1")
    form = kaz.get(report_url(cycle)).content.decode()
    assert "data-autofocus" in form
    assert "ECO-1" in form
    saved = kaz.post(
        report_url(cycle),
        {
            "save": "1",
            "text": "Kazakhstan held a seminar.\r\nAnd a workshop.",
            "measures": [eco1.pk],
            "visibility": "public",
            "attachment": pdf("kaz-report.pdf"),
        },
    )
    assert saved.status_code == 302
    ret = Return.objects.get()
    assert ret.status == ReturnStatus.DRAFT
    assert ret.kind == ReturnKind.NATIONAL_REPORT
    assert ret.text == "Kazakhstan held a seminar.\r\nAnd a workshop."
    assert list(ret.measures.values_list("code", flat=True)) == ["ECO-1"]
    assert ret.attachments.get().original_name == "kaz-report.pdf"
    assert "Draft" in kaz.get("/reporting/").content.decode()

    restated = kaz.post(
        report_url(cycle), {"submit": "1", "text": ret.text, "visibility": "public"}
    )
    assert restated.status_code == 200
    assert "Kazakhstan will submit its report for" in restated.content.decode()
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT

    done = kaz.post(report_url(cycle), {"confirm": "1"})
    assert done.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.version == 1
    assert "Submitted on time" in kaz.get("/reporting/").content.decode()
    # Submitted: the form is refused, the return is corrected instead.
    assert kaz.get(report_url(cycle)).status_code == 409


def test_an_empty_report_is_not_submitted(kaz, cycle):
    response = kaz.post(report_url(cycle), {"submit": "1", "text": "  ", "visibility": "public"})
    assert response.status_code == 400
    assert Return.objects.get().status == ReturnStatus.DRAFT


def test_an_activity_outside_the_register_is_refused(kaz, cycle):
    response = kaz.post(
        report_url(cycle), {"save": "1", "text": "x", "visibility": "public", "activities": [987]}
    )
    assert response.status_code == 400
    assert not Return.objects.exists()


def test_a_file_that_is_not_a_document_is_refused(kaz, cycle):
    response = kaz.post(
        report_url(cycle),
        {
            "save": "1",
            "text": "x",
            "visibility": "public",
            "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf"),
        },
    )
    assert response.status_code == 400
    assert not Return.objects.exists()


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("bad\x00text", 400),
        ("x" * 50001, 400),
        ("line one\r\nline two\rthree\n", 302),
    ],
    ids=["nul", "huge", "crlf"],
)
def test_hostile_text(kaz, cycle, text, status):
    response = kaz.post(report_url(cycle), {"save": "1", "text": text, "visibility": "public"})
    assert response.status_code == status
    assert Return.objects.exists() == (status == 302)


def test_hostile_note_and_unknown_visibility(kaz, people, cycle):
    ret = reporting.return_nil(
        actor=people["delegate-kaz"],
        cycle=cycle,
        participant=KAZ(),
        area=PriorityArea.objects.get(code="ECO"),
    )
    url = f"/returns/{ret.pk}/correct/"
    assert (
        kaz.post(url, {"note": "a\x00b", "kind": "nil_return", "visibility": "public"}).status_code
        == 400
    )
    assert (
        kaz.post(url, {"note": "ok", "kind": "nil_return", "visibility": "everyone"}).status_code
        == 400
    )
    ret.refresh_from_db()
    assert ret.version == 1


# --- a return, its versions, its correction ---------------------------------------------


def test_a_correction_makes_version_2_and_the_page_shows_both(kaz, people, cycle):
    ret = reporting.return_nil(
        actor=people["delegate-kaz"],
        cycle=cycle,
        participant=KAZ(),
        area=PriorityArea.objects.get(code="ECO"),
    )
    page = kaz.get(f"/returns/{ret.pk}/").content.decode()
    assert 'id="correct-link"' in page
    assert kaz.get(f"/returns/{ret.pk}/correct/").status_code == 200
    response = kaz.post(
        f"/returns/{ret.pk}/correct/",
        {
            "note": "We did hold a seminar after all.",
            "kind": "national_report",
            "text": "A seminar in Astana.",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.version == 2
    assert ret.kind == ReturnKind.NATIONAL_REPORT
    page = kaz.get(f"/returns/{ret.pk}/").content.decode()
    assert "We did hold a seminar after all." in page
    assert page.count("<tr>") >= 3  # the header and both versions
    assert "National implementation report" in page
    assert "Nil return" in page


def test_a_correction_needs_a_note(kaz, people, cycle):
    ret = reporting.return_nil(
        actor=people["delegate-kaz"],
        cycle=cycle,
        participant=KAZ(),
        area=PriorityArea.objects.get(code="ECO"),
    )
    response = kaz.post(
        f"/returns/{ret.pk}/correct/", {"note": "", "kind": "nil_return", "visibility": "public"}
    )
    assert response.status_code == 400
    ret.refresh_from_db()
    assert ret.version == 1


def test_another_states_draft_is_404_and_it_may_not_correct(people, cycle):
    ret = reporting.return_save(
        actor=people["delegate-kaz"],
        cycle=cycle,
        participant=KAZ(),
        kind=ReturnKind.NATIONAL_REPORT,
        area=PriorityArea.objects.get(code="ECO"),
        text="Kazakhstan's draft",
        visibility="public",
    )
    chn = client_for(people["delegate-chn"])
    assert chn.get(f"/returns/{ret.pk}/").status_code == 404
    assert chn.post(f"/returns/{ret.pk}/correct/", {"note": "x"}).status_code == 404
    assert Client().get(f"/returns/{ret.pk}/").status_code == 302
    reporting.return_submit(actor=people["delegate-kaz"], ret=ret)
    # Submitted and public: everyone reads it; only Kazakhstan corrects it.
    page = chn.get(f"/returns/{ret.pk}/").content.decode()
    assert "Kazakhstan&#x27;s draft" in page or "Kazakhstan's draft" in page
    assert 'id="correct-link"' not in page
    assert chn.post(f"/returns/{ret.pk}/correct/", {"note": "x"}).status_code == 403
    assert Client().get(f"/returns/{ret.pk}/").status_code == 200


def test_a_late_return_reads_late(people):
    today = timezone.localdate()
    cycle = reporting.cycle_open(
        actor=people.secretariat,
        year=today.year - 1,
        due_on=today - datetime.timedelta(days=3),
        areas=[PriorityArea.objects.get(code="ECO")],
    )
    kaz = client_for(people["delegate-kaz"])
    assert "3 days overdue" in kaz.get("/reporting/").content.decode()
    kaz.post(nil_url(cycle), {"confirm": "1"})
    assert "Nil return, late" in kaz.get("/reporting/").content.decode()


# --- the progress report -----------------------------------------------------------------


@pytest.fixture
def eco4_plan(people):
    initiative = eco4_at_drafting()
    type(initiative).objects.filter(pk=initiative.pk).update(status="adopted")
    return ActionPlan.objects.create(
        initiative=initiative,
        measure=initiative.measure,
        number=1,
        symbol="CICA/AP/ECO-4/1",
        starts_in=2026,
        ends_in=2029,
        status=PlanStatus.APPROVED,
    )


def test_the_coordinator_files_its_progress_report(people, cycle, eco4_plan):
    tjk = client_for(people["delegate-tjk"])
    listing = tjk.get("/reporting/").content.decode()
    assert "Progress report on ECO-4" in listing
    url = f"/reporting/{cycle.year}/progress/ECO-4/"
    assert tjk.get(url).status_code == 200
    assert (
        tjk.post(url, {"save": "1", "text": "Two seminars.", "visibility": "public"}).status_code
        == 302
    )
    ret = Return.objects.get(kind=ReturnKind.PROGRESS_REPORT)
    assert ret.measure is not None
    assert ret.measure.code == "ECO-4"
    assert ret.status == ReturnStatus.DRAFT
    assert tjk.post(url, {"confirm": "1"}).status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert tjk.get(url).status_code == 409
    # Not a coordinator of ECO-4: refused, the form not shown.
    kaz = client_for(people["delegate-kaz"])
    assert kaz.get(url).status_code == 403
    assert "Progress report on ECO-4" not in kaz.get("/reporting/").content.decode()


# --- in Russian -----------------------------------------------------------------------------


def test_the_pages_read_in_the_readers_language(people, cycle):
    UserPreference.objects.create(user=people["delegate-kaz"], language="ru")
    kaz = Client()
    kaz.force_login(people["delegate-kaz"])
    kaz.cookies["django_language"] = "ru"
    page = kaz.get("/reporting/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="ru"' in page
    restated = kaz.post(nil_url(cycle), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="ru"' in restated
    assert ReportingCycle.objects.count() == 1


def test_cycle_measures_names_the_measures_of_its_areas_and_its_own(people):
    # services.reporting.cycle_measures used a union that SQLite refused.
    cycle = reporting.cycle_open(
        actor=people.secretariat,
        year=2030,
        due_on=datetime.date(2031, 3, 1),
        areas=[PriorityArea.objects.get(code="ECO")],
        measures=[Measure.objects.get(code="ENV-1")],
    )
    codes = [m.code for m in reporting.cycle_measures(cycle)]
    assert "ENV-1" in codes
    assert "ECO-1" in codes
    assert len(codes) == len(set(codes))
    assert not [c for c in codes if not (c.startswith("ECO-") or c == "ENV-1")]
