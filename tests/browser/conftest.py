"""Browser tests: Playwright driving Debian's Chromium against a live server."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django's
# live_server teardown then fails with SynchronousOnlyOperation without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    # Every page must keep to the Content-Security-Policy: the browser reports
    # each refused script or style on the console, and any report fails the test.
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    yield page
    context.close()
    assert not refused, f"CSP violations: {refused}"


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(exist_ok=True)

    def screenshot(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot


# axe-core, vendored (tests/browser/vendor/axe.min.js, MPL-2.0, version in its
# first line): evaluated through the DevTools protocol, which the page's CSP
# does not govern, so no inline script is added to the page under test.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def axe():
    """`axe(page)` runs axe-core on the page as it is now and fails the test on
    any serious or critical violation, naming the rule and the elements."""

    def run(page, *, impacts=("serious", "critical")) -> list[dict]:
        page.evaluate(AXE_SOURCE)
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        found = [v for v in violations if v.get("impact") in impacts]
        assert not found, "axe on {}: {}".format(
            page.url,
            "; ".join(
                f"{v['id']} ({v['impact']}): "
                + ", ".join(node["target"][0] for node in v["nodes"][:5])
                for v in found
            ),
        )
        return violations

    return run
