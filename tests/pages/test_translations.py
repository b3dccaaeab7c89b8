"""Every UI string is translated into Russian and French (issue 6, must show 2)."""

import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation import get_language_info

from tests.conftest import DEMO_PASSWORD

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGS = ["ru", "fr"]


def read_po(path: Path) -> dict[str, Any]:
    """msgid -> msgstr (plural entries keyed by msgid, first form), without polib.
    An entry with a context is keyed as gettext keys it: ``context\x04msgid``."""
    entries: dict[str, Any] = {}
    msgid, msgstr, field, context = None, None, None, None
    fuzzy: set[str] = set()
    pending_fuzzy = False

    def flush():
        nonlocal msgid, msgstr, context
        if msgid:  # skip the header (empty msgid)
            key = f"{context}\x04{msgid}" if context is not None else msgid
            entries[key] = msgstr or ""
            if pending_fuzzy:
                fuzzy.add(key)
        msgid = msgstr = context = None

    def unquote(s):
        return s[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            pending_fuzzy = True
        elif line.startswith("msgctxt "):
            flush()
            context, field = unquote(line[8:]), "ctxt"
        elif line.startswith("msgid "):
            if field != "ctxt":
                flush()
            msgid, field = unquote(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr "):
            msgstr, field = unquote(line[7:]), "str"
        elif line.startswith("msgstr[0] "):
            msgstr, field = unquote(line[10:]), "str"
        elif line.startswith("msgstr["):
            field = "other"
        elif line.startswith('"'):
            if field == "id":
                msgid += unquote(line)
            elif field == "str":
                msgstr += unquote(line)
        elif not line.strip():
            flush()
            pending_fuzzy = False
    flush()
    entries["__fuzzy__"] = sorted(fuzzy)
    return entries


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_compiled(lang):
    po = read_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert po.pop("__fuzzy__") == []
    missing = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert missing == []
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    # The compiled catalogue as gettext holds it (it has no public reader).
    compiled = catalog._catalog  # type: ignore[attr-defined]
    stale = [m for m, s in po.items() if compiled.get(m, compiled.get((m, 0))) != s]
    assert stale == [], "the .mo is older than the .po: run compilemessages"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools are not installed")
def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the tree finds no msgid the catalogues lack."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    for name in (
        "cica",
        "members",
        "measures",
        "secretariat",
        "implementation",
        "web",
        "ops",
        "templates",
        "manage.py",
    ):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "PYTHONPATH": str(copy)},
    )
    fresh = set(read_po(copy / "locale/ru/LC_MESSAGES/django.po")) - {"__fuzzy__"}
    known = set(read_po(LOCALE / "ru/LC_MESSAGES/django.po")) - {"__fuzzy__"}
    assert sorted(fresh - known) == [], "run makemessages and translate the new strings"


class TextNodes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def english_ui_strings(lang):
    """Our English msgids whose translation differs: none may show on a page in ``lang``."""
    po = read_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    po.pop("__fuzzy__")
    # The language switch names each language in itself ("English"): not a leftover.
    own_names = {get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
    return {
        m
        for m, s in po.items()
        if s and s != m and not re.search(r"%|\{", m) and len(m) > 3 and m not in own_names
    }


PAGES = [
    "/",
    "/catalogue/",
    "/catalogue/ECO-4/",
    "/circulations/",
    "/information/",
    "/information/new/",
    "/experts/",
    "/experts/new/",
    "/notifications/",
    "/search/?q=tour",
    "/catalogue/ECO-4/declare/",
    "/accounts/password_change/",
    "/accounts/login/",
    "/accounts/password_reset/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("url", PAGES)
def test_no_page_shows_an_untranslated_ui_string(client, people, lang, url):
    english = english_ui_strings(lang)
    if not url.startswith("/accounts/login") and not url.startswith("/accounts/password_reset"):
        client.login(username="delegate-kaz", password=DEMO_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    parser = TextNodes()
    parser.feed(html)
    left = sorted({n for n in parser.nodes if n.rstrip(":") in english or n in english})
    assert left == [], f"untranslated on {url} in {lang}"
