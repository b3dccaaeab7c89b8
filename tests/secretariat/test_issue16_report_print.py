"""Issue 16 item 13: the printable status report carries the CICA heading and
its "as of" date in the reader's language (the date of the secretariat's
zone), numbers its printed pages and prints its tables at full width."""

import datetime
import re

import pytest
import time_machine
from django.contrib.staticfiles import finders

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# 22:30 UTC on 5 December is already 6 December in Almaty, the secretariat's zone.
EVENING_UTC = datetime.datetime(2026, 12, 5, 22, 30, tzinfo=datetime.UTC)


def report(client, language="en"):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    client.cookies["django_language"] = language
    with time_machine.travel(EVENING_UTC, tick=False):
        response = client.get("/admin/report/")
    assert response.status_code == 200
    return response.content.decode()


def heading(html: str) -> str:
    block = re.search(r'<header class="report-head">(.*?)</header>', html, re.S)
    assert block, "no report heading"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block.group(1))).strip()


def test_the_report_opens_with_cica_and_the_as_of_date(client, people):
    html = report(client)
    head = heading(html)
    assert "Conference on Interaction and Confidence-Building Measures in Asia" in head
    assert "CICA" in head
    assert "Status report of the Catalogue" in head
    assert "As of Dec. 6, 2026" in head  # the date format of the site in English
    assert '<time datetime="2026-12-06">' in html


def test_the_as_of_date_is_in_the_readers_language(client, people):
    head = heading(report(client, "ru"))
    assert "6 декабря 2026" in head
    assert "СВМДА" in head
    head = heading(report(client, "fr"))
    assert "6 décembre 2026" in head


def stylesheets(html: str) -> str:
    """The text of the report's own stylesheets (static/cica/...)."""
    texts = []
    for href in re.findall(r'<link rel="stylesheet" href="/static/(cica/[^"]+)"', html):
        path = finders.find(href.split("?")[0])
        assert path, href
        with open(path, encoding="utf-8") as handle:
            texts.append(handle.read())
    assert texts
    return "\n".join(texts)


def test_printed_pages_are_numbered(client, people):
    css = stylesheets(report(client))
    page = re.search(r"@page\s*\{(.*?)\n\}", css, re.S)
    assert page, "no @page rule"
    assert re.search(r"@bottom-(center|right)\s*\{[^}]*counter\(page\)", page.group(1))
    assert "counter(pages)" in page.group(1)


def test_tables_print_at_full_width(client, people):
    html = report(client)
    css = stylesheets(html)
    prints = re.findall(r"@media print\s*\{(.*?)\n\}", css, re.S)
    assert prints
    rules = "\n".join(prints)
    assert re.search(r"table\.report\s*\{[^}]*width:\s*100%", rules)
    # The admin's chrome (header, breadcrumbs, sidebar, links) is not printed.
    assert re.search(r"#header[^{]*\{[^}]*display:\s*none", rules)
    # Each table repeats its heading row on every printed page.
    assert re.search(r"thead\s*\{[^}]*display:\s*table-header-group", rules)
    assert html.count('<table class="report"') == html.count("<thead>") >= 4
