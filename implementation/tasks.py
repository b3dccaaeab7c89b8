"""Celery tasks of the implementation years: they take ids (or nothing),
call a service, and are idempotent (the services claim each cycle under a
row lock and key each notice)."""

from celery import shared_task

from .services.reporting import cycles_send_return_reminders, cycles_summarise_returns


@shared_task(name="implementation.send_return_reminders")
def send_return_reminders() -> int:
    """Periodic: the reminders before a cycle's due date, once."""
    return cycles_send_return_reminders()


@shared_task(name="implementation.summarise_returns")
def summarise_returns() -> list[str]:
    """Periodic: the summary after a cycle's due date, once."""
    return cycles_summarise_returns()
