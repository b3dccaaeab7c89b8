"""Issue 16 item 4: every admin page works offline under our CSP.

The pages are enumerated from ``admin.site._registry`` (a new register is
covered without touching this file): for each register its list, its add
form and one record's change form, plus the app indexes, the dashboard, the
report, the register imports and every export form. Each page must load
every sub-resource from the live server itself, with no failed request, no
answer >= 400 and no CSP violation (the ``page`` fixture fails on those).

The secretariat walks what it may see; a superuser walks the technical
registers kept out of the secretariat's way (item 13).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from import_export.admin import ExportMixin

from secretariat.admin_imports import IMPORTS
from tests import authz_scenario
from tests.browser.conftest import AXE_SOURCE
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


class Watch:
    """Records, for the page being visited, whatever the browser fetched from
    elsewhere, could not fetch, or was refused."""

    def __init__(self, page, live_server_url: str):
        self.origin = urlparse(live_server_url).netloc
        self.problems: list[str] = []
        self.current = ""
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"{self.current}: console: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if url.netloc != self.origin:
            self.problems.append(f"{self.current}: request to another host: {request.url}")

    def _failed(self, request):
        self.problems.append(f"{self.current}: failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{self.current}: {response.status} for {response.url}")

    def visit(self, page, path: str, *, expect: int = 200) -> None:
        self.current = path
        response = page.goto(path)
        assert response is not None
        if response.status != expect:
            self.problems.append(f"{path}: answered {response.status}, expected {expect}")
        page.wait_for_load_state("load")


@pytest.fixture
def axe():
    """The conftest's ``axe`` check, run without axe-core's CSSOM preload: on
    the pages with modeltranslation's stylesheet the preload re-parses the
    sheets through <style> elements, which our CSP refuses (a violation of
    the tool's, not the page's). Only css-orientation-lock needs the preload."""

    def run(page, *, impacts=("serious", "critical")) -> list[dict]:
        page.evaluate(AXE_SOURCE)
        violations = page.evaluate(
            "async () => (await axe.run(document, "
            "{resultTypes: ['violations'], preload: false})).violations"
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


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/**")


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _record(scenario, model):
    """The record whose change form is shown: the richest one where it matters."""
    chosen = {
        "measures.Initiative": lambda: scenario.main,
        "measures.Measure": lambda: scenario.main.measure,
        "secretariat.Circulation": lambda: scenario.main_circulation,
        "secretariat.WebhookSubscription": lambda: scenario.webhook,
    }.get(model._meta.label)
    if chosen:
        return chosen()
    return model._default_manager.order_by("pk").first()


def admin_pages(user, scenario) -> list[str]:
    """Every admin page of every register ``user`` may open."""
    request = _request_as(user)
    pages: list[str] = []
    apps = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not model_admin.has_view_or_change_permission(request):
            continue
        apps.add(opts.app_label)
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages.append(base)
        if model_admin.has_add_permission(request):
            pages.append(f"{base}add/")
        obj = _record(scenario, model)
        assert obj is not None, f"the scenario has no {opts.label} to open"
        if model_admin.has_view_or_change_permission(request, obj):
            pages.append(f"{base}{obj.pk}/change/")
        if isinstance(model_admin, ExportMixin) and model_admin.has_export_permission(request):
            pages.append(f"{base}export/")
    return [*(f"/admin/{app}/" for app in sorted(apps)), *pages]


@pytest.fixture
def scenario(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return authz_scenario.build()


def test_every_admin_page_loads_everything_from_us_under_the_csp(
    page, live_server, scenario, axe, shoot
):
    watch = Watch(page, live_server.url)
    User = get_user_model()
    secretariat = User.objects.get(username="secretariat")
    root = User.objects.create_superuser("root-16", "root@example.org", DEMO_PASSWORD)

    sign_in(page, "secretariat")
    general = [
        "/admin/",
        "/admin/dashboard/",
        "/admin/report/",
        *(f"/admin/import/{kind}/" for kind in IMPORTS),
    ]
    mine = admin_pages(secretariat, scenario)
    for path in general + mine:
        watch.visit(page, path)
    # The technical registers, which only a superuser opens (item 13).
    sign_in(page, "root-16")
    for path in admin_pages(root, scenario):
        if path not in mine:
            watch.visit(page, path)
    assert len(general) + len(mine) > 60  # the walk really walked
    assert not watch.problems, "\n".join(watch.problems)


def test_the_measure_editor_shows_language_tabs(page, live_server, scenario, axe, shoot):
    watch = Watch(page, live_server.url)
    sign_in(page, "secretariat")
    measure = scenario.main.measure
    watch.visit(page, f"/admin/measures/measure/{measure.pk}/change/")
    tabs = page.get_by_role("tab")
    assert tabs.count() >= 3
    # One "Short title" field at a time: the English one, until the tab
    # of another language is chosen.
    assert page.locator("#id_title_en").is_visible()
    assert not page.locator("#id_title_ru").is_visible()
    assert not page.locator("#id_title_fr").is_visible()
    visible_titles = page.locator("input[id^=id_title_]:visible")
    assert visible_titles.count() == 1
    shoot(page, "issue16-item4-measure-tabs-en")
    page.locator("[role=tab][aria-controls=tab_id_title_ru]").click()
    assert page.locator("#id_title_ru").is_visible()
    assert not page.locator("#id_title_en").is_visible()
    assert page.locator("#id_title_ru").input_value() == measure.title_ru
    shoot(page, "issue16-item4-measure-tabs-ru")
    axe(page)
    assert not watch.problems, "\n".join(watch.problems)


def test_the_export_forms_select_all_works(page, live_server, scenario):
    watch = Watch(page, live_server.url)
    sign_in(page, "secretariat")
    watch.visit(page, "/admin/measures/measure/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]")
    assert fields.count() >= 3
    toggle = page.get_by_label("Select all")
    assert toggle.is_checked()
    toggle.uncheck()
    assert all(not fields.nth(i).is_checked() for i in range(fields.count()))
    toggle.check()
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    assert not watch.problems, "\n".join(watch.problems)


def test_axe_finds_nothing_serious_on_the_admins_main_pages(
    page, live_server, scenario, axe, shoot
):
    watch = Watch(page, live_server.url)
    sign_in(page, "secretariat")
    for name, path in [
        ("index", "/admin/"),
        ("measures", "/admin/measures/measure/"),
        ("measure", f"/admin/measures/measure/{scenario.main.measure.pk}/change/"),
        ("initiatives", "/admin/measures/initiative/"),
        ("initiative", f"/admin/measures/initiative/{scenario.main.pk}/change/"),
        ("circulation", f"/admin/secretariat/circulation/{scenario.main_circulation.pk}/change/"),
        ("dashboard", "/admin/dashboard/"),
    ]:
        watch.visit(page, path)
        axe(page)
        shoot(page, f"issue16-item4-axe-{name}")
    assert not watch.problems, "\n".join(watch.problems)
