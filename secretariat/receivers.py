"""What the secretariat does when measures says that something happened (the
signals of :mod:`measures.signals`): it writes outbox rows — webhook
deliveries and notifications — in the transaction of the change; the outbox
sends them after commit. Connected in :meth:`SecretariatConfig.ready`."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from measures.models import Initiative, InitiativeEvent, Paper
from measures.signals import coordinators_designated, paper_submitted, timeline_written
from measures.workflow import Action

from .models import WebhookEvent
from .services import notify_designation, notify_paper_submitted, webhooks_emit

# Which webhook event an action of the timeline is, besides a change of status.
WEBHOOK_EVENT_OF = {
    Action.DECLARE_INTEREST: WebhookEvent.INTEREST_DECLARED,
    Action.SUBMIT_PAPER: WebhookEvent.PAPER_SUBMITTED,
    Action.RECORD_SWG_DECISION: WebhookEvent.DECISION_RECORDED,
    Action.RECORD_SOC_DECISION: WebhookEvent.DECISION_RECORDED,
}
# What of an event's details is public (the public API shows it).
WEBHOOK_DETAILS = ("participant", "version", "decision", "decision_id", "outcome")


@receiver(timeline_written, dispatch_uid="secretariat.webhooks_for_timeline")
def webhooks_for_timeline(
    sender: object, *, initiative: Initiative, event: InitiativeEvent, **kwargs: Any
) -> None:
    """Tell webhook subscribers (delivered after commit):
    ``initiative.status_changed`` when the status changed, and the event the
    action is (:data:`WEBHOOK_EVENT_OF`). Public facts only: what the public
    API shows."""
    names = []
    if event.from_status and event.from_status != event.to_status:
        names.append((WebhookEvent.STATUS_CHANGED, f"initiative-event:{event.pk}"))
    specific = WEBHOOK_EVENT_OF.get(Action(event.action)) if event.action in Action else None
    if specific is not None:
        names.append((specific, f"initiative-event:{event.pk}:{specific}"))
    details = {k: v for k, v in (event.details or {}).items() if k in WEBHOOK_DETAILS}
    for name, key in names:
        webhooks_emit(
            event=name,
            event_key=key,
            payload={
                "initiative": initiative.pk,
                "reference": initiative.reference,
                "measure": initiative.measure.code,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "details": details,
                "at": timezone.localtime(event.created_at).isoformat(),
            },
        )


@receiver(coordinators_designated, dispatch_uid="secretariat.notify_designation")
def designation_notices(
    sender: object, *, initiative: Initiative, designations: list[Any], **kwargs: Any
) -> None:
    """The designated states' delegates learn of their designation."""
    notify_designation(initiative=initiative, designations=designations)


@receiver(paper_submitted, dispatch_uid="secretariat.notify_paper_submitted")
def paper_notices(sender: object, *, paper: Paper, **kwargs: Any) -> None:
    """The secretariat learns of every new paper version."""
    notify_paper_submitted(paper=paper)
