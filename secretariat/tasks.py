"""Celery tasks of the secretariat: they take ids, call a service, own their retries.

Every task is idempotent (STACK.md trap 5: with ``acks_late`` a task may run
twice): the services lock the row and check whether the work was done.
"""

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from . import services

MAX_EMAIL_RETRIES = 8


@shared_task(
    bind=True, acks_late=True, ignore_result=True, name="secretariat.send_notification_email"
)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notification's e-mail; retry with back-off when the mail server fails."""
    try:
        return services.notification_send_email(notification_id=notification_id)
    except services.EmailDeliveryError as exc:
        if self.request.is_eager:
            return "pending: the periodic re-queue will try again"
        try:
            raise self.retry(
                exc=exc,
                countdown=min(3600, 30 * 2**self.request.retries),
                max_retries=MAX_EMAIL_RETRIES,
            )
        except MaxRetriesExceededError:
            services.notification_give_up(notification_id=notification_id)
            return "failed"


@shared_task(name="secretariat.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    """Re-queue e-mails left pending (broker down at commit, a lost task)."""
    return services.notifications_requeue()


@shared_task(name="secretariat.send_reminders")
def send_reminders() -> int:
    return services.circulations_send_reminders()


@shared_task(name="secretariat.summarise_deadlines")
def summarise_deadlines() -> list[str]:
    return services.circulations_summarise_deadlines()


@shared_task(name="secretariat.close_silence_procedures")
def close_silence_procedures() -> list[str]:
    return services.silence_procedures_close()


MAX_WEBHOOK_RETRIES = 8


@shared_task(bind=True, acks_late=True, ignore_result=True, name="secretariat.deliver_webhook")
def deliver_webhook(self, delivery_id: int) -> str:
    """POST one webhook delivery; retry with back-off when the receiver fails."""
    try:
        return services.webhook_deliver(delivery_id=delivery_id)
    except services.WebhookDeliveryError as exc:
        if self.request.is_eager:
            return "pending: the periodic re-queue will try again"
        try:
            raise self.retry(
                exc=exc,
                countdown=min(3600, 30 * 2**self.request.retries),
                max_retries=MAX_WEBHOOK_RETRIES,
            )
        except MaxRetriesExceededError:
            services.webhook_give_up(delivery_id=delivery_id)
            return "failed"


@shared_task(name="secretariat.requeue_webhooks")
def requeue_webhooks() -> int:
    return services.webhooks_requeue()
