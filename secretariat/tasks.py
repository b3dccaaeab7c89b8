"""Celery tasks of the secretariat: they take ids, call a service, own their retries.

Every task is idempotent (STACK.md trap 5: with ``acks_late`` a task may run
twice): the services claim the row (and commit the claim) before sending, and
check whether the work was done or is being done.
"""

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    # Bounded by the row's attempts (services.NOTIFICATION_MAX_ATTEMPTS), not
    # by Celery's count, which a re-queued task would start again from zero.
    max_retries=None,
    name="secretariat.send_notification_email",
)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notification's e-mail; retry with back-off (30 s, 1 min, 2 min
    … capped at an hour) while the mail server fails for now. The service
    marks it failed after a permanent failure or its last attempt. In-process
    (eager) the periodic re-queue retries instead."""
    try:
        return services.notification_send_email(notification_id=notification_id)
    except services.OutboxClaimed as exc:
        # Another worker is sending it: look again once its claim may lapse
        # (it will be sent by then, or its worker died and it is ours).
        if self.request.is_eager:
            return "claimed: the periodic re-queue will look again"
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc
    except services.EmailDeliveryError as exc:
        if self.request.is_eager:
            return "pending: the periodic re-queue will try again"
        countdown = services.email_backoff(exc.attempts)
        services.notification_retry_at(notification_id=notification_id, countdown=countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    name="secretariat.send_notification_batch",
)
def send_notification_batch(self, notification_ids: list[int]) -> str:
    """Send a batch of notifications' e-mails over one connection to the mail
    server (``services.notifications_send_batch``). What is left pending is
    queued again as batches of its own: e-mails that failed for now after
    their back-off (recorded on the rows, so the periodic re-queue waits
    too), e-mails another worker holds once its claim may lapse, e-mails the
    batch had no time for at once. In-process (eager) the periodic re-queue
    retries instead."""
    outcome = services.notifications_send_batch(notification_ids=notification_ids)
    if self.request.is_eager:
        return str(outcome)
    for countdown, ids in sorted(outcome.retry.items()):
        services.notifications_retry_at(notification_ids=ids, countdown=countdown)
        send_notification_batch.apply_async(kwargs={"notification_ids": ids}, countdown=countdown)
    if outcome.claimed:
        send_notification_batch.apply_async(
            kwargs={"notification_ids": outcome.claimed}, countdown=outcome.claimed_retry_in
        )
    if outcome.released:
        services.notifications_enqueue(notification_ids=outcome.released)
    return str(outcome)


def _with_backoff(task, run, give_up, error, max_retries: int, **kwargs) -> str:
    """Run an idempotent send; on ``error`` retry with exponential back-off
    (30 s, 1 min, 2 min … capped at an hour), then give up and mark it failed.
    In-process (eager) the periodic re-queue retries instead."""
    try:
        return run(**kwargs)
    except services.OutboxClaimed as exc:
        # Another worker is sending it: look again once its claim may lapse.
        if task.request.is_eager:
            return "claimed: the periodic re-queue will look again"
        try:
            raise task.retry(exc=exc, countdown=exc.retry_in, max_retries=max_retries)
        except MaxRetriesExceededError:
            return "claimed: the periodic re-queue will look again"
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


@shared_task(name="secretariat.send_daily_digests")
def send_daily_digests() -> int:
    """Daily: one digest e-mail to each reader who chose it (issue 16 item 3)."""
    return services.notifications_send_digests()
