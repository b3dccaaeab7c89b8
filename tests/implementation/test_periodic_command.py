"""Without Redis there is no Celery beat: `make run` runs `run_periodic_tasks`,
which must send the implementation returns' reminders and summary too — once."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from implementation.services.reporting import cycle_open
from measures.models import PriorityArea
from secretariat.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_run_periodic_tasks_reminds_and_summarises_the_returns_once(people):
    today = timezone.localdate()
    cycle_open(
        actor=get_user_model().objects.get(username="secretariat"),
        year=today.year,
        due_on=today + datetime.timedelta(days=10),
        areas=[PriorityArea.objects.get(code="ECO")],
    )
    call_command("run_periodic_tasks")
    call_command("run_periodic_tasks")
    reminders = Notification.objects.filter(kind=NotificationKind.RETURN_REMINDER)
    assert reminders.count() > 0
    count = reminders.count()
    with time_machine.travel(today + datetime.timedelta(days=12), tick=False):
        call_command("run_periodic_tasks")
        call_command("run_periodic_tasks")
    assert reminders.count() == count
    assert Notification.objects.filter(kind=NotificationKind.RETURN_SUMMARY).count() > 0
