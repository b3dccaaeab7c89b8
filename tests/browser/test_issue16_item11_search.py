"""Issue 16 item 11 in a real browser: the search box finds ECO-3 from
"энергия" in Russian and from "énergie" in French, and shows its name in the
reader's language; axe finds nothing serious; within the CSP."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def in_language(page, language):
    page.goto("/search/")
    if language != "en":
        page.locator("#language").select_option(language)
        page.wait_for_function(f"document.documentElement.lang === '{language}'")


@pytest.mark.parametrize(
    ("language", "query", "title"),
    [
        ("ru", "энергия", "Энергетическая безопасность"),
        ("fr", "énergie", "Sécurité énergétique"),
        ("fr", "ENERGIE", "Sécurité énergétique"),
        ("en", "energy", "Energy security"),
    ],
)
def test_the_search_box_finds_energy_security(page, shoot, axe, people, language, query, title):
    in_language(page, language)
    page.goto("/search/")
    box = page.locator("#q")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    found = page.locator("#search-measures").inner_text()
    assert "ECO-3" in found
    assert title in found
    assert page.locator("#search-measures li").count() == 1
    axe(page)
    shoot(page, f"issue16-item11-search-{language}-{query.lower()}")


def test_states_and_initiatives_are_found(page, shoot, axe, people):
    in_language(page, "ru")
    page.goto("/search/")
    page.locator("#q").fill("Россия")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "RUS" in page.locator("#search-states").inner_text()
    page.locator("#q").fill("ECO-4")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/search/?q=ECO-4")
    assert "ECO-4" in page.locator("#search-initiatives").inner_text()
    axe(page)
    shoot(page, "issue16-item11-search-ru-initiative")
