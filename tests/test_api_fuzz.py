"""API fuzzing with schemathesis (issue 9, must show 3): every operation of
/api/schema/ is called with generated input, as an anonymous reader and as a
member state's delegate. No answer may be a server error, and every answer
(status, content type, headers, body) must be what the schema says."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from members.services import api_token_issue

EXAMPLES = 15

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _load_schema():
    from cica.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the WSGI app itself, so Django closes the database
    connection after each request as in production; the test's transaction
    lives on that connection. Django's test client keeps it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def delegate_token(people):
    _token, secret = api_token_issue(user=people["delegate-kaz"], name="fuzz")
    return secret


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@FUZZ
def test_the_api_keeps_to_its_schema_for_anonymous_readers(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_the_api_keeps_to_its_schema_for_a_delegate(case, delegate_token):
    case.call_and_validate(headers={"Authorization": f"Token {delegate_token}"}, checks=CHECKS)


@pytest.mark.parametrize("year", ["0", "1.5", "10000", "-3", "x"])
def test_a_year_outside_the_calendar_is_a_400(api, year):
    """Found by the fuzzer: ?year=0 made Python's dates fail (a 500)."""
    answer = api.get(f"/api/v1/information/?year={year}")
    assert answer.status_code == 400 and "year" in answer.json()
