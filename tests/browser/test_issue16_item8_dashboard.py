"""Issue 16 item 8 in a real browser: the secretariat reads the dashboard chart
(labels of at least 12 px as drawn, counts on the bars, a legend of the
statuses present, a table with the same figures), in English and Russian."""

import pytest

from measures.models import Initiative, Measure
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# Each text of the chart: its font size as drawn on the screen (CSS size times
# the SVG's scale), its text, and whether it is inside the viewport's width.
DRAWN_TEXTS = """() => {
  const svg = document.querySelector('#chart');
  const scale = svg.getScreenCTM().a;
  return [...svg.querySelectorAll('text')].map(t => ({
    px: parseFloat(getComputedStyle(t).fontSize) * scale,
    text: t.textContent.trim(),
    cls: t.getAttribute('class'),
    area: t.dataset.area || '',
    fill: getComputedStyle(t).fill,
    visible: t.getBoundingClientRect().width > 0,
  }));
}"""


@pytest.fixture
def initiatives(people):
    Initiative.objects.filter(measure__code__in=["ECO-2", "ECO-3"]).update(status="adopted")
    for code, status in [("HUM-1", "drafting"), ("HUM-2", "drafting"), ("ENV-5", "drafting")]:
        Initiative.objects.create(measure=Measure.objects.get(code=code), status=status)


def sign_in(page, base_url, language):
    # The language cookie for the whole site (a cookie set from a page's URL
    # would hold only for that page's path).
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": base_url + "/"}]
    )
    page.goto("/admin/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")


@pytest.mark.parametrize(
    ("language", "legend", "caption"),
    [
        (
            "en",
            ["Interest declared", "Drafting", "Adopted"],
            "Initiatives by priority area and status",
        ),
        (
            "ru",
            ["Заявлена заинтересованность", "Подготовка документа", "Принято"],
            "Инициативы по приоритетным областям и статусам",
        ),
    ],
)
def test_the_secretariat_reads_the_dashboard_chart(
    page, axe, shoot, live_server, initiatives, language, legend, caption
):
    sign_in(page, live_server.url, language)
    page.goto("/admin/dashboard/")
    assert page.locator("html").get_attribute("lang") == language
    chart = page.locator("#chart")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()

    texts = page.evaluate(DRAWN_TEXTS)
    assert texts
    for text in texts:
        assert text["px"] >= 12, text
        assert text["visible"], text
    counts = sorted((t["area"], t["text"]) for t in texts if t["cls"] == "count")
    # ECO: 2 adopted + 2 interest declared (ECO-4, ECO-9); HUM: 2 drafting;
    # ENV: ENV-3 interest declared + ENV-5 drafting; NCT: NCT-2 interest declared.
    assert counts == sorted(
        [("ECO", "2"), ("ECO", "2"), ("ENV", "1"), ("ENV", "1"), ("HUM", "2"), ("NCT", "1")]
    )
    totals = {t["area"]: t["text"] for t in texts if t["cls"] == "bar-total"}
    assert totals == {"ECO": "4", "ENV": "2", "HUM": "2", "NCT": "1"}

    assert page.locator(".chart-panel .legend li").all_inner_texts() == legend

    table = page.locator("#chart-table")
    assert table.is_visible()
    assert table.locator("caption").inner_text().strip() == caption
    eco = table.locator("tr[data-area=ECO] td").all_inner_texts()
    assert eco == ["2", "0", "2", "4"]
    # The chart's name as a screen reader announces it, and the table is in
    # the accessibility tree (not hidden from it).
    assert page.get_by_role("img", name=caption).count() == 1
    assert page.get_by_role("table", name=caption).count() == 1

    axe(page)
    shoot(page, f"issue16-item8-dashboard-{language}")
