"""Reporting's side effects (issue 17 items 3 and 6): the notices when a
cycle opens and a return is submitted, in the reader's language; the
reminder before the due date and the summary after it, each once."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from implementation.models import ReportingCycle, ReturnKind
from implementation.services.reporting import (
    cycles_send_return_reminders,
    cycles_summarise_returns,
    return_nil,
    return_save,
    return_submit,
)
from implementation.tasks import send_return_reminders, summarise_returns
from members.models import Delegate
from secretariat.models import Notification, NotificationKind
from secretariat.services.notices import notification_text
from tests.implementation.v3_helpers import area, cycle_2027, eco4_adopted_with_plan, state

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)


def _kind(kind):
    return Notification.objects.filter(kind=kind)


def test_opening_a_cycle_tells_every_owing_states_delegates(
    people, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        cycle = cycle_2027(people, due=DUE)
    notices = _kind(NotificationKind.CYCLE_OPENED)
    owing_delegates = Delegate.objects.filter(
        participant__in=[p.pk for p in state_codes(cycle)], is_active=True, user__is_active=True
    ).count()
    assert notices.count() == owing_delegates > 0
    assert not notices.filter(recipient=people["delegate-usa"]).exists()
    notice = notices.get(recipient=people["delegate-kaz"])
    subject, body = notification_text(notice, language="en")
    assert "March 31, 2027" in subject
    assert "ECO" in body
    assert "nil return" in body
    subject_ru, _body = notification_text(notice, language="ru")
    assert "2027" in subject_ru
    assert subject_ru != subject
    assert any("March 31, 2027" in m.subject for m in mail.outbox)


def state_codes(cycle):
    from implementation.services.reporting import states_owing  # noqa: PLC0415

    return states_owing(cycle)


def test_a_rolled_back_opening_sends_nothing(people):
    def open_then_fail():
        with transaction.atomic():
            cycle_2027(people, due=DUE)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        open_then_fail()
    assert not ReportingCycle.objects.exists()
    assert not _kind(NotificationKind.CYCLE_OPENED).exists()


def test_the_secretariat_learns_of_each_submission(people):
    cycle = cycle_2027(people, due=DUE)
    ret = return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    notice = _kind(NotificationKind.RETURN_SUBMITTED).get(recipient=people.secretariat)
    subject, body = notification_text(notice, language="en")
    assert "KAZ" in subject
    assert "Nil return" in subject
    assert "CICA/IMPL/2027" in body
    assert notice.url == f"/api/v1/returns/{ret.pk}/"


def _reminders(today):
    return cycles_send_return_reminders(today=today)


def test_the_reminder_goes_once_to_states_that_owe(people):
    eco4_adopted_with_plan()
    cycle = cycle_2027(people, due=DUE, reminder_days=14)
    return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    draft = return_save(
        actor=people["delegate-aze"],
        cycle=cycle,
        participant=state("AZE"),
        kind=ReturnKind.NATIONAL_REPORT,
        area=area("ECO"),
        text="draft",
    )
    assert _reminders(DUE - datetime.timedelta(days=15)) == 0  # too early
    sent = _reminders(DUE - datetime.timedelta(days=14))
    assert sent > 0
    reminded = set(
        _kind(NotificationKind.RETURN_REMINDER).values_list("recipient__username", flat=True)
    )
    assert "delegate-kaz" not in reminded  # filed
    assert "delegate-aze" in reminded  # a draft is not a return
    assert "delegate-usa" not in reminded  # an observer owes nothing
    tjk = _kind(NotificationKind.RETURN_REMINDER).get(recipient=people["delegate-tjk"])
    subject, body = notification_text(tjk, language="en")
    assert "March 31, 2027" in subject
    assert "ECO-4 progress" in body
    assert "ECO" in body
    # Run again, and as the periodic task: nothing twice.
    assert _reminders(DUE - datetime.timedelta(days=13)) == 0
    assert send_return_reminders.apply().get() == 0
    assert _kind(NotificationKind.RETURN_REMINDER).count() == sent
    assert draft.pk


def test_no_reminder_once_the_due_date_has_passed(people):
    cycle_2027(people, due=DUE)
    assert _reminders(DUE + datetime.timedelta(days=1)) == 0
    assert not _kind(NotificationKind.RETURN_REMINDER).exists()


def test_the_summary_goes_once_after_the_due_date(people):
    eco4_adopted_with_plan()
    cycle = cycle_2027(people, due=DUE)
    return_nil(
        actor=people["delegate-kaz"], cycle=cycle, participant=state("KAZ"), area=area("ECO")
    )
    assert cycles_summarise_returns(today=DUE) == []  # not before it has passed
    assert cycles_summarise_returns(today=DUE + datetime.timedelta(days=1)) == ["CICA/IMPL/2027"]
    assert cycles_summarise_returns(today=DUE + datetime.timedelta(days=2)) == []
    assert summarise_returns.apply().get() == []
    summaries = _kind(NotificationKind.RETURN_SUMMARY)
    readers = set(summaries.values_list("recipient__username", flat=True))
    assert {"secretariat", "chair"} <= readers
    assert summaries.filter(recipient=people.secretariat).count() == 1
    subject, body = notification_text(summaries.get(recipient=people.chair), language="en")
    assert "1 of 18" in subject
    assert "Nil returns: KAZ ECO" in body
    assert "Missing: AFG ECO" in body
    assert "TJK ECO-4" in body


def test_a_late_filer_after_the_summary_is_not_reminded(people):
    cycle = cycle_2027(people, due=DUE)
    cycles_summarise_returns(today=DUE + datetime.timedelta(days=1))
    ret = return_save(
        actor=people["delegate-aze"],
        cycle=cycle,
        participant=state("AZE"),
        kind=ReturnKind.NATIONAL_REPORT,
        area=area("ECO"),
        text="Late but here.",
    )
    return_submit(actor=people["delegate-aze"], ret=ret)
    assert _reminders(DUE + datetime.timedelta(days=3)) == 0
    assert cycles_summarise_returns(today=DUE + datetime.timedelta(days=3)) == []
    assert not _kind(NotificationKind.RETURN_REMINDER).exists()
    assert _kind(NotificationKind.RETURN_SUMMARY).filter(recipient=people.secretariat).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_remind_once(people):
    """Two workers run the reminder task at the same moment: the cycle's row
    lock lets one send; the other finds it sent (PostgreSQL row locks)."""
    import threading  # noqa: PLC0415

    from django.db import connection, connections  # noqa: PLC0415

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    cycle_2027(people, due=DUE)
    day = DUE - datetime.timedelta(days=10)
    results: list[int] = []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            results.append(cycles_send_return_reminders(today=day))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results)[0] == 0
    assert sum(results) == _kind(NotificationKind.RETURN_REMINDER).count() > 0
    assert ReportingCycle.objects.get().reminder_sent_at is not None
