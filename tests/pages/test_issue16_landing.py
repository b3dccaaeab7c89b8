"""Issue 16 item 5 (a): anonymous ``/`` is a public landing page — what
CICA's Catalogue is, the measures by priority area with their public status,
the adopted decisions (date and symbol), and a way to sign in — never a draft,
a position or an objection. Signed-in delegates keep their desk, staff their
dashboard. The page reads in a fixed number of queries."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from measures.models import CoordinatorDesignation, Initiative, Measure, Paper
from members.models import Participant
from secretariat.models import Circulation, Decision, Meeting, Receipt
from tests.conftest import DEMO_PASSWORD
from tests.files import PDF

pytestmark = pytest.mark.django_db

DRAFT_SYMBOL = "CICA/CP/HUM-5/9"
POSITION_TEXT = "Our confidential reservation on energy"


def _initiative(measure, status):
    """The measure's next initiative, made its lead (as the services keep it)."""
    taken = Initiative.objects.filter(measure=measure).count()
    # One open initiative per measure: the seed's, if any, is set aside.
    Initiative.objects.filter(measure=measure).update(status="withdrawn")
    initiative = Initiative.objects.create(measure=measure, status=status, sequence=taken + 1)
    Measure.objects.filter(pk=measure.pk).update(lead_initiative=initiative)
    return initiative


def _paper(initiative, symbol, version=1):
    paper = Paper(
        initiative=initiative,
        kind="concept_paper",
        version=version,
        symbol=symbol,
        original_name="p.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        language="en",
        submitted_for=Participant.objects.get(code="TJK"),
    )
    paper.file.save("p.pdf", ContentFile(PDF), save=False)
    paper.save()
    return paper


def _adopted(code: str, n: int) -> Decision:
    """An initiative on ``code`` whose concept paper the SOC adopted at a meeting."""
    measure = Measure.objects.get(code=code)
    initiative = _initiative(measure, "adopted")
    paper = _paper(initiative, f"CICA/CP/{code}/1")
    day = datetime.date(2026, 11, n)
    swg = Meeting.objects.create(body="swg", date=day - datetime.timedelta(days=7))
    soc = Meeting.objects.create(body="soc", date=day)
    Decision.objects.create(
        body="swg",
        meeting=swg,
        initiative=initiative,
        paper=paper,
        outcome="approved",
        symbol=f"CICA/SWG/DEC/{code}",
    )
    return Decision.objects.create(
        body="soc",
        meeting=soc,
        initiative=initiative,
        paper=paper,
        outcome="approved",
        symbol=f"CICA/SOC/DEC/{code}",
    )


@pytest.fixture
def world(people):
    """ECO-4 adopted; HUM-5 drafting with an uncirculated draft; ECO-3
    circulated with Korea's position, and a no-consensus SWG decision on it
    (China objected)."""
    adopted = _adopted("ECO-4", 20)
    hum5 = Measure.objects.get(code="HUM-5")
    draft = _initiative(hum5, "drafting")
    CoordinatorDesignation.objects.create(
        initiative=draft,
        participant=Participant.objects.get(code="TJK"),
        role="coordinator",
        started_on=timezone.localdate(),
    )
    _paper(draft, DRAFT_SYMBOL)
    eco3 = Measure.objects.get(code="ECO-3")
    circulated = _initiative(eco3, "circulated")
    paper = _paper(circulated, "CICA/CP/ECO-3/1")
    circulation = Circulation.objects.create(
        initiative=circulated,
        paper=paper,
        reference="CICA/CIRC/ECO-3/1",
        deadline=timezone.localdate(),
    )
    Receipt.objects.create(
        circulation=circulation,
        participant=Participant.objects.get(code="KOR"),
        position="reservation",
        position_text=POSITION_TEXT,
    )
    meeting = Meeting.objects.create(body="swg", date=datetime.date(2026, 11, 2))
    refused = Decision.objects.create(
        body="swg",
        meeting=meeting,
        initiative=circulated,
        paper=paper,
        outcome="no_consensus",
        symbol="CICA/SWG/DEC/NOCONSENSUS",
    )
    refused.objecting.set([Participant.objects.get(code="CHN")])
    return {"adopted": adopted}


def test_anonymous_root_is_the_public_landing_page(client, world):
    page = client.get("/")
    assert page.status_code == 200
    assert "cica/landing.html" in [t.name for t in page.templates]
    html = page.content.decode()
    # What the Catalogue is.
    assert "Catalogue of confidence-building measures" in html
    assert "Conference on Interaction and Confidence-Building Measures in Asia" in html
    # The measures, by priority area, with their public status.
    assert "Economic dimension" in html or "Economy" in html or 'id="area-ECO"' in html
    assert 'href="/catalogue/ECO-4/"' in html
    assert 'href="/catalogue/NCT-5/"' in html
    assert html.count('class="measure-row"') == Measure.objects.count()
    for status in ("Adopted", "Drafting", "No initiative yet"):
        assert status in html
    # The adopted decisions, with symbol and date.
    assert "CICA/SOC/DEC/ECO-4" in html
    assert "CICA/SWG/DEC/ECO-4" in html
    assert "20 November 2026" in html or "Nov. 20, 2026" in html
    # Sign in is offered.
    assert 'href="/accounts/login/?next=/"' in html


def test_the_landing_page_leaks_nothing_restricted(client, world):
    html = client.get("/").content.decode()
    assert DRAFT_SYMBOL not in html  # a draft is never public
    assert "/papers/" not in html or f"/papers/{world['adopted'].paper_id}/" in html
    assert POSITION_TEXT not in html  # positions are never public
    assert "reservation" not in html.lower()
    assert "CICA/SWG/DEC/NOCONSENSUS" not in html  # only adopting decisions
    assert "China" not in html  # nobody's objection
    assert "@" not in html.replace("&#x27;", "")  # no contact data


def test_the_landing_page_reads_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    for n, code in enumerate(["ENV-1", "ENV-2", "HUM-1", "NCT-1", "ECO-9"], start=1):
        _adopted(code, n)
    with django_assert_max_num_queries(6):
        page = client.get("/")
    assert page.status_code == 200
    assert "CICA/SOC/DEC/NCT-1" in page.content.decode()


def test_the_landing_page_in_french(client, world):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.parametrize("username", ["delegate-kaz", "delegate-usa", "chair"])
def test_signed_in_people_keep_their_desk(client, people, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    assert "cica/desk.html" in [t.name for t in page.templates]


def test_staff_keep_their_dashboard(client, people):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    answer = client.get("/")
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/dashboard/"
