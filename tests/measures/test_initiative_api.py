"""Reading initiatives over the API: filters, detail, available actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Initiative
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def refs(response):
    assert response.status_code == 200, response.content
    return sorted(row["reference"] for row in response.json()["results"])


def test_filters(api):
    assert refs(api.get("/api/v1/initiatives/")) == [
        "ECO-2",
        "ECO-3",
        "ECO-4",
        "ECO-9",
        "ENV-3",
        "NCT-2",
    ]
    assert refs(api.get("/api/v1/initiatives/?participant=IRN")) == ["ENV-3", "NCT-2"]
    assert refs(api.get("/api/v1/initiatives/?area=ENV")) == ["ENV-3"]
    assert refs(api.get("/api/v1/initiatives/?measure=eco-9")) == ["ECO-9"]
    assert refs(api.get("/api/v1/initiatives/?status=interest_declared&status=drafting")) == [
        "ECO-2",
        "ECO-3",
        "ECO-4",
        "ECO-9",
        "ENV-3",
        "NCT-2",
    ]
    assert refs(api.get("/api/v1/initiatives/?status=adopted")) == []


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("status=done", "status"),
        ("measure=XYZ-1", "measure"),
        ("area=MIL", "area"),
        ("participant=ATL", "participant"),
        ("modality=c", "modality"),
    ],
)
def test_bad_filters_are_400(api, query, param):
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 400
    assert param in error_fields(response)


def test_unknown_initiative_is_404(api):
    for url in (
        "/api/v1/initiatives/999999/",
        "/api/v1/initiatives/abc/",
        "/api/v1/initiatives/999999/actions/",
    ):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["detail"]
    response = api.post("/api/v1/initiatives/999999/withdraw/", {"reason": "x"})
    assert response.status_code in (401, 404)


def test_declaring_for_an_unknown_measure_is_400(as_user):
    response = as_user("delegate-kaz").post("/api/v1/initiatives/", {"measure": "ECO-77"})
    assert response.status_code == 400
    assert "measure" in error_fields(response)
    assert Initiative.objects.count() == 6


def test_available_actions_depend_on_who_asks(as_user):
    initiative = Initiative.objects.get(measure__code="ECO-4")
    url = f"/api/v1/initiatives/{initiative.pk}/actions/"

    def available(username):
        rows = as_user(username).get(url).json()
        assert {r["action"] for r in rows} == {
            "declare_interest",
            "open_consultation",
            "designate_coordinators",
            "submit_paper",
            "circulate",
            "refer_to_swg",
            "record_swg_decision",
            "record_soc_decision",
            "withdraw",
        }
        assert all(r["reason"] for r in rows if not r["available"])
        return sorted(r["action"] for r in rows if r["available"])

    assert available("chair") == ["open_consultation"]
    assert available("secretariat") == ["open_consultation", "withdraw"]
    assert available("delegate-kaz") == ["declare_interest"]
    assert available("delegate-tjk") == []  # already declared, not yet designated
    assert available("delegate-usa") == []
    assert available("") == []


def test_public_detail_hides_statements_and_actors(as_user):
    initiative = Initiative.objects.get(measure__code="ECO-4")
    public = as_user("").get(f"/api/v1/initiatives/{initiative.pk}/").json()
    assert public["declarations"][0]["participant"] == "TJK"
    assert public["declarations"][0]["statement"] is None
    member = as_user("delegate-chn").get(f"/api/v1/initiatives/{initiative.pk}/").json()
    assert member["declarations"][0]["statement"] == "Coopération concernant le tourisme"


def test_list_and_measure_queries_do_not_grow(api):
    def count(url, size):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url, {"page_size": size}).status_code == 200
        return len(ctx)

    for url in (
        "/api/v1/initiatives/",
        "/api/v1/measures/",
        "/api/v1/decisions/",
        "/api/v1/meetings/",
    ):
        assert count(url, 2) == count(url, 100), url
