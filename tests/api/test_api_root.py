"""The API's root (issue 15 item 4): GET /api/v1/ lists every resource's
list, the sign-in, the schema and the documentation pages, as absolute URLs."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

LISTS = {
    "action-plans",  # issue 17 v1
    "activities",  # issue 17 v2
    "areas",
    "auth/tokens",
    "chairmanships",
    "circulations",
    "coordinator-offers",
    "decisions",
    "experts",
    "information",
    "initiatives",
    "measures",
    "meetings",
    "notifications",
    "participants",
    # issue 17 v3: annual reporting.
    "reporting-cycles",
    "returns",
}


@pytest.mark.django_db
def test_the_root_lists_every_resource_and_the_docs(as_user):
    root = APIClient().get("/api/v1/")
    assert root.status_code == 200
    assert root["Content-Type"] == "application/json"
    body = root.json()
    assert set(body["resources"]) == LISTS
    assert body["resources"]["measures"] == "http://testserver/api/v1/measures/"
    assert body["sign_in"] == "http://testserver/api/v1/auth/token/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    assert body["redoc"] == "http://testserver/api/redoc/"
    # Every URL it gives answers, for the secretariat, with a list.
    secretariat = as_user("secretariat")
    for name, url in body["resources"].items():
        answer = secretariat.get(url)
        assert answer.status_code == 200, (name, answer.content[:200])
        assert "results" in answer.json(), name
    for url in (body["schema"], body["docs"], body["redoc"]):
        assert secretariat.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_root_follows_the_host_asked_for(settings):
    settings.ALLOWED_HOSTS = ["cica.example.org"]
    body = APIClient().get("/api/v1/", HTTP_HOST="cica.example.org", secure=True).json()
    assert body["schema"] == "https://cica.example.org/api/schema/"
    assert all(
        url.startswith("https://cica.example.org/api/v1/") for url in body["resources"].values()
    )


def test_the_root_is_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/"]["get"]
    assert operation["operationId"] == "api_root"
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["required"]) == {"resources", "sign_in", "schema", "docs", "redoc"}
    assert component["properties"]["resources"]["additionalProperties"]["format"] == "uri"
