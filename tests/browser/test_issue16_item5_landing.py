"""Issue 16 items 5 and 7 in a real browser: the public landing page (English
and French) says what CICA's Catalogue is, shows a measure with its public
status and an adopted decision, and offers sign-in; an observer's desk offers
what an observer may do; the designation form in the admin, in Russian, sorts
the states by their Russian names, says who declared and who offered, and
puts "Reason" last. axe finds nothing serious on each page; the page fixture
fails on any CSP violation."""

import pytest
from django.utils import timezone

from measures.inputs import name_sort_key
from measures.models import Initiative, InterestDeclaration, Measure
from members.models import Participant
from tests.conftest import DEMO_PASSWORD
from tests.pages.test_issue16_landing import _adopted, _initiative

pytestmark = pytest.mark.django_db(transaction=True)


def _language(page, language):
    page.locator("#language").select_option(language)
    page.wait_for_function(f"document.documentElement.lang === '{language}'")


@pytest.mark.parametrize(
    ("language", "sign_in", "adopted", "area"),
    [("en", "Sign in", "Adopted", "Economy"), ("fr", "Se connecter", "Adoptée", "Économie")],
)
def test_the_public_landing_page(page, shoot, axe, people, language, sign_in, adopted, area):
    decision = _adopted("ECO-4", 20)
    _initiative(Measure.objects.get(code="HUM-5"), "drafting")
    page.goto("/")
    if language != "en":
        _language(page, language)
    assert page.url.endswith("/")
    heading = page.locator("h1").inner_text()
    assert "CICA" in heading
    intro = page.locator("section.intro").inner_text()
    # What the Catalogue is (English until the integrator translates it).
    assert "CICA" in intro
    # A measure with its public status, under its priority area.
    assert area in page.locator("#area-ECO").inner_text()
    row = page.locator("tr.measure-row", has=page.locator('a[href="/catalogue/ECO-4/"]'))
    assert adopted in row.inner_text()
    # An adopted decision, with its symbol.
    decisions = page.locator("#decisions").inner_text()
    assert decision.symbol in decisions
    assert "2026" in decisions
    # Sign-in is offered, and leads to the sign-in form.
    link = page.locator("section.intro").get_by_role("link", name=sign_in)
    assert link.is_visible()
    axe(page)
    shoot(page, f"issue16-item5-landing-{language}")
    link.click()
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("#id_username").is_visible()


def test_the_observers_desk(page, shoot, axe, people):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("delegate-usa")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert "takes part as an observer" in page.locator("#observer-role").inner_text()
    headings = page.locator("h2").all_inner_texts()
    assert "To read and acknowledge" in headings
    assert "Awaiting our answer" not in headings
    assert "Our initiatives" not in headings
    assert page.locator("a[href$='/declare/']").count() == 0
    axe(page)
    shoot(page, "issue16-item5-observer-desk")


def test_the_designation_form_in_russian(page, shoot, axe, people):
    measure = Measure.objects.get(code="ECO-9")  # Korea offered it in the annex
    initiative = _initiative(measure, "consultation")
    for code in ("IRN", "TJK"):
        InterestDeclaration.objects.create(
            initiative=initiative,
            participant=Participant.objects.get(code=code),
            declared_on=timezone.localdate(),
        )
    page.goto("/")
    _language(page, "ru")
    page.goto("/admin/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"/admin/measures/initiative/{initiative.pk}/act/designate_coordinators/")
    assert page.locator("html").get_attribute("lang") == "ru"
    options = page.locator("#id_coordinators option")
    labels = options.all_inner_texts()
    names = [label.split(" (")[0] for label in labels]
    assert names[0].startswith("А")  # Russian names…
    assert names == sorted(names, key=name_sort_key)  # …in Russian order
    by_code = dict(zip(options.evaluate_all("os => os.map(o => o.value)"), labels, strict=True))
    # Who declared interest and who offered in the annex, next to the choice.
    assert " — " in by_code["IRN"]
    assert " — " in by_code["TJK"]
    assert " — " in by_code["KOR"]
    assert " — " not in by_code["CHN"]
    # "Reason" last.
    fields = page.locator("form [name]").evaluate_all("es => es.map(e => e.name)")
    shown = [f for f in fields if f in ("coordinators", "co_coordinators", "reason")]
    assert shown == ["coordinators", "co_coordinators", "reason"]
    axe(page)
    shoot(page, "issue16-item7-designation-ru")
    assert Initiative.objects.get(pk=initiative.pk).status == "consultation"
