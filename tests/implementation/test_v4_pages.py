"""Issue 17 item 4: the participation table's page and API operation, for
each reader; hostile years; the downloads; fixed query counts."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from implementation.services.reporting import return_nil
from measures.models import PriorityArea
from members.models import Delegate, Participant
from tests.implementation.scenarios17 import cycle_2027_with_returns

pytestmark = pytest.mark.django_db

URL = "/reporting/2027/participation/"
SENTENCE = "3 of 18 member states responded (2 reports, 1 nil return); 1 late"


@pytest.fixture
def cycle(people):
    return cycle_2027_with_returns(progress=True)


@pytest.mark.parametrize(
    "username", ["secretariat", "chair", "delegate-usa", "delegate-chn", "delegate-tjk"]
)
def test_the_readers_see_the_table(client, people, cycle, username):
    client.force_login(people[username])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert SENTENCE in html
    assert "Response rate:" in html
    assert "17%" in html
    assert 'class="pt-late"' in html
    for word in ("Report", "Nil", "Missing"):
        assert word in html
    assert 'href="/reporting/2027/report/"' in html
    assert 'id="progress-table"' in html
    assert '<tr data-code="AZE"><th scope="row">Azerbaijan</th>' in html
    # Every cell says what it holds in words, and the columns reflow on a phone.
    assert 'data-label="ECO" data-state="report" data-late="1"' in html


def test_the_sign_in_comes_first(client, cycle):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_one_who_acts_for_no_member_or_observer_is_refused(client, cycle):
    user = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    former = Participant.objects.create(code="XYZ", kind="state", name="Former")
    Delegate.objects.create(user=user, participant=former)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("year", [0, 99999, 2026, 32768, 10**30])
def test_a_year_with_no_cycle_is_not_found(client, people, cycle, year):
    client.force_login(people.secretariat)
    assert client.get(f"/reporting/{year}/participation/").status_code == 404


def test_in_russian(client, people, cycle):
    client.force_login(people["delegate-kaz"])
    client.cookies["django_language"] = "ru"
    response = client.get(URL)
    assert response.status_code == 200
    assert "Азербайджан" in response.content.decode()


def test_the_downloads(client, people, cycle):
    client.force_login(people.secretariat)
    csv = client.get(URL + "?download=csv")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert 'filename="cica-participation-2027.csv"' in csv["Content-Disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Year,State code,State,Priority area,Return,Late")
    assert len(lines) == 1 + 18
    assert "2027,AZE,Azerbaijan,ECO,Report,yes,2028-04-10" in lines
    assert "2027,KAZ,Kazakhstan,ECO,Nil return,no,2028-03-15" in lines
    xlsx = client.get(URL + "?download=xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 19
    assert client.get(URL + "?download=pdf\x00").status_code == 400


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_does_not_grow_with_the_data(client, people, cycle):
    client.force_login(people.secretariat)
    client.get(URL)
    before = _count(client, URL)
    eco = PriorityArea.objects.get(code="ECO")
    for code in ["CHN", "EGY", "IND", "IRN", "MNG", "PAK"]:
        return_nil(
            actor=people[f"delegate-{code.lower()}"],
            cycle=cycle,
            participant=Participant.objects.get(code=code),
            area=eco,
        )
    assert _count(client, URL) == before


# --- the API ------------------------------------------------------------------------


def api_url(cycle) -> str:
    return f"/api/v1/reporting-cycles/{cycle.pk}/participation/"


def test_the_api_gives_the_table(as_user, cycle):
    body = as_user("delegate-usa").get(api_url(cycle)).json()
    assert body["year"] == 2027
    assert body["symbol"] == "CICA/IMPL/2027"
    assert body["totals"]["sentence"] == SENTENCE
    assert {k: body["totals"][k] for k in ("owing", "responded", "reports", "nils", "late")} == {
        "owing": 18,
        "responded": 3,
        "reports": 2,
        "nils": 1,
        "late": 1,
    }
    assert body["totals"]["rate"] == 17
    aze = next(r for r in body["rows"] if r["code"] == "AZE")
    assert aze["cells"] == [
        {
            "area": "ECO",
            "answer": "report",
            "late": True,
            "submitted_on": "2028-04-10",
            "return_id": aze["cells"][0]["return_id"],
        }
    ]
    assert aze["late"] is True
    assert body["progress"][0]["measure"] == "ECO-4"


def test_the_api_refuses_whom_the_page_refuses(api, as_user, cycle):
    assert api.get(api_url(cycle)).status_code == 401
    user = get_user_model().objects.create_user("nobody", password="x")
    api.force_authenticate(user)
    assert api.get(api_url(cycle)).status_code == 404
    staff = as_user("secretariat")
    assert staff.get("/api/v1/reporting-cycles/99999999/participation/").status_code == 404
    assert staff.get("/api/v1/reporting-cycles/abc/participation/").status_code == 404
