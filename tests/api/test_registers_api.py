"""The read API of the registers: what an API client sees."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cica.pagination import PageSizePagination
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=member", 18),
        ("status=observer&kind=state", 6),
        ("status=observer&kind=organization", 3),
        ("kind=state", 24),
        ("", 27),
    ],
)
def test_participants_by_status_and_kind(api, query, expected):
    response = api.get(f"/api/v1/participants/?{query}")
    assert response.json()["count"] == expected


@pytest.mark.parametrize(
    "term",
    ["Russie", "Fédération de Russie", "federation de russie", "Russia", "Россия", "RUS", "rus"],
)
def test_participant_search_finds_russia_by_any_name(api, term):
    assert codes(api.get("/api/v1/participants/", {"search": term})) == ["RUS"]


def test_participant_detail_by_code_shows_derived_status_and_history(api):
    body = api.get("/api/v1/participants/KAZ/").json()
    assert body["code"] == "KAZ"
    assert body["status"] == "member"
    assert body["names"] == {"en": "Kazakhstan", "fr": "Kazakhstan", "ru": "Казахстан"}
    assert body["participation"][0]["status"] == "member"
    assert api.get("/api/v1/participants/osce/").json()["status"] == "observer"


def test_areas_hold_their_measures(api):
    body = api.get("/api/v1/areas/").json()
    assert {a["code"]: a["measure_count"] for a in body["results"]} == {
        "ECO": 10,
        "ENV": 5,
        "HUM": 6,
        "NCT": 5,
    }
    assert codes(api.get("/api/v1/measures/?area=ENV")) == [f"ENV-{n}" for n in range(1, 6)]
    assert api.get("/api/v1/areas/HUM/").json()["names"]["fr"] == "Dimension humaine"


def test_measures_list_26(api):
    body = api.get("/api/v1/measures/?page_size=100").json()
    assert body["count"] == 26
    assert len(body["results"]) == 26


@pytest.mark.parametrize(
    ("coordinator", "expected"),
    [
        ("IRN", ["ENV-3", "NCT-2"]),
        ("KOR", ["ECO-3", "ECO-9"]),
        ("AZE", ["ECO-2"]),
        ("TUR", ["NCT-1", "NCT-2", "NCT-3", "NCT-4", "NCT-5"]),
        ("RUS", []),  # "a measure in the economic area", not yet named
        ("KAZ", []),  # "to be determined"
        ("CHN", []),
    ],
)
def test_measures_by_coordinator(api, coordinator, expected):
    assert sorted(codes(api.get(f"/api/v1/measures/?coordinator={coordinator}"))) == expected


def test_measure_search_in_three_languages(api):
    for term in ["tourism", "tourisme", "туризм"]:
        assert codes(api.get("/api/v1/measures/", {"search": term})) == ["ECO-4"]
    assert set(codes(api.get("/api/v1/measures/", {"search": "Action humanitaire"}))) == {
        f"HUM-{n}" for n in range(1, 7)
    }


def test_measure_detail_by_code_with_offers(api):
    body = api.get("/api/v1/measures/ECO-2/").json()
    assert body["area"] == "ECO"
    assert body["texts"]["fr"].startswith("Coopération pour la mise au point")
    assert body["coordinator_offers"] == [
        {"participant": "AZE", "role": "unspecified", "scope": "measure"}
    ]
    nct2 = api.get("/api/v1/measures/nct-2/").json()
    assert {o["participant"] for o in nct2["coordinator_offers"]} == {"IRN", "TUR"}


def test_language_follows_accept_language(api):
    body = api.get("/api/v1/measures/ECO-4/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["text"] == body["texts"]["fr"]
    body = api.get("/api/v1/measures/ECO-4/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["title"] == body["titles"]["ru"]


def test_coordinator_offers(api):
    body = api.get("/api/v1/coordinator-offers/").json()
    assert body["count"] == 9
    by_scope = {(o["participant"], o["scope"]) for o in body["results"]}
    assert ("KAZ", "tbd") in by_scope
    assert ("TUR", "area") in by_scope
    assert ("RUS", "measure_in_area") in by_scope
    assert api.get("/api/v1/coordinator-offers/?participant=KOR").json()["count"] == 2


@pytest.mark.parametrize(
    ("url", "status", "param"),
    [
        ("/api/v1/participants/XYZ/", 404, None),
        ("/api/v1/measures/ECO-99/", 404, None),
        ("/api/v1/areas/MIL/", 404, None),
        ("/api/v1/nothing-here/", 404, None),
        ("/api/v1/participants/?status=members", 400, "status"),
        ("/api/v1/participants/?kind=planet", 400, "kind"),
        ("/api/v1/measures/?area=XXX", 400, "area"),
        ("/api/v1/measures/?coordinator=ZZZ", 400, "coordinator"),
        ("/api/v1/coordinator-offers/?scope=all", 400, "scope"),
        ("/api/v1/measures/?page_size=abc", 400, "page_size"),
        ("/api/v1/measures/?page_size=0", 400, "page_size"),
        ("/api/v1/measures/?page_size=-5", 400, "page_size"),
        ("/api/v1/measures/?page=99", 404, None),
        ("/api/v1/measures/?page=x", 404, None),
    ],
)
def test_bad_input_is_a_clear_json_error(api, url, status, param):
    response = api.get(url)
    assert response.status_code == status
    body = response.json()
    if param:
        assert param in error_fields(response)
        assert all(error["detail"] for error in body["errors"])
    else:
        assert body["detail"]


def test_unknown_code_names_it(api):
    assert api.get("/api/v1/measures/ECO-99/").json()["detail"] == "No measure with code 'ECO-99'."


def test_page_size_is_capped_at_200(api):
    request = Request(APIRequestFactory().get("/", {"page_size": "5000"}))
    assert PageSizePagination().get_page_size(request) == 200
    body = api.get("/api/v1/participants/?page_size=5000").json()
    assert body["count"] == 27
    assert len(body["results"]) == 27
    body = api.get("/api/v1/participants/?page_size=10&page=3").json()
    assert len(body["results"]) == 7
    assert body["next"] is None


def test_anonymous_cannot_write(api):
    assert api.post("/api/v1/measures/", {"code": "X"}).status_code in (401, 403, 405)
    assert api.delete("/api/v1/participants/KAZ/").status_code in (401, 403, 405)


def test_token_authentication(api):
    user = get_user_model().objects.create_user("tok", password="s3cret-pass-99")
    response = api.post("/api/v1/auth/token/", {"username": "tok", "password": "s3cret-pass-99"})
    assert response.status_code == 200
    token = response.json()["token"]
    stored = user.api_tokens.get()
    assert token.startswith(stored.prefix)
    assert token not in (stored.digest, stored.prefix)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/measures/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/measures/").status_code == 401
    api.credentials()
    bad = api.post("/api/v1/auth/token/", {"username": "tok", "password": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_credentials"
    assert bad.json()["detail"] == "Unable to sign in with these credentials."


@pytest.mark.parametrize(
    "url",
    ["/api/v1/participants/", "/api/v1/measures/", "/api/v1/areas/", "/api/v1/coordinator-offers/"],
)
def test_list_queries_do_not_grow_with_page_size(api, url):
    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url, {"page_size": size}).status_code == 200
        return len(ctx)

    assert count(2) == count(100)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/participants/%00/",
        "/api/v1/participants/?search=%00",
        "/api/v1/measures/?search=%27%22%3B--",
        "/api/v1/measures/?search=%25",
        "/api/v1/measures/?search=_",
        "/api/v1/measures/?coordinator=",
        "/api/v1/measures/?area=%E2%82%AC",
        "/api/v1/participants/AB%2FC/",
        "/api/v1/measures/?page_size=99999999999999999999999",
        "/api/v1/measures/?page=0",
        "/api/v1/coordinator-offers/abc/",
        "/api/v1/coordinator-offers/99999999999999999999/",
        "/api/v1/chairmanships/x/",
        "/api/v1/participants/?search=" + "a" * 5000,
    ],
)
def test_odd_input_never_reaches_a_500(api, url):
    response = api.get(url)
    assert response.status_code < 500
    # A success is JSON; a refusal a problem (issue 15 item 3).
    expected = "application/json" if response.status_code < 400 else "application/problem+json"
    assert response["Content-Type"] == expected


def test_bad_json_body_is_a_400(api):
    response = api.post("/api/v1/auth/token/", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
