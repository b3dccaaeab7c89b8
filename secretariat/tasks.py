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
    return _with_backoff(
        self,
        services.notification_send_email,
        services.notification_give_up,
        services.EmailDeliveryError,
        MAX_EMAIL_RETRIES,
        notification_id=notification_id,
    )


def _with_backoff(task, run, give_up, error, max_retries: int, **kwargs) -> str:
    """Run an idempotent send; on ``error`` retry with exponential back-off
    (30 s, 1 min, 2 min … capped at an hour), then give up and mark it failed.
    In-process (eager) the periodic re-queue retries instead."""
    try:
        return run(**kwargs)
    except error as exc:
        if task.request.is_eager:
            return "pending: the periodic re-queue will try again"
        try:
            raise task.retry(
                exc=exc,
                countdown=min(3600, 30 * 2**task.request.retries),
                max_retries=max_retries,
            )
        except MaxRetriesExceededError:
            give_up(**kwargs)
            return "failed"


@shared_task(name="secretariat.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    """Re-queue e-mails left pending (broker down at commit, a lost task)."""
    return services.notifications_requeue()


@shared_task(name="secretariat.send_reminders")
def send_reminders() -> int:
    return (
        services.circulations_send_reminders() + services.information_send_co_submission_reminders()
    )


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
    return _with_backoff(
        self,
        services.webhook_deliver,
        services.webhook_give_up,
        services.WebhookDeliveryError,
        MAX_WEBHOOK_RETRIES,
        delivery_id=delivery_id,
    )


@shared_task(name="secretariat.requeue_webhooks")
def requeue_webhooks() -> int:
    return services.webhooks_requeue()
