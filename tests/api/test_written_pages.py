"""Issue 18, target 1: on PostgreSQL a list page's rows are written as JSON
by the database and go out as they are (cica.sqljson, cica.renderers). What
a client reads must not change: the same bytes as the several-query path
for hostile text, every date as DRF writes it in the current time zone, an
indented or browsable page decoded, the statement prepared (or not, when
told) with the same answer."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework import serializers

from cica.renderers import JSONRenderer
from cica.sqljson import JSONArrayText, isoformat
from measures import selectors
from measures.models import Initiative, Measure

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL writes the rows"
)

# What a title or a text may hold that JSON must escape, or must not: quotes,
# a backslash, line ends, a control character, the two separators DRF
# escapes for JavaScript, non-ASCII and a character outside the BMP, HTML.
HOSTILE = 'a "quoted" \\ back\r\nslash\t\x01\x1f \u2028\u2029 é Жж 😀 </script><b>&amp;'

URLS = [
    "/api/v1/measures/?page_size=100",
    "/api/v1/measures/?search=ECO&page_size=5&page=2",
    "/api/v1/initiatives/?page_size=100",
    "/api/v1/initiatives/?status=drafting&page_size=2&page=2",
]


def _several_query_path(monkeypatch):
    monkeypatch.setattr(selectors, "lists_nest_json", lambda: False)


@pytest.fixture
def hostile(db):
    """A measure with hostile text in every language and a missing one, and
    initiatives created at dates with and without microseconds, before and
    after Almaty changed its offset (2024-03-01: +06:00 -> +05:00)."""
    Measure.objects.filter(code="ECO-1").update(
        title_en=HOSTILE, title_fr="", title_ru=HOSTILE[::-1], text_en="", text_fr=HOSTILE
    )
    stamps = [
        datetime.datetime(2024, 2, 29, 18, 0, 0, tzinfo=datetime.UTC),  # 00:00 next day, +06
        datetime.datetime(2024, 3, 1, 18, 0, 0, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2007, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC),
    ]
    bare = Measure.objects.filter(initiatives__isnull=True).order_by("pk")[:3]
    for n, (measure, stamp) in enumerate(zip(bare, stamps, strict=True)):
        initiative = Initiative.objects.create(measure=measure, status="drafting", sequence=1 + n)
        Initiative.objects.filter(pk=initiative.pk).update(created_at=stamp, updated_at=stamp)
        Measure.objects.filter(pk=measure.pk).update(lead_initiative=initiative)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_written_pages_answer_byte_for_byte_as_the_several_query_path(
    api, hostile, monkeypatch, url, language
):
    now = api.get(url, HTTP_ACCEPT_LANGUAGE=language)
    with monkeypatch.context() as patch:
        _several_query_path(patch)
        before = api.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert now.status_code == before.status_code == 200
    assert now.content == before.content
    body = now.json()
    assert body["results"]
    if "measures/?page_size=100" in url:
        eco1 = next(item for item in body["results"] if item["code"] == "ECO-1")
        assert eco1["titles"]["en"] == HOSTILE
        assert b"\\u2028" in now.content
        assert "\u2028".encode() not in now.content


@on_postgresql
@pytest.mark.parametrize(
    "zone", ["Asia/Almaty", "UTC", "America/St_Johns", "Asia/Kathmandu", "Europe/Amsterdam"]
)
def test_dates_are_written_as_drf_writes_them(zone):
    """cica.sqljson.isoformat against DRF's DateTimeField in the current time
    zone: microseconds or none, offsets of half and three quarters of an
    hour, negative ones, UTC as Z, and an offset with seconds (Amsterdam's
    +00:19:32 of 1900)."""
    field = serializers.DateTimeField()
    stamps = [
        datetime.datetime(2026, 12, 7, 5, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 7, 5, 0, 0, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(1900, 1, 1, 12, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(1, 1, 2, 0, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(9999, 12, 30, 0, 0, 0, 500000, tzinfo=datetime.UTC),
    ]
    with timezone.override(ZoneInfo(zone)), connection.cursor() as cursor:
        for stamp in stamps:
            cursor.execute(
                f"SELECT {isoformat('t.v', zone)} FROM (SELECT %s::timestamptz AS v) t", [stamp]
            )
            (written,) = cursor.fetchone()
            assert written == field.to_representation(stamp), stamp
        cursor.execute(f"SELECT {isoformat('NULL::timestamptz', zone)}")
        assert cursor.fetchone() == (None,)


def test_an_indented_page_is_decoded_and_indented(api, hostile):
    """``Accept: application/json; indent=4`` and the browsable API: the rows
    PostgreSQL wrote are decoded and DRF writes the page as it always did."""
    compact = api.get("/api/v1/measures/?page_size=3").json()
    indented = api.get("/api/v1/measures/?page_size=3", HTTP_ACCEPT="application/json; indent=4")
    assert indented.status_code == 200
    assert b'\n    "count": ' in indented.content
    assert json.loads(indented.content) == compact
    browsable = api.get("/api/v1/measures/?page_size=3", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200
    assert b"ECO-1" in browsable.content


def test_the_renderer_writes_texts_as_they_are_and_the_rest_as_drf():
    page = {
        "count": 2,
        "next": "http://x/?page=2&q=\u2028",
        "previous": None,
        "results": JSONArrayText(['{"a":1}', '{"b":"\u2029"}']),
    }
    written = JSONRenderer().render(page)
    assert written == (
        b'{"count":2,"next":"http://x/?page=2&q=\\u2028","previous":null,'
        b'"results":[{"a":1},{"b":"\\u2029"}]}'
    )
    assert JSONRenderer().render({"results": JSONArrayText([])}) == b'{"results":[]}'
    # Read as a list, the texts are decoded (the browsable API, a test's .data).
    assert page["results"] == [{"a": 1}, {"b": "\u2029"}]
    assert page["results"][1:] == [{"b": "\u2029"}]


@on_postgresql
def test_list_pages_run_prepared_with_the_same_answer(api, hostile):
    """The page's statement is prepared on the connection (planned once);
    with CICA_DB_PREPARE off it is not, and the bytes are the same. (A page
    no other test asks for: the connection outlives the test.)"""
    url = "/api/v1/measures/?page_size=11&page=2"

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if "LIMIT 11 OFFSET 11" in row[0]]

    with override_settings(CICA_DB_PREPARE=False):
        plain = api.get(url)
    assert prepared() == []
    first = api.get(url)
    second = api.get(url)
    statements = prepared()
    assert len(statements) == 1
    assert "ROW_TO_JSON" in statements[0]
    assert plain.status_code == 200
    assert plain.content == first.content == second.content


@on_postgresql
def test_the_connection_plans_for_rows_in_memory():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
