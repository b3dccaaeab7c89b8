"""Where the code lives (issue 14 item 2): the apps import one way only
(cica <- members <- measures <- secretariat <- ops <- web); the ops commands
(bench, bench_data, backup, restore) and their helpers live in the
project-level ``ops`` app; ``load_cica`` lives in measures, the lowest app
that may import both loaders; members keeps only its own command."""

import ast
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands, load_command_class

from measures import services as measures_services
from measures.services import transitions
from secretariat import services as secretariat_services
from secretariat.services import circulations

ROOT = Path(__file__).resolve().parent.parent

OPS_COMMANDS = ("bench", "bench_data", "backup", "restore")


def test_item2_members_commands_are_only_the_registers_own():
    """issue 14 item 2: members/management/commands holds only create_demo_users;
    load_cica (which loads the Catalogue too) lives in measures."""
    folder = ROOT / "members" / "management" / "commands"
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert modules == {"create_demo_users"}
    folder = ROOT / "measures" / "management" / "commands"
    assert {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} == {"load_cica"}


def test_item2_ops_commands_are_served_by_the_ops_app():
    """issue 14 item 2: bench, bench_data, backup, restore keep their names, served by ops."""
    assert apps.is_installed("ops")
    commands = get_commands()
    for name in OPS_COMMANDS:
        assert commands.get(name) == "ops", name
        command = load_command_class(commands[name], name)
        assert type(command).__module__ == f"ops.management.commands.{name}"
    assert commands["load_cica"] == "measures"
    assert commands["create_demo_users"] == "members"


def test_item2_ops_helpers_live_in_ops():
    """issue 14 item 2: the backup and benchmark helpers moved from cica/ to ops/."""
    assert not (ROOT / "cica" / "backup.py").exists()
    assert not (ROOT / "cica" / "bench_views.py").exists()
    assert (ROOT / "ops" / "backup.py").is_file()
    assert (ROOT / "ops" / "bench_views.py").is_file()


SERVICE_APPS = ("cica", "members", "measures", "secretariat", "ops")
SERVICE_MODULE_MAX_LINES = 600


def test_item3_service_modules_stay_under_600_lines():
    """issue 14 item 3: every module under an app's ``services/`` package stays
    within 600 lines, so that a concern too large to read splits again."""
    too_long = {}
    for app in SERVICE_APPS:
        for package in (ROOT / app).rglob("services"):
            if not (package / "__init__.py").is_file():
                continue
            for module in package.rglob("*.py"):
                lines = len(module.read_text(encoding="utf-8").splitlines())
                if lines > SERVICE_MODULE_MAX_LINES:
                    too_long[str(module.relative_to(ROOT))] = lines
    assert too_long == {}


def test_item3_measures_services_is_a_package_of_concerns():
    """issue 14 item 3: the measures app's services are a package, one module
    per concern; the status and the timeline are written in ``transitions.py``."""
    package = ROOT / "measures" / "services"
    assert not (ROOT / "measures" / "services.py").exists()
    assert measures_services._transition is transitions._transition
    assert {p.stem for p in package.glob("*.py")} >= {
        "catalogue",
        "initiatives",
        "transitions",
        "imports",
        "experts",
    }


def test_item3_secretariat_services_is_a_package_of_concerns():
    """issue 14 item 3: the secretariat's services are a package, one module
    per concern; circulating a paper happens in ``circulations.py``."""
    package = ROOT / "secretariat" / "services"
    assert not (ROOT / "secretariat" / "services.py").exists()
    assert secretariat_services.circulation_create is circulations.circulation_create
    assert {p.stem for p in package.glob("*.py")} >= {
        "circulations",
        "decisions",
        "meetings",
        "outbox",
        "silence",
        "reminders",
        "information",
        "webhooks",
    }


# --- the apps' order -------------------------------------------------------------

# Each app may import from itself and the apps before it, never after it. cica
# is the project kernel at the bottom (settings, errors, uploads, input checks,
# middleware, API base classes); web is the site shell at the top (the root
# URLconf mounts every app's pages and API, ops' benchmark views included).
APP_ORDER = ("cica", "members", "measures", "secretariat", "ops", "web")


def _modules():
    """Every .py module of our apps except migrations (generated, and they
    name other apps' migrations, not their code)."""
    for app in APP_ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield app, path


def _imported(path: Path, source: str | None = None) -> set[str]:
    """The modules a module imports, at module level and inside functions,
    relative imports resolved against its package; ``from secretariat import
    services`` counts as ``secretariat.services``."""
    package = list(path.relative_to(ROOT).parts[:-1])
    source = path.read_text(encoding="utf-8") if source is None else source
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if "." in module:
                names.add(module)
            else:
                prefix = f"{module}." if module else ""
                names.update(f"{prefix}{alias.name}" for alias in node.names)
    return names


def _upward_edges() -> set[tuple[str, str]]:
    """(module path, imported module) for each import of an app above the
    module's own, the imported module cut to ``app.module``."""
    rank = {app: n for n, app in enumerate(APP_ORDER)}
    edges = set()
    for app, path in _modules():
        for name in _imported(path):
            target = name.split(".")[0]
            if target in rank and rank[target] > rank[app]:
                edges.add((path.relative_to(ROOT).as_posix(), ".".join(name.split(".")[:2])))
    return edges


def test_item2_no_app_imports_from_an_app_above_it():
    """issue 14 item 2: every import follows cica <- members <- measures <-
    secretariat <- ops <- web, at module level and inside functions, with no
    exception: a lower app causes something in a higher one through the
    signals of measures.signals or the action registry's entries that the
    higher app registers."""
    assert _upward_edges() == set()


def test_item2_import_check_reads_imports_inside_functions_and_relative_ones():
    """issue 14 item 2: an upward import hidden in a function, or written
    relative to the package, is still seen."""
    source = (
        "def f():\n"
        "    from secretariat.models import Decision\n"
        "    import web.views\n"
        "from . import rules\n"
        "from .. import measures\n"
        "from measures import services\n"
    )
    names = _imported(ROOT / "members" / "selectors.py", source)
    assert {"secretariat.models", "web.views", "members.rules", "measures"} <= names
    assert "measures.services" in names
