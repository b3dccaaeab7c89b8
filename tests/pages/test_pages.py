"""The delegate pages, with Django's test client (issue 6, must show 3 and 4)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from measures.models import (
    CoordinatorDesignation,
    Expert,
    Initiative,
    InterestDeclaration,
    Measure,
    Paper,
)
from measures.services import initiative_submit_paper
from members.models import Participant
from secretariat.models import Circulation, InformationSubmission, Notification, Receipt
from secretariat.services import initiative_circulate
from tests.conftest import DEMO_PASSWORD
from tests.files import not_a_paper, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting(people):
    initiative = Initiative.objects.get(measure__code="ECO-4")
    Initiative.objects.filter(pk=initiative.pk).update(status="drafting")
    CoordinatorDesignation.objects.create(
        initiative=initiative,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    initiative.refresh_from_db()
    return initiative


PAGES = [
    "/",
    "/catalogue/",
    "/catalogue/ECO-4/",
    "/circulations/",
    "/information/",
    "/experts/",
    "/notifications/",
    "/search/?q=tourism",
    "/information/new/",
    "/experts/new/",
    "/catalogue/ECO-10/declare/",
    "/accounts/password_change/",
]


@pytest.mark.parametrize("username", ["delegate-tjk", "delegate-usa", "secretariat"])
@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_signed_in_users(signed_in, people, username, url):
    # The secretariat's "/" is its dashboard (a redirect, issue 16 item 5).
    response = signed_in(username).get(url, follow=True)
    # A form the role may not use is not shown: its refusal, with the reason
    # (issue 16 item 5).
    refused = url in ("/information/new/", "/catalogue/ECO-10/declare/") and (
        username != "delegate-tjk"
    )
    assert response.status_code == (403 if refused else 200)
    assert b"CICA" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/",
        "/catalogue/ECO-4/",
        "/information/",
        "/experts/",
        "/search/?q=x",
        "/accounts/login/",
        "/",  # the public landing page (issue 16 item 5)
    ],
)
def test_public_pages(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/circulations/", "/notifications/", "/information/new/"])
def test_private_pages_ask_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_header_shows_the_state_and_the_unread_count(signed_in, people):
    Notification.objects.create(
        recipient=people["delegate-kaz"],
        kind="designation",
        idempotency_key="x:1",
        subject="Hello",
        body="",
    )
    page = signed_in("delegate-kaz").get("/").content.decode()
    assert "Acting for Kazakhstan" in page
    assert 'id="unread-count" aria-label="unread">1<' in page


def test_a_refused_action_shows_a_plain_reason(signed_in, drafting):
    # The form is not shown to a state that does not coordinate (issue 16
    # item 5): the service's refusal, before any file is sent.
    page = signed_in("delegate-irn").get(f"/initiatives/{drafting.pk}/submit_paper/")
    assert page.status_code == 403
    assert "coordinator" in page.content.decode()
    response = signed_in("delegate-irn").post(
        f"/initiatives/{drafting.pk}/submit_paper/", {"file": pdf(), "language": "en"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "coordinator" in html
    assert "Traceback" not in html
    assert 'role="alert"' in html
    assert not Paper.objects.exists()
    observer = signed_in("delegate-usa").post("/catalogue/ECO-5/declare/", {"statement": "x"})
    assert observer.status_code == 403
    assert "member state" in observer.content.decode()
    assert not Initiative.objects.filter(measure__code="ECO-5").exists()


def _error_next_to(html: str, field: str) -> bool:
    """The field's error list sits in the same paragraph as its input."""
    start = html.find(f'id="id_{field}"')
    end = html.find("</p>", start)
    return start != -1 and 'class="errorlist' in html[start:end]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"language": "en"}, "file"),
        ({"language": "en", "file": "not-a-paper"}, "file"),
        ({"language": "en", "file": "empty"}, "file"),
        ({"file": "pdf"}, "language"),
        ({"language": "en", "file": "pdf", "note": "x" * 5001}, "note"),
    ],
)
def test_paper_form_bad_input(signed_in, drafting, data, field):
    files = {
        "not-a-paper": not_a_paper(),
        "pdf": pdf(),
        "empty": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "e.pdf", b""
        ),
    }
    payload = {k: files.get(v, v) if k == "file" else v for k, v in data.items()}
    response = signed_in("delegate-tjk").post(f"/initiatives/{drafting.pk}/submit_paper/", payload)
    assert response.status_code == 400
    assert _error_next_to(response.content.decode(), field)
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "field", "model"),
    [
        ("/catalogue/ECO-5/declare/", {"statement": "x" * 5001}, "statement", Initiative),
        ("/experts/new/", {"measure": "", "name": ""}, "name", Expert),
        ("/experts/new/", {"name": "x" * 201}, "name", Expert),
        ("/information/new/", {"title": ""}, "title", InformationSubmission),
        ("/information/new/", {"title": "x" * 301, "text": "t"}, "title", InformationSubmission),
        (
            "/information/new/",
            {
                "title": "t",
                "text": "t",
                "kind": "views",
                "language": "en",
                "visibility": "members",
                "attachment": "bad",
            },
            "attachment",
            InformationSubmission,
        ),
    ],
)
def test_form_bad_input_shows_next_to_the_field_and_stores_nothing(
    signed_in, people, url, data, field, model
):
    before = model.objects.count()
    if data.get("attachment") == "bad":
        data = {
            **data,
            "attachment": not_a_paper(),
            "measures": [Measure.objects.get(code="NCT-1").pk],
        }
    response = signed_in("delegate-kaz").post(url, data)
    assert response.status_code == 400
    assert _error_next_to(response.content.decode(), field), field
    assert model.objects.count() == before


def test_answering_a_circulation_on_the_page(signed_in, people, drafting):
    initiative_submit_paper(
        actor=people["delegate-tjk"], initiative=drafting, file=pdf(), language="en"
    )
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    circulation = Circulation.objects.get(initiative=drafting)
    url = f"/circulations/{circulation.pk}/"
    kaz = signed_in("delegate-kaz")
    page = kaz.get(url).content.decode()
    assert "No position given yet." in page
    missing_text = kaz.post(url, {"position": "objection", "text": ""})
    assert missing_text.status_code == 400
    assert "Give the text" in missing_text.content.decode()
    empty = kaz.post(url, {"position": ""})
    assert empty.status_code == 400
    assert _error_next_to(empty.content.decode(), "position")
    # The first POST restates the choice (issue 16); the confirmation records it.
    assert kaz.post(url, {"position": "objection", "text": "Not yet."}).status_code == 200
    assert Receipt.objects.get(circulation=circulation, participant__code="KAZ").position == ""
    confirm = {"position": "objection", "text": "Not yet.", "confirm": "1"}
    assert kaz.post(url, confirm).status_code == 302
    receipt = Receipt.objects.get(circulation=circulation, participant__code="KAZ")
    assert receipt.position == "objection"
    assert receipt.first_read_by == people["delegate-kaz"]
    # The observer was not addressed; a stranger is told so, without a stack trace.
    assert signed_in("delegate-usa").get(url).status_code == 404


def test_observers_see_nothing_to_act_on(signed_in, drafting):
    observer = signed_in("delegate-usa")
    measure = observer.get("/catalogue/ECO-4/").content.decode()
    assert "/catalogue/ECO-4/declare/" not in measure
    page = observer.get(f"/initiatives/{drafting.pk}/").content.decode()
    assert 'class="button"' not in page
    assert "Submit information" not in observer.get("/information/").content.decode()


def test_the_language_switch_persists(client, people):
    client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/catalogue/"})
    assert response.status_code == 302
    page = client.get("/catalogue/").content.decode()
    assert '<html lang="ru">' in page
    assert "Транспортные коридоры" in page
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/").content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _more_of_everything(people, n):
    kaz = Participant.objects.get(code="KAZ")
    for measure in Measure.objects.exclude(initiatives__isnull=False)[:n]:
        initiative = Initiative.objects.create(measure=measure)
        InterestDeclaration.objects.create(
            initiative=initiative, participant=kaz, declared_on=timezone.localdate()
        )
    for i in range(n * 3):
        Notification.objects.create(
            recipient=people["delegate-kaz"],
            kind="designation",
            idempotency_key=f"bulk:{n}:{i}",
            subject=f"N{i}",
            body="",
        )


def test_desk_and_measure_page_queries_do_not_grow(signed_in, people):
    client = signed_in("delegate-kaz")
    _more_of_everything(people, 2)
    desk, measure = _queries(client, "/"), _queries(client, "/catalogue/ECO-4/")
    _more_of_everything(people, 8)
    assert _queries(client, "/") == desk
    assert _queries(client, "/catalogue/ECO-4/") == measure
    assert desk <= 20
    assert measure <= 30
