"""Where the code lives (issue 14 item 2): the ops commands (bench, bench_data,
backup, restore) and their helpers live in the project-level ``ops`` app, not
in ``members``; members keeps only the registers' own commands."""

from pathlib import Path

from django.apps import apps
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent

OPS_COMMANDS = ("bench", "bench_data", "backup", "restore")


def test_item2_members_commands_are_only_the_registers_own():
    """issue 14 item 2: members/management/commands holds only load_cica and create_demo_users."""
    folder = ROOT / "members" / "management" / "commands"
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    assert modules == {"load_cica", "create_demo_users"}


def test_item2_ops_commands_are_served_by_the_ops_app():
    """issue 14 item 2: bench, bench_data, backup, restore keep their names, served by ops."""
    assert apps.is_installed("ops")
    commands = get_commands()
    for name in OPS_COMMANDS:
        assert commands.get(name) == "ops", name
        command = load_command_class(commands[name], name)
        assert type(command).__module__ == f"ops.management.commands.{name}"
    assert commands["load_cica"] == "members"
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


def test_item3_secretariat_services_is_a_package_of_concerns():
    """issue 14 item 3: the secretariat's services are a package, one module
    per concern; circulating a paper happens in ``circulations.py``."""
    package = ROOT / "secretariat" / "services"
    assert not (ROOT / "secretariat" / "services.py").exists()
    from secretariat import services
    from secretariat.services import circulations

    assert services.circulation_create is circulations.circulation_create
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
