"""Webhooks, push for REST clients: one delivery per interested subscription,
POSTed signed and once, through the same outbox as e-mails.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from .outbox import _hand_over, _outbox_claim, _outbox_give_up, _outbox_requeue

WEBHOOK_DISABLE_AFTER = 10


def webhooks_emit(*, event: str, event_key: str, payload: dict[str, object]) -> list[int]:
    """Write one delivery per interested active subscription, in the event's
    transaction; hand them to Celery after commit. Unique per (subscription,
    event): the same event emitted twice is delivered once. ``event`` is one
    of :class:`WebhookEvent`."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(is_active=True) if s.wants(event)
    ]
    if not subscriptions:
        return []
    existing = set(
        WebhookDelivery.objects.filter(
            event_key=event_key, subscription__in=subscriptions
        ).values_list("subscription_id", flat=True)
    )
    fresh = [
        WebhookDelivery(subscription=s, event=event, event_key=event_key, payload=payload)
        for s in subscriptions
        if s.pk not in existing
    ]
    WebhookDelivery.objects.bulk_create(fresh, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(
            event_key=event_key, status=DeliveryStatus.PENDING, queued_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(partial(webhooks_enqueue, delivery_ids=ids), robust=True)
    return ids


def webhooks_enqueue(*, delivery_ids: list[int]) -> int:
    # Imported here: secretariat.tasks imports this package (a real cycle).
    from ..tasks import deliver_webhook  # noqa: PLC0415

    return _hand_over(
        ids=delivery_ids, model=WebhookDelivery, task=deliver_webhook, argument="delivery_id"
    )


def webhooks_requeue(*, older_than: datetime.timedelta | None = None) -> int:
    """Periodic: hand pending deliveries to Celery again (after a failure or an outage)."""
    return _outbox_requeue(
        model=WebhookDelivery,
        status_field="status",
        pending=DeliveryStatus.PENDING,
        older_than=older_than,
        enqueue=lambda ids: webhooks_enqueue(delivery_ids=ids),
        subscription__is_active=True,
    )


def webhook_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC of the body with the subscription's secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookDeliveryError(Exception):
    """The receiver failed; the delivery records it and stays pending."""


def webhook_deliver(*, delivery_id: int) -> str:
    """POST one delivery, signed, once, holding no lock while it is posted:
    claim the row (short transaction), POST outside any transaction
    (``CICA_WEBHOOK_TIMEOUT``), record the result (second short transaction),
    as :func:`notification_send_email` does. A receiver's failure is
    recorded, counts against the subscription, and disables it after too many
    in a row."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.PENDING:
            return f"already {delivery.status}"
        subscription = delivery.subscription
        if not subscription.is_active:
            return "subscription disabled"
        _outbox_claim(delivery, now=timezone.now())
    body = json.dumps(
        {"event": delivery.event, "delivery": delivery.pk, "data": delivery.payload},
        sort_keys=True,
    ).encode()
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "cica-webhooks/1",
            "X-CICA-Event": delivery.event,
            "X-CICA-Delivery": str(delivery.pk),
            "X-CICA-Signature": webhook_signature(subscription.secret, body),
        },
    )
    error, response_code = "", None
    try:
        with urllib.request.urlopen(request, timeout=settings.CICA_WEBHOOK_TIMEOUT) as answer:
            response_code = answer.status
    except urllib.error.HTTPError as exc:
        error, response_code = f"HTTP {exc.code}", exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.PENDING:
            return f"already {delivery.status}"
        delivery.attempts += 1
        delivery.claimed_at = None
        if response_code is not None:
            delivery.response_code = response_code
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.save()
            WebhookSubscription.objects.filter(
                pk=delivery.subscription_id, consecutive_failures__gt=0
            ).update(consecutive_failures=0)
            return "delivered"
        delivery.last_error = error[:2000]
        delivery.save()
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        failures = subscription.consecutive_failures + 1
        changes: dict[str, object] = {"consecutive_failures": failures}
        if failures >= WEBHOOK_DISABLE_AFTER:
            changes.update(is_active=False, disabled_at=timezone.now())
        WebhookSubscription.objects.filter(pk=subscription.pk).update(**changes)
    raise WebhookDeliveryError(error)


def webhook_give_up(*, delivery_id: int) -> None:
    """Mark failed, for the secretariat to look at."""
    _outbox_give_up(
        model=WebhookDelivery,
        pk=delivery_id,
        status_field="status",
        pending=DeliveryStatus.PENDING,
        failed=DeliveryStatus.FAILED,
    )
