"""Cheap polling for REST clients (issue 8, must show 3)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from measures.models import Initiative
from measures.services import initiative_open_consultation
from secretariat.models import Notification
from tests.problems import error_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/measures/",
        "/api/v1/measures/ECO-4/",
        "/api/v1/initiatives/",
        "/api/v1/participants/KAZ/",
    ],
)
def test_a_current_etag_gets_304_with_no_body(api, people, url):
    first = api.get(url)
    assert first.status_code == 200
    assert first["ETag"]
    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    eco4 = Initiative.objects.get(measure__code="ECO-4")
    initiative_open_consultation(actor=people.chair, initiative=eco4)
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    if url.endswith("KAZ/"):
        assert changed.status_code == 304  # nothing about Kazakhstan changed
    else:
        assert changed.status_code == 200
        assert changed["ETag"] != first["ETag"]


def test_updated_since_returns_exactly_the_changed_rows(api, people):
    with time_machine.travel("2027-01-10 09:00:00+00:00", tick=False):
        mark = timezone.now().isoformat()
    with time_machine.travel("2027-01-10 10:00:00+00:00", tick=False):
        for code in ("ECO-4", "NCT-2"):
            initiative_open_consultation(
                actor=people.chair, initiative=Initiative.objects.get(measure__code=code)
            )
    body = api.get("/api/v1/initiatives/", {"updated_since": mark}).json()
    assert sorted(r["reference"] for r in body["results"]) == ["ECO-4", "NCT-2"]
    body = api.get("/api/v1/measures/", {"updated_since": mark}).json()
    assert sorted(r["code"] for r in body["results"]) == ["ECO-4", "NCT-2"]
    later = api.get("/api/v1/initiatives/", {"updated_since": "2027-01-10T11:00:00Z"}).json()
    assert later["count"] == 0
    bad = api.get("/api/v1/initiatives/", {"updated_since": "last tuesday"})
    assert bad.status_code == 400
    assert "updated_since" in error_fields(bad)


def test_a_new_paper_version_counts_as_a_change(api, people):
    """Self-transitions (same status) still move updated_at, so pollers see them."""
    eco4 = Initiative.objects.get(measure__code="ECO-4")
    before = eco4.updated_at
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        api.force_authenticate(people["delegate-kaz"])
        api.post("/api/v1/initiatives/", {"measure": "ECO-4"})
    eco4.refresh_from_db()
    assert eco4.updated_at > before
    assert eco4.status == "interest_declared"


def test_api_answers_vary_by_who_asks(api):
    vary = api.get("/api/v1/measures/")["Vary"]
    for header in ("Authorization", "Cookie", "Accept-Language"):
        assert header in vary


def test_growing_lists_page_by_cursor_and_stay_stable(api, people):
    user = people["delegate-kaz"]
    for k in range(5):
        Notification.objects.create(
            recipient=user,
            kind="designation",
            idempotency_key=f"cursor:{k}",
            subject=f"S{k}",
            body="",
        )
    api.force_authenticate(user)
    first = api.get("/api/v1/notifications/", {"page_size": 2}).json()
    assert [r["subject"] for r in first["results"]] == ["S4", "S3"]
    assert "count" not in first
    # A new notification arrives while the client pages: the next page does not shift.
    Notification.objects.create(
        recipient=user, kind="designation", idempotency_key="cursor:new", subject="New", body=""
    )
    second = api.get(first["next"]).json()
    assert [r["subject"] for r in second["results"]] == ["S2", "S1"]
    assert api.get("/api/v1/notifications/", {"page_size": "x"}).status_code == 400
