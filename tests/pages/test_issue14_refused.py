"""Issue 14 item 9: the refusal page has one renderer, ``cica.pages.refused``."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.test import RequestFactory

from cica.pages import refused

ROOT = Path(settings.BASE_DIR)


def _unmasked(content: bytes) -> bytes:
    return re.sub(rb'value="[A-Za-z0-9]{64}"', b'value=""', content)


def test_item9_only_one_place_renders_the_refusal_page():
    """issue 14 item 9: no view renders ``cica/refused.html`` by hand."""
    renderers = [
        str(path.relative_to(ROOT))
        for app in ("cica", "measures", "members", "secretariat", "ops")
        for path in (ROOT / app).rglob("*.py")
        if "cica/refused.html" in path.read_text()
    ]
    assert renderers == ["cica/pages.py"]


def test_item9_the_helper_renders_what_the_hand_written_calls_did(db):
    """issue 14 item 9: same template, same reason, same status."""
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = refused(request, "No such notification.", 404)
    by_hand = render(request, "cica/refused.html", {"reason": "No such notification."}, status=404)
    assert response.status_code == by_hand.status_code == 404
    # Each render masks the CSRF token afresh: compare the pages without it.
    assert _unmasked(response.content) == _unmasked(by_hand.content)
    assert b"No such notification." in response.content
