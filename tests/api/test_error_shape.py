"""One error shape everywhere under /api/ (issue 15 item 3): an RFC 9457
problem (``application/problem+json``) with ``type``, ``title``, ``status``,
``detail``, ``code`` and ``errors`` — always all six — whether the view, a
domain rule, DRF, the input checks, the CSRF check or the site's own 404
refuses. A 400 on input names each field in ``errors``."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from cica.errors import field_errors
from tests.conftest import DEMO_PASSWORD

SHAPE = {"type", "title", "status", "detail", "code", "errors"}


def problem(answer, status: int, code: str | None = None) -> dict:
    assert answer.status_code == status, answer.content[:400]
    assert answer["Content-Type"] == "application/problem+json", answer["Content-Type"]
    body = answer.json()
    assert set(body) == SHAPE, body
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], list)
    if code is not None:
        assert body["code"] == code, body
    return body


def fields(body: dict) -> dict:
    return {error["field"]: error for error in body["errors"]}


@pytest.mark.django_db
def test_a_bad_body_names_each_field(as_user, drafting):
    secretariat = as_user("secretariat")
    answer = secretariat.post(
        f"/api/v1/initiatives/{drafting.pk}/designate-coordinators/",
        {"coordinators": ["KAZ", "XXX"], "co_coordinators": "TJK", "reason": "x" * 5001},
    )
    body = problem(answer, 400, "invalid")
    named = fields(body)
    assert set(named) == {"coordinators", "co_coordinators", "reason"}
    assert named["coordinators"]["code"] == "does_not_exist"
    assert named["co_coordinators"]["code"] == "not_a_list"
    assert named["reason"]["code"] == "max_length"
    assert "coordinators: " in body["detail"]
    assert drafting.designations.count() == 1  # nothing written


def test_nested_fields_are_named_by_dotted_path_list_items_by_index():
    """No action input nests objects since designate takes two code lists
    (issue 14); the flattening still names a nested field by its path, as a
    nested body (or a future input) would give it."""
    detail = ValidationError(
        {"designations": [{}, {"participant": ["No such state."], "role": ["Required."]}]}
    ).detail
    named = {error["field"]: error for error in field_errors(detail)}
    assert set(named) == {"designations.1.participant", "designations.1.role"}
    assert named["designations.1.role"]["detail"] == "Required."


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_an_error_about_no_field(as_user):
    answer = as_user("delegate-kaz").post("/api/v1/initiatives/", ["ECO-4"])
    body = problem(answer, 400, "invalid")
    assert [error["field"] for error in body["errors"]] == [None]
    assert body["errors"][0]["code"] == "invalid"


def test_a_bad_filter_names_the_parameter(db):
    body = problem(APIClient().get("/api/v1/measures/", {"area": "XXX"}), 400, "invalid")
    assert fields(body)["area"]["detail"] == "Unknown code: XXX."


@pytest.mark.django_db
def test_not_found_unknown_path_and_wrong_method(as_user):
    client = as_user("secretariat")
    body = problem(client.get("/api/v1/measures/ECO-99/"), 404, "not_found")
    assert "ECO-99" in body["detail"]
    assert body["errors"] == []
    problem(client.get("/api/v1/nothing-here/"), 404, "not_found")
    problem(client.delete("/api/v1/measures/"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_authentication_errors(api, people):
    missing = problem(api.post("/api/v1/initiatives/", {"measure": "ECO-4"}), 401)
    assert missing["code"] == "not_authenticated"
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    problem(api.get("/api/v1/measures/"), 401, "authentication_failed")


@pytest.mark.django_db
def test_a_wrong_password_is_a_401_invalid_credentials(api, people):
    answer = api.post(
        "/api/v1/auth/token/", {"username": "delegate-kaz", "password": "not the password"}
    )
    body = problem(answer, 401, "invalid_credentials")
    assert answer["WWW-Authenticate"] == "Token"
    assert body["errors"] == []
    missing = problem(api.post("/api/v1/auth/token/", {"username": "delegate-kaz"}), 400)
    assert set(fields(missing)) == {"password"}
    signed_in = api.post(
        "/api/v1/auth/token/", {"username": "delegate-kaz", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 200


@pytest.mark.django_db
def test_domain_refusals(as_user, drafting):
    # Not Mongolia's to withdraw? The observer cannot act at all: 403.
    refused = as_user("delegate-usa").post(
        f"/api/v1/initiatives/{drafting.pk}/withdraw/", {"reason": "x"}
    )
    problem(refused, 403)
    conflict = as_user("secretariat").post(f"/api/v1/initiatives/{drafting.pk}/refer-to-swg/")
    problem(conflict, 409)


@pytest.mark.django_db
def test_input_checks_and_csrf_answer_problems(people):
    client = APIClient()
    problem(client.get("/api/v1/measures/?search=%00"), 400, "invalid_input")
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(people["delegate-kaz"])
    refused = problem(session.post("/api/v1/initiatives/", {"measure": "ECO-4"}), 403)
    assert "CSRF" in refused["detail"]


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_problem(as_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    answer = as_user("delegate-kaz").post(
        "/api/v1/initiatives/", {"measure": "ECO-4", "statement": "x" * 2000}
    )
    problem(answer, 413, "too_large")


@pytest.mark.django_db
def test_throttled_is_a_429_problem_with_retry_after(api, settings):
    settings.CICA_THROTTLE_RATES = {"anon": "1/minute", "user": None, "signin": None}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    api.get("/api/v1/areas/")
    answer = api.get("/api/v1/areas/")
    problem(answer, 429, "throttled")
    assert int(answer["Retry-After"]) > 0


def test_the_schema_promises_the_shape_on_every_error_answer():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == SHAPE
    item = schema["components"]["schemas"]["ErrorItem"]
    assert set(item["required"]) == {"field", "code", "detail"}
    assert item["properties"]["field"].get("nullable") is True
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = operation["responses"]
            # 403 and 404 only where the operation can give them
            # (tests/api/test_schema_operations.py holds that).
            expected = {"400", "401", "429", "503"}
            if method in ("post", "put", "patch", "delete"):
                expected |= {"409", "413"}
            if "requestBody" in operation:
                expected.add("415")
            assert expected <= set(codes), (path, method, expected - set(codes))
            for code, response in codes.items():
                if int(code) >= 400:
                    assert response["content"] == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Error"}
                        }
                    }, (path, method, code)
                    checked += 1
    assert checked > 300
