"""Every timestamp the API gives follows one convention (issue 15 item 5):
ISO 8601 in the configured zone (``TIME_ZONE``) with its offset, as DRF
writes it; a naive ``updated_since`` is refused."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from secretariat.models import WebhookDelivery
from tests import authz_scenario
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?$")
# A date and a time without an offset would be read however the client likes.
CONVENTION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d:\d\d$")


def assert_convention(text: str, where: str) -> None:
    """The configured zone with its offset at that moment: ``+05:00`` in
    Almaty, never ``Z`` or ``+00:00`` (unless the zone is UTC), never naive."""
    assert CONVENTION.match(text), f"{where}: {text!r} is not a date-time with an offset"
    moment = datetime.datetime.fromisoformat(text)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    expected = moment.astimezone(zone).utcoffset()
    assert moment.utcoffset() == expected, f"{where}: {text!r} is not in {settings.TIME_ZONE}"


def timestamps(value, where="") -> list[tuple[str, str]]:
    """Every string in a JSON document that looks like a date and a time."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += timestamps(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += timestamps(item, f"{where}[{index}]")
    elif isinstance(value, str) and TIMESTAMP.match(value):
        found.append((where, value))
    return found


def list_paths() -> list[str]:
    """The GET collections of the schema (no path parameter)."""
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" not in path and path.startswith("/api/v1/")
    )


def detail_key(path: str, row: dict) -> str | None:
    for key in ("id", "code"):
        if key in row and row[key] is not None:
            return f"{path}{row[key]}/"
    return None


@pytest.fixture
def world(people, settings, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        return authz_scenario.build()


@pytest.mark.parametrize("role", ["sec", "concerned"])
def test_every_timestamp_of_every_resource_is_in_the_configured_zone(world, role, settings):
    client = APIClient()
    client.force_authenticate(world.users[role])
    checked: dict[str, int] = {}
    for path in list_paths():
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.content[:300])
        body = answer.json()
        documents = [(path, body)]
        rows = body.get("results", body) if isinstance(body, dict) else body
        if isinstance(rows, list):
            for row in rows[:30]:
                detail = detail_key(path, row) if isinstance(row, dict) else None
                if detail is None:
                    continue
                got = client.get(detail)
                assert got.status_code == 200, (detail, got.content[:300])
                documents.append((detail, got.json()))
                if path == "/api/v1/initiatives/":
                    actions = client.get(f"{detail}actions/")
                    documents.append((f"{detail}actions/", actions.json()))
        for where, document in documents:
            for key, text in timestamps(document, where):
                assert_convention(text, key)
                name = key.rsplit(".", 1)[-1]
                checked[name] = checked.get(name, 0) + 1
    # The walk saw the timestamps it is about, among them a receipt's position.
    assert {"created_at", "circulated_at", "recorded_at", "submitted_at"} <= set(checked)
    if role == "sec":
        assert "position_at" in checked, sorted(checked)
        assert "updated_at" in checked, sorted(checked)


def test_a_new_tokens_expiry_is_in_the_same_convention(api, people):
    answer = api.post(
        "/api/v1/auth/token/",
        {"username": "secretariat", "password": DEMO_PASSWORD},
        format="json",
    )
    assert answer.status_code in (200, 201), answer.content
    found = timestamps(answer.json(), "token")
    assert found
    for where, text in found:
        assert_convention(text, where)


def test_webhook_payloads_give_times_in_the_same_convention(world):
    payloads = [d.payload for d in WebhookDelivery.objects.all()]
    assert payloads
    for payload in payloads:
        found = timestamps(payload, "payload")
        assert found, payload
        for where, text in found:
            assert_convention(text, where)


@pytest.mark.parametrize("path", ["/api/v1/initiatives/", "/api/v1/measures/"])
@pytest.mark.parametrize(
    "since", ["2027-01-10T09:00:00", "2027-01-10T09:00", "2027-01-10 09:00:00", "2027-01-10"]
)
def test_a_naive_updated_since_is_refused_with_the_remedy(api, people, path, since):
    answer = api.get(path, {"updated_since": since})
    assert answer.status_code == 400, answer.content
    assert "updated_since" in answer.content.decode()
    assert "offset" in answer.content.decode().lower()


@pytest.mark.parametrize(
    "since", ["2027-01-10T09:00:00Z", "2027-01-10T14:00:00+05:00", "2027-01-10T04:00:00.5-00:00"]
)
def test_an_updated_since_with_an_offset_is_read(api, people, since):
    assert api.get("/api/v1/initiatives/", {"updated_since": since}).status_code == 200
