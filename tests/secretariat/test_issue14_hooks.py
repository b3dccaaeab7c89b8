"""Issue 14 item 2: the one hook between apps. measures sends Django signals
(``measures.signals``) inside the writing transaction; the secretariat's
receivers write the webhook deliveries and notifications (outbox rows) that
the change causes. measures itself no longer names the outbox or the
webhooks."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from measures import services, signals
from measures.models import Initiative, InitiativeEvent
from members.models import Participant
from secretariat import receivers
from secretariat.models import Notification, WebhookDelivery, WebhookSubscription
from tests.measures.test_issue13_available_actions import build

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _subscribe():
    return WebhookSubscription.objects.create(
        name="Tracker", url="https://tracker.example/hook", secret="s" * 32, events=[]
    )


def test_item2_measures_services_name_neither_the_outbox_nor_the_webhooks():
    """issue 14 item 2: measures' services import no notice or webhook function
    of the secretariat: they send signals."""
    modules = sorted((ROOT / "measures" / "services").glob("*.py"))
    assert modules
    names = {
        alias.name
        for module in modules
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("secretariat")
        for alias in node.names
    }
    assert not {n for n in names if n.startswith(("notify", "webhook", "Webhook"))}


def test_item2_the_secretariat_hears_the_timeline_through_the_signal(people):
    """issue 14 item 2: a transition's webhook comes from the secretariat's
    receiver of ``timeline_written``; without that receiver, none is written."""
    _subscribe()
    initiative = build("a", "interest_declared", set())
    assert signals.timeline_written.disconnect(dispatch_uid="secretariat.webhooks_for_timeline")
    try:
        services.initiative_open_consultation(actor=people["secretariat"], initiative=initiative)
    finally:
        signals.timeline_written.connect(
            receivers.webhooks_for_timeline, dispatch_uid="secretariat.webhooks_for_timeline"
        )
    assert WebhookDelivery.objects.count() == 0
    initiative.refresh_from_db()
    services.initiative_designate_coordinators(
        actor=people["secretariat"],
        initiative=initiative,
        designations=[(Participant.objects.get(code="IRN"), "coordinator")],
    )
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == [
        "initiative.status_changed"
    ]
    # The designation's notice came through its own signal, in the same transaction.
    assert Notification.objects.filter(kind="designation").exists()


def test_item2_a_failing_receiver_undoes_the_change(people):
    """issue 14 item 2: the signals are sent inside the transaction: a receiver
    that fails leaves no status, no event and no outbox row behind."""
    _subscribe()
    initiative = build("a", "interest_declared", set())
    events = InitiativeEvent.objects.count()

    def broken(sender, **kwargs):
        raise RuntimeError("receiver failed")

    signals.timeline_written.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            services.initiative_open_consultation(
                actor=people["secretariat"], initiative=initiative
            )
    finally:
        signals.timeline_written.disconnect(dispatch_uid="test.broken")
    assert Initiative.objects.get(pk=initiative.pk).status == "interest_declared"
    assert InitiativeEvent.objects.count() == events
    assert WebhookDelivery.objects.count() == 0
