"""Hostile input (issue 13 item 17): what PostgreSQL refuses — a NUL character
anywhere, a time-zone offset beyond ±15:59, JSON nested past any sense, a
JSON body over the memory limit — is refused where input enters the
application, with a message: JSON under /api/ (400, or 413 for the size), a
page elsewhere. Nothing changes in the database. Run on SQLite and on
PostgreSQL (where each of these was a 500)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from measures.models import Initiative
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "NUL character"


def _database_state() -> dict[str, int]:
    """Row counts of every table, history included (simple-history writes a
    row on every change of an audited record, so an update shows too)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }


@dataclass
class Hostile:
    label: str
    method: str
    path: str
    user: str | None = None
    json: Any = None
    body: bytes | None = None
    content_type: str | None = None
    form: dict | None = None
    status: int = 400
    message: str = NUL_MESSAGE
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return self.label


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


API_CASES = [
    Hostile("query-value", "get", "/api/v1/measures/?search=%00"),
    Hostile("query-value-participants", "get", "/api/v1/participants/?search=KAZ%00"),
    Hostile("query-name", "get", "/api/v1/information/?%00=1"),
    Hostile("query-filter", "get", "/api/v1/initiatives/?measure=ECO-4%00"),
    Hostile("path", "get", "/api/v1/measures/%00/"),
    Hostile("path-participant", "get", "/api/v1/participants/KAZ%00/"),
    Hostile(
        "offset-initiatives",
        "get",
        "/api/v1/initiatives/?updated_since=2026-01-01T00:00:00%2B20:00",
        message="updated_since",
    ),
    Hostile(
        "offset-measures",
        "get",
        "/api/v1/measures/?updated_since=2026-01-01T00:00:00-16:00",
        message="updated_since",
    ),
    Hostile(
        "moment-outside-the-years-in-utc",
        "get",
        "/api/v1/initiatives/?updated_since=0001-01-01T00:00:00%2B10:00",
        message="updated_since",
    ),
    Hostile(
        "session-cookie",
        "get",
        "/api/v1/initiatives/",
        extra={"HTTP_COOKIE": "sessionid=abcdefgh%00ijkl\x00mn"},
    ),
    Hostile(
        "host-not-allowed",
        "get",
        "/api/v1/measures/",
        extra={"HTTP_HOST": "evil.example"},
        message="could not be understood",
    ),
    Hostile(
        "json-value-anonymous",
        "post",
        "/api/v1/auth/token/",
        json={"username": "delegate-kaz\u0000", "password": DEMO_PASSWORD},
    ),
    Hostile(
        "json-key",
        "post",
        "/api/v1/auth/token/",
        json={"username": "delegate-kaz", "password": DEMO_PASSWORD, "x\u0000": 1},
    ),
    Hostile(
        "json-slug",
        "post",
        "/api/v1/initiatives/",
        user="delegate-kaz",
        json={"measure": "ECO-4\u0000"},
    ),
    Hostile(
        "json-nested-list",
        "post",
        "/api/v1/meetings/",
        user="secretariat",
        json={"body": "swg", "date": "2027-01-10", "present": [["KAZ\u0000"]]},
    ),
    Hostile(
        "form-field",
        "post",
        "/api/v1/auth/token/",
        body=b"username=delegate-kaz%00&password=x",
        content_type="application/x-www-form-urlencoded",
        # The API reads JSON (and uploads) only: a form is refused before it is read.
        status=415,
        message="application/x-www-form-urlencoded",
    ),
    Hostile(
        "multipart-field",
        "post",
        "/api/v1/information/",
        user="delegate-kaz",
        form={
            "title": "T",
            "text": "x",
            "kind": "national_report",
            "language": "en",
            "measures": "ECO-4\u0000",
        },
    ),
    Hostile(
        "multipart-meeting-found-by-the-fuzzer",
        "post",
        "/api/v1/meetings/",
        user="secretariat",
        json={"body": "swg", "date": "2027-01-10", "present": ["KAZ\u0000"]},
    ),
    Hostile(
        "id-filter-beyond-any-column-found-by-the-fuzzer",
        "get",
        "/api/v1/circulations/?initiative=-4.061384604565451e%2B296",
        user="secretariat",
        message="initiative",
    ),
    Hostile(
        "id-path-beyond-any-column",
        "get",
        "/api/v1/initiatives/" + "9" * 30 + "/",
        status=404,
        message="No initiative",
    ),
    Hostile(
        "deep-json",
        "post",
        "/api/v1/auth/token/",
        body=_deep(100_000),
        content_type="application/json",
        message="nested",
    ),
    Hostile(
        "deep-json-signed-in",
        "post",
        "/api/v1/initiatives/",
        user="delegate-kaz",
        body=b'{"measure": ' + _deep(5_000) + b"}",
        content_type="application/json",
        message="nested",
    ),
    Hostile(
        "json-over-the-memory-limit",
        "post",
        "/api/v1/auth/token/",
        body=json.dumps({"username": "x" * (3 * 1024 * 1024), "password": "y"}).encode(),
        content_type="application/json",
        status=413,
        message="MB",
    ),
]


def _api_client(case: Hostile):
    client = APIClient()
    if case.user:
        client.force_authenticate(get_user_model().objects.get(username=case.user))
    return client


@pytest.mark.parametrize("case", API_CASES, ids=str)
def test_item17_hostile_api_input_is_a_json_refusal_and_changes_nothing(people, case):
    """issue 13 item 17: NUL, offsets, nesting and size are refused as JSON."""
    client = _api_client(case)
    before = _database_state()
    if case.json is not None:
        answer = getattr(client, case.method)(case.path, case.json, format="json")
    elif case.form is not None:
        answer = getattr(client, case.method)(case.path, case.form, format="multipart")
    elif case.body is not None:
        answer = getattr(client, case.method)(case.path, case.body, content_type=case.content_type)
    else:
        answer = getattr(client, case.method)(case.path, **case.extra)
    assert answer.status_code == case.status, answer.content[:300]
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert case.message in json.dumps(body, ensure_ascii=False), body
    assert _database_state() == before


PAGE_CASES = [
    Hostile("session-cookie", "get", "/", extra={"HTTP_COOKIE": "sessionid=abcdefghij\x00"}),
    Hostile("catalogue-path", "get", "/catalogue/%00/"),
    Hostile("search-query", "get", "/search/?q=%00"),
    Hostile("catalogue-query", "get", "/catalogue/?area=ECO%00", user="delegate-kaz"),
    Hostile(
        "sign-in-form",
        "post",
        "/accounts/login/",
        form={"username": "delegate-kaz\u0000", "password": DEMO_PASSWORD},
    ),
    Hostile(
        "information-form",
        "post",
        "/information/new/",
        user="delegate-kaz",
        form={
            "title": "Hostile",
            "text": "x",
            "kind": "national_report",
            "language": "en",
            "visibility": "members",
            "measures": "1\u0000",
        },
    ),
]


@pytest.mark.parametrize("case", PAGE_CASES, ids=str)
def test_item17_hostile_page_input_is_a_page_with_the_message(people, case):
    """issue 13 item 17: NUL in a page's path, query or form is a 400 page."""
    client = Client()
    if case.user:
        client.force_login(people[case.user])
    before = _database_state()
    if case.form is not None:
        answer = client.post(case.path, case.form)
    else:
        answer = getattr(client, case.method)(case.path, **case.extra)
    assert answer.status_code == case.status, answer.content[:300]
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "<html" in page.lower()
    assert case.message in page
    assert _database_state() == before


def test_item17_a_nul_free_request_still_works(as_user):
    """issue 13 item 17: the checks refuse only what they should (control)."""
    delegate = as_user("delegate-kaz")
    answer = delegate.post("/api/v1/initiatives/", {"measure": "ECO-4"}, format="json")
    assert answer.status_code in (200, 201), answer.content
    assert Initiative.objects.filter(measure__code="ECO-4").exists()
    nested = {"title": "T", "text": "ünïcödé\u00a0text", "measures": ["ECO-4"]}
    ok = delegate.post("/api/v1/information/", nested, format="multipart")
    assert ok.status_code in (201, 400)
    assert "NUL" not in ok.content.decode()
    since = "2026-01-01T00:00:00+15:59"
    assert delegate.get("/api/v1/initiatives/", {"updated_since": since}).status_code == 200
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 3 * 1024 * 1024
