"""The schema tells the truth about parameters and conditional GETs (issue 15
item 2): what it allows the server takes, what it rules out the server refuses
with a 400 naming the parameter."""

import pytest

from tests.openapi import api_schema, operations
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


def _query(op_id: str) -> dict[str, dict]:
    _path, _method, operation = operations()[op_id]
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def test_actions_are_a_plain_list_with_no_page_or_filter():
    _path, _method, operation = operations()["v1_initiatives_actions_list"]
    assert _query("v1_initiatives_actions_list") == {}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert body["items"] == {"$ref": "#/components/schemas/AvailableAction"}


def test_pagination_parameters_only_where_a_list_pages():
    for op_id, (_path, _method, operation) in operations().items():
        schema = operation["responses"].get("200", {}).get("content", {})
        ref = schema.get("application/json", {}).get("schema", {}).get("$ref", "")
        pages = ref.startswith("#/components/schemas/Paginated")
        assert ("page_size" in _query(op_id)) == pages, op_id


@pytest.mark.parametrize(
    ("url", "cap"), [("/api/v1/measures/", 200), ("/api/v1/notifications/", 200)]
)
def test_page_size_bounds_are_documented_and_kept(api, people, url, cap):
    op_id = "v1_measures_list" if "measures" in url else "v1_notifications_list"
    schema = _query(op_id)["page_size"]["schema"]
    assert (schema["minimum"], schema["maximum"]) == (1, cap)
    api.force_authenticate(people.secretariat)
    refused = api.get(url, {"page_size": 0})
    assert refused.status_code == 400
    assert "page_size" in error_fields(refused)
    assert api.get(url, {"page_size": 1}).status_code == 200


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/initiatives/", "status"),
        ("/api/v1/initiatives/", "modality"),
        ("/api/v1/initiatives/", "measure"),
        ("/api/v1/measures/", "status"),
        ("/api/v1/participants/", "kind"),
        ("/api/v1/experts/", "active"),
        ("/api/v1/meetings/", "date_from"),
        ("/api/v1/information/", "year"),
    ],
)
def test_an_empty_filter_value_is_a_400_naming_it(api, url, param):
    answer = api.get(f"{url}?{param}=")
    assert answer.status_code == 400
    assert param in error_fields(answer), answer.json()


def test_empty_free_text_searches_for_nothing(api):
    everything = api.get("/api/v1/measures/").json()["count"]
    assert api.get("/api/v1/measures/?search=").json()["count"] == everything


def test_the_schema_rules_out_empty_values_the_server_refuses():
    params = _query("v1_initiatives_list")
    assert params["measure"]["schema"]["minLength"] == 1
    assert "" not in params["modality"]["schema"]["enum"]
    assert "minLength" not in _query("v1_measures_list")["search"]["schema"]
    assert _query("v1_circulations_list")["initiative"]["schema"]["type"] == "integer"


def test_every_json_get_documents_etag_and_304():
    for op_id, (_path, method, operation) in operations().items():
        if method != "get":
            continue
        ok = operation["responses"]["200"]
        if "application/json" not in ok.get("content", {}):
            # File downloads are streamed: no ETag, no 304.
            assert "304" not in operation["responses"], op_id
            continue
        assert "ETag" in ok["headers"], op_id
        assert "content" not in operation["responses"]["304"], op_id
        names = {(p["in"], p["name"]) for p in operation["parameters"]}
        assert ("header", "If-None-Match") in names, op_id
    assert api_schema()["paths"]  # the schema was generated, not empty


def test_403_and_404_are_documented_only_where_an_operation_can_give_them():
    """A 404 where something is looked up (a path parameter, a page past the
    end); a 403 only on writes a signed-in user may be refused (reads are
    public or one's own: what is not yours is not found)."""
    for op_id, (path, method, operation) in operations().items():
        codes = set(operation["responses"])
        looks_up = "{" in path or bool({"page", "cursor"} & set(_query(op_id)))
        assert ("404" in codes) == looks_up, op_id
        if method == "get":
            assert "403" not in codes, op_id
    assert "403" not in operations()["v1_auth_token_create"][2]["responses"]
    assert "403" in operations()["v1_initiatives_create"][2]["responses"]


def test_the_year_filter_is_an_integer():
    year = _query("v1_information_list")["year"]
    assert year["schema"]["type"] == "integer"
