"""Issue 16 item 13, the page parts: the title names the organisation by its
abbreviation in the reader's language ("· СВМДА", "· CICA"), the focus ring
stands out at 3:1 at least, and no label glues a colon to a translated word
(French puts a space before it: the colon belongs in the translation)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from tests.conftest import DEMO_PASSWORD

CSS = (Path(settings.BASE_DIR) / "static" / "cica" / "site.css").read_text(encoding="utf-8")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def abbreviation(language: str) -> str:
    with translation.override(language):
        return pgettext("abbreviation", "CICA")


def _ru_has_the_abbreviation() -> bool:
    return abbreviation("ru") == "СВМДА"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "fr"])
@pytest.mark.parametrize("url", ["/catalogue/", "/accounts/login/", "/search/?q=energy"])
def test_the_title_ends_with_the_abbreviation_in_the_readers_language(client, language, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(url).content.decode()
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    title = found.group(1)
    assert title.endswith(f" · {abbreviation(language)}")
    if language != "ru":
        assert title.endswith(" · CICA")


@pytest.mark.xfail(
    not _ru_has_the_abbreviation(),
    reason="the integrator adds msgctxt 'abbreviation' msgid 'CICA' -> 'СВМДА' to ru/django.po",
    strict=False,
)
@pytest.mark.django_db
def test_the_russian_title_says_svmda(client, people):
    client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get("/catalogue/").content.decode()
    assert re.search(r"<title>[^<]* · СВМДА</title>", html)


def _colour(value: str) -> tuple[float, float, float]:
    value = value.strip()
    var = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if var:
        declared = re.search(rf"{var.group(1)}\s*:\s*([^;]+);", CSS)
        assert declared, f"{var.group(1)} is not declared in site.css"
        value = declared.group(1)
    hexa = re.fullmatch(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", value.strip())
    assert hexa, f"not a hex colour: {value}"
    digits = hexa.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_colour(a)), _luminance(_colour(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_is_computed_as_wcag_does():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#f59e0b", "#ffffff"), 2) == 2.15  # the old ring: too faint


def test_the_focus_ring_is_at_least_three_to_one_against_the_backgrounds():
    rule = re.search(r":focus-visible\s*\{([^}]*)\}", CSS)
    assert rule, "site.css has no :focus-visible rule"
    declaration = re.search(r"outline\s*:\s*([^;]+);", rule.group(1))
    assert declaration, "the :focus-visible rule draws no outline"
    outline = declaration.group(1).split()
    width, colour = outline[0], outline[-1]
    assert width in ("3px", "2px") or width.endswith("px")
    # The page, the header and the quotes are white or --soft; a ring offset
    # from its element is drawn on them.
    for background in ("var(--bg)", "var(--soft)", "#ffffff"):
        assert contrast(colour, background) >= 3, (colour, background)


GLUED = re.compile(r"\{%\s*translate\s+[\"'][^\"']*[^:\"']\s*[\"']\s*%\}:")


def test_no_template_glues_a_colon_to_a_translated_string():
    """``{% translate "Status" %}:`` cannot become « Statut : »; the colon
    goes inside the translated string."""
    glued = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "admin" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        glued += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in GLUED.finditer(text)]
        glued += [
            f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
            for m in re.finditer(r"\{\{\s*[\w.]+\.(label|get_\w+_display)\s*\}\}:", text)
        ]
    assert glued == []
