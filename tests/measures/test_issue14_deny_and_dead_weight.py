"""Issue 14 items 6 and 7: permissions deny by default (no fallback to
modality (a)'s table), and dead weight stays out."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from measures.models import Initiative, Measure
from measures.workflow import TABLES, TRANSITIONS, Action

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_item6_unknown_modality_grants_no_permission(people):
    """issue 14 item 6: an initiative of an unknown modality gives nobody any action."""
    initiative = Initiative(measure=Measure.objects.first(), modality="z")
    for username in ("secretariat", "chair", "delegate-irn", "delegate-usa"):
        user = people[username]
        granted = [
            action
            for action in {a for table in TABLES.values() for a in table}
            if user.has_perm(f"measures.{action}", initiative)
        ]
        assert granted == [], (username, granted)


@pytest.mark.django_db
def test_item6_working_paper_does_not_borrow_concept_paper_rules(people):
    """issue 14 item 6: an action missing from modality (b)'s table is refused on (b)."""
    measure = Measure.objects.first()
    working = Initiative(measure=measure, modality="b")
    concept = Initiative(measure=measure, modality="a")
    only_a = set(TRANSITIONS) - set(TABLES["b"])
    assert Action.DESIGNATE_COORDINATORS in only_a
    for action in only_a:
        for username in ("secretariat", "chair"):
            user = people[username]
            assert not user.has_perm(f"measures.{action}", working), (action, username)
    # Modality (a) keeps its permissions: the staff still open a consultation there.
    assert people["secretariat"].has_perm("measures.designate_coordinators", concept)
    assert people["chair"].has_perm("measures.open_consultation", concept)


def test_item7_django_fsm_is_not_a_dependency():
    """issue 14 item 7: django-fsm(-2) is neither declared nor imported."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "django-fsm" not in pyproject
    importers = [
        path
        for path in ROOT.rglob("*.py")
        if not ({".venv", "node_modules", "tests"} & set(path.relative_to(ROOT).parts))
        and re.search(r"^\s*(from|import)\s+django_fsm", path.read_text(), re.M)
    ]
    assert importers == []


def test_item7_ruff_flags_unused_noqa():
    """issue 14 item 7: ruff's RUF100 (unused noqa) is part of the lint, and the code passes it."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"RUF100"' in pyproject
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "--extend-select", "RUF100", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "RUF100" not in result.stdout, result.stdout
