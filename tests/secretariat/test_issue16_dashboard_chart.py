"""Issue 16 item 8: the dashboard chart can be read.

Labels of at least 12 px, colours at least 3:1 against their neighbours and
the background (WCAG 2 relative luminance, computed here from the palette the
chart really uses), a legend of the series present only, the counts on the
bars, and a table with the same figures for screen readers."""

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from measures.models import Initiative, Measure
from measures.workflow import Status
from secretariat import selectors
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""
    value = colour.lstrip("#")
    assert re.fullmatch(r"[0-9a-fA-F]{6}", value), colour

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # The two blues the issue measured side by side: far below 3:1.
    assert contrast("#9ecae1", "#6baed6") < 1.5


def test_neighbouring_series_differ_by_at_least_3_to_1():
    palette = [selectors.STATUS_COLOURS[s.value] for s in Status]
    assert len(set(palette)) == len(palette), "one colour per series"
    for a, b in pairwise(palette):
        assert contrast(a, b) >= 3, f"{a} next to {b}: {contrast(a, b):.2f}:1"


def test_every_series_stands_out_from_the_background_by_3_to_1():
    background = selectors.CHART_BACKGROUND
    for status, colour in selectors.STATUS_COLOURS.items():
        assert contrast(colour, background) >= 3, f"{status} {colour} on {background}"


class SvgReader(HTMLParser):
    """The chart's elements as the browser receives them."""

    def __init__(self):
        super().__init__()
        self.in_svg = 0
        self.svg_attrs: dict[str, str] = {}
        self.texts: list[dict[str, str]] = []
        self.rects: list[dict[str, str]] = []
        self._text: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "svg" and attributes.get("id") == "chart":
            self.in_svg = 1
            self.svg_attrs = attributes
        elif self.in_svg and tag == "svg":
            self.in_svg += 1
        elif self.in_svg and tag == "text":
            self._text = {**attributes, "content": ""}
            self.texts.append(self._text)
        elif self.in_svg and tag == "rect":
            self.rects.append(attributes)

    def handle_endtag(self, tag):
        if tag == "svg" and self.in_svg:
            self.in_svg -= 1
        elif tag == "text":
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text["content"] += data


@pytest.fixture
def two_statuses(people):
    """Initiatives in two statuses only: the seed's six (ECO-2, -3, -4, -9,
    ENV-3, NCT-2) put at adopted, and four more."""
    Initiative.objects.update(status="adopted")
    for code, status in [
        ("HUM-1", "drafting"),
        ("HUM-2", "drafting"),
        ("HUM-3", "adopted"),
        ("ECO-5", "drafting"),
    ]:
        Initiative.objects.create(measure=Measure.objects.get(code=code), status=status)


def dashboard(client, language="en"):
    assert client.login(username="secretariat", password=DEMO_PASSWORD)
    client.cookies["django_language"] = language
    response = client.get("/admin/dashboard/")
    assert response.status_code == 200
    return response


def read_chart(html: str) -> SvgReader:
    reader = SvgReader()
    reader.feed(html)
    assert reader.svg_attrs, "no <svg id=chart>"
    return reader


def test_chart_labels_are_at_least_12px_and_not_scaled_down(client, two_statuses):
    html = dashboard(client).content.decode()
    chart = read_chart(html)
    assert chart.texts
    for text in chart.texts:
        size = text.get("font-size")
        assert size is not None, text
        assert float(size) >= 12, text
    # Drawn at its own size: one unit of the viewBox is one CSS pixel, so a
    # 13 px label is not shrunk to 7 px by a narrow column.
    _x, _y, vb_width, vb_height = (float(v) for v in chart.svg_attrs["viewbox"].split())
    assert float(chart.svg_attrs["width"]) == vb_width
    assert float(chart.svg_attrs["height"]) == vb_height


def test_legend_holds_only_the_series_present(client, two_statuses):
    response = dashboard(client)
    html = response.content.decode()
    legend = re.search(r'<ul class="legend"[^>]*>(.*?)</ul>', html, re.S)
    assert legend
    items = re.findall(r"<li[^>]*>(.*?)</li>", legend.group(1), re.S)
    labels = [re.sub(r"<[^>]+>", "", item).strip() for item in items]
    assert labels == ["Drafting", "Adopted"]
    assert [i["label"] for i in response.context["chart"]["legend"]] == ["Drafting", "Adopted"]


def test_counts_are_written_on_the_bars_readably(client, two_statuses):
    html = dashboard(client).content.decode()
    chart = read_chart(html)
    counts = [
        (t.get("data-area"), t.get("data-status"), t["content"])
        for t in chart.texts
        if t.get("class") == "count"
    ]
    assert sorted(counts) == sorted(
        [
            ("ECO", "drafting", "1"),
            ("ECO", "adopted", "4"),
            ("ENV", "adopted", "1"),
            ("HUM", "drafting", "2"),
            ("HUM", "adopted", "1"),
            ("NCT", "adopted", "1"),
        ]
    )
    totals = {
        t.get("data-area"): t["content"] for t in chart.texts if t.get("class") == "bar-total"
    }
    assert totals == {"ECO": "5", "ENV": "1", "HUM": "3", "NCT": "1"}
    # Each count is legible on its own segment (4.5:1, text below 18 px).
    segments = {
        (r.get("data-area"), r.get("data-status")): r["fill"]
        for r in chart.rects
        if r.get("data-status")
    }
    for text in chart.texts:
        if text.get("class") == "count":
            fill = segments[(text["data-area"], text["data-status"])]
            assert contrast(text["fill"], fill) >= 4.5, (text, fill)


def test_adjacent_segments_are_3_to_1_apart_or_separated_by_the_background(client, people):
    """Even when a status between two present ones is missing from a bar."""
    for code, status in [
        ("ECO-5", "drafting"),
        ("HUM-1", "interest_declared"),
        ("HUM-2", "drafting"),
    ]:
        Initiative.objects.create(measure=Measure.objects.get(code=code), status=status)
    chart = read_chart(dashboard(client).content.decode())
    palette = set(selectors.STATUS_COLOURS.values())
    bars: dict[str, list[dict[str, str]]] = {}
    for rect in chart.rects:
        if rect.get("data-status"):
            assert rect["fill"] in palette, "the palette tested above is the one drawn"
            bars.setdefault(rect["data-area"], []).append(rect)
    assert bars
    for segments in bars.values():
        for left, right in pairwise(segments):
            gap = float(right["x"]) - (float(left["x"]) + float(left["width"]))
            assert contrast(left["fill"], right["fill"]) >= 3 or gap >= 2


def test_a_table_gives_the_same_figures_to_screen_readers(client, two_statuses):
    html = dashboard(client).content.decode()
    chart = read_chart(html)
    assert chart.svg_attrs.get("role") == "img"
    labelled_by = chart.svg_attrs.get("aria-labelledby") or ""
    for ident in labelled_by.split():
        assert f'id="{ident}"' in html
    table = re.search(r'<table id="chart-table".*?</table>', html, re.S)
    assert table, "no table alternative"
    body = table.group(0)
    assert re.search(r"<caption[^>]*>\s*Initiatives by priority area and status", body)
    header = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', body, re.S)
    assert [h.strip() for h in header] == ["Priority area", "Drafting", "Adopted", "Total"]
    rows = {
        m.group(1): re.findall(r"<td[^>]*>(.*?)</td>", m.group(2))
        for m in re.finditer(
            r'<tr data-area="(\w+)">\s*<th scope="row">.*?</th>(.*?)</tr>', body, re.S
        )
    }
    assert rows["HUM"] == ["2", "1", "3"]
    assert rows["ECO"] == ["1", "4", "5"]
    assert rows["ENV"] == ["0", "1", "1"]
    # Not hidden from assistive technology.
    assert "aria-hidden" not in body.split(">")[0]


def test_the_chart_speaks_russian(client, two_statuses):
    html = dashboard(client, "ru").content.decode()
    assert 'lang="ru"' in html
    table = re.search(r'<table id="chart-table".*?</table>', html, re.S)
    assert table
    body = table.group(0)
    for russian in (
        "Инициативы по приоритетным областям и статусам",
        "Подготовка документа",
        "Принято",
    ):
        assert russian in body
    assert "Drafting" not in body
