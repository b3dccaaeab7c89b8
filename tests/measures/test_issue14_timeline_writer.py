"""Issue 14 item 4: one timeline writer. Every ``InitiativeEvent`` is written
by ``measures.services.transitions._transition``: status changes, joins of an open
initiative and the silence procedure's steps alike."""

import ast
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import services
from measures.models import InitiativeEvent
from measures.services import initiatives, transitions
from secretariat.models import WebhookDelivery, WebhookSubscription
from tests.measures.test_issue13_available_actions import build

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
APPS = ("cica", "measures", "members", "secretariat", "ops", "web")
WRITER = "_transition"


def _event_writes(tree: ast.AST):
    """(function name, line) of every call that creates an InitiativeEvent."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call):
            text = ast.unparse(node.func)
            if text == "InitiativeEvent" or (
                ("InitiativeEvent" in text or text.endswith("events.create"))
                and text.rsplit(".", 1)[-1] in {"create", "bulk_create", "get_or_create"}
            ):
                found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_item4_only_the_transition_writes_timeline_events():
    """issue 14 item 4: no InitiativeEvent is created outside ``_transition``."""
    writes = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for function, line in _event_writes(ast.parse(path.read_text())):
                writes.append((str(path.relative_to(ROOT)), function, line))
    assert writes, "the scan finds the writer itself"
    outside = [w for w in writes if (w[0], w[1]) != ("measures/services/transitions.py", WRITER)]
    assert outside == []
    assert len(writes) == 1, writes


def test_item4_the_scan_sees_each_way_of_creating_an_event():
    """issue 14 item 4: the scan above would catch a second writer."""
    source = (
        "def a():\n    InitiativeEvent.objects.create(x=1)\n"
        "def b(i):\n    i.events.create(x=1)\n"
        "def c():\n    InitiativeEvent(x=1).save()\n"
        "def d():\n    InitiativeEvent.objects.bulk_create([])\n"
    )
    assert [f for f, _line in _event_writes(ast.parse(source))] == ["a", "b", "c", "d"]


def _subscribe():
    return WebhookSubscription.objects.create(
        name="Tracker", url="https://tracker.example/hook", secret="s" * 32, events=[]
    )


def test_item4_joining_an_open_initiative_is_a_transition_with_its_webhook(people):
    """issue 14 item 4: the join goes through ``_transition`` (lock, table, event, webhook)."""
    initiative = build("a", "drafting", {"paper"})
    _subscribe()
    with mock.patch.object(initiatives, "_transition", wraps=transitions._transition) as transition:
        joined, created = services.initiative_declare_interest(
            actor=people["delegate-kaz"], measure=initiative.measure
        )
    assert (joined.pk, created) == (initiative.pk, False)
    assert transition.call_count == 1
    assert transition.call_args.kwargs["action"] == "declare_interest"
    event = InitiativeEvent.objects.filter(initiative=initiative).latest("pk")
    assert (event.action, event.from_status, event.to_status) == (
        "declare_interest",
        "drafting",
        "drafting",
    )
    assert event.acting_for is not None
    assert event.acting_for.code == "KAZ"
    assert event.actor == people["delegate-kaz"]
    assert event.details == {"participant": "KAZ", "volunteers": False}
    assert list(WebhookDelivery.objects.values_list("event", "event_key")) == [
        (
            "initiative.interest_declared",
            f"initiative-event:{event.pk}:initiative.interest_declared",
        )
    ]


def test_item4_a_new_initiative_starts_its_timeline_through_the_transition(people):
    """issue 14 item 4: the first declaration creates the initiative; its first
    event (no "from") is written by the same writer."""
    measure = build("a", "withdrawn", set()).measure
    with mock.patch.object(initiatives, "_transition", wraps=transitions._transition) as transition:
        created_initiative, created = services.initiative_declare_interest(
            actor=people["delegate-kaz"], measure=measure
        )
    assert created
    assert transition.call_count == 1
    event = created_initiative.events.get()
    assert (event.action, event.from_status, event.to_status) == (
        "declare_interest",
        "",
        "interest_declared",
    )


def test_item4_the_join_is_refused_by_the_tables_role_rule(as_user):
    """issue 14 item 4: the secretariat is not a member state: the join is refused
    with the table's rule, and nothing is written."""
    initiative = build("b", "drafting", {"charged"})
    events = InitiativeEvent.objects.count()
    refused = as_user("secretariat").post(
        f"/api/v1/initiatives/{initiative.pk}/declare-interest/", {}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Not allowed: “Declare interest” — only a delegate of a member state declares interest."
    )
    assert InitiativeEvent.objects.count() == events


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database takes no row locks"
)
def test_item4_the_join_locks_the_initiative_not_the_measure(people):
    """issue 14 item 4: the join locks the initiative's row; the measure's row is
    locked only to create a new initiative."""
    initiative = build("a", "drafting", set())
    with CaptureQueriesContext(connection) as queries:
        services.initiative_declare_interest(
            actor=people["delegate-kaz"], measure=initiative.measure
        )
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('FROM "measures_initiative"' in sql for sql in locks), locks
    assert not any('FROM "measures_measure"' in sql for sql in locks), locks


def test_item4_silence_steps_are_written_by_the_transition(people):
    """issue 14 item 4: a timeline note (a silence step) goes through ``_transition``
    and keeps the status."""
    initiative = build("a", "swg_review", {"paper", "circulated"})
    with mock.patch.object(transitions, "_transition", wraps=transitions._transition) as transition:
        event = services.initiative_note(
            initiative=initiative, kind="silence_started", actor=people["secretariat"]
        )
    assert transition.call_count == 1
    assert (event.action, event.from_status, event.to_status) == (
        "silence_started",
        "swg_review",
        "swg_review",
    )
