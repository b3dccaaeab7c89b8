"""The circulation ledger and its notifications (issue 4, must show 1, 2, 5, 6)."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cica.errors import Conflict, Forbidden, NotFound
from members.models import Participant, ParticipationStatus
from members.services import delegate_assign
from secretariat import services
from secretariat.models import Circulation, EmailStatus, Notification, Receipt
from secretariat.services import initiative_circulate, initiative_refer_to_swg
from secretariat.tasks import send_notification_email

pytestmark = pytest.mark.django_db
MEMBERS = ParticipationStatus.MEMBER


def second_delegates():
    User = get_user_model()
    for participant in Participant.objects.all():
        user = User.objects.create_user(
            f"deputy-{participant.code.lower()}", email=f"deputy-{participant.code.lower()}@x.org"
        )
        delegate_assign(user=user, participant=participant, role="delegate")


def circulate(people, initiative, deadline, audience="members"):
    actor = get_user_model().objects.get(username="secretariat")  # nothing cached on it
    with CaptureQueriesContext(connection) as queries:
        initiative_circulate(
            actor=actor, initiative=initiative, deadline=deadline, audience=audience
        )
    return len(queries)


def test_fan_out_writes_receipts_and_notifications_in_constant_queries(
    people, drafting, deadline, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        sid = transaction.savepoint()
        one_each = circulate(people, drafting, deadline)
        transaction.savepoint_rollback(sid)
    drafting.refresh_from_db()
    second_delegates()
    with django_capture_on_commit_callbacks() as callbacks:
        two_each = circulate(people, drafting, deadline)
    circulation = Circulation.objects.get(initiative=drafting)
    assert circulation.receipts.count() == 18
    sent = Notification.objects.filter(kind="circulation")
    assert sent.count() == 36
    assert set(sent.values_list("target_type", flat=True)) == {"receipt"}
    assert two_each == one_each, "queries do not grow with delegates"
    assert two_each <= 40
    assert len(callbacks) == 1  # one hand-over to Celery after commit, for all 36


def test_queries_do_not_grow_with_the_audience(people, drafting, deadline):
    with transaction.atomic():
        sid = transaction.savepoint()
        members = circulate(people, drafting, deadline)
        transaction.savepoint_rollback(sid)
    drafting.refresh_from_db()
    everyone = circulate(people, drafting, deadline, audience="members_and_observers")
    assert Receipt.objects.filter(circulation__initiative=drafting).count() == 27
    assert everyone == members


def test_a_rolled_back_event_queues_and_sends_nothing(
    people, drafting, deadline, django_capture_on_commit_callbacks
):
    before = Notification.objects.count()

    def circulate_then_fail():
        with transaction.atomic():
            initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
            raise RuntimeError("something later in the same transaction failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="later in the same transaction"),
    ):
        circulate_then_fail()
    assert callbacks == []
    assert Notification.objects.count() == before
    assert not Circulation.objects.exists()
    assert not Receipt.objects.exists()
    assert mail.outbox == []
    drafting.refresh_from_db()
    assert drafting.status == "drafting"


def test_each_email_is_sent_once_in_process(
    people, drafting, deadline, django_capture_on_commit_callbacks, eager_celery
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation_mail = [m for m in mail.outbox if "Circulated" in m.subject]
    assert len(circulation_mail) == 18
    assert sorted(m.to[0] for m in circulation_mail) == sorted(
        f"delegate-{p.code.lower()}@cica.example"
        for p in Participant.objects.with_status_in(MEMBERS)
    )
    circulation_rows = Notification.objects.filter(kind="circulation")
    assert not circulation_rows.filter(email_status=EmailStatus.PENDING).exists()
    assert not Receipt.objects.filter(delivered_at__isnull=True).exists()
    # The same task run again (a redelivery) sends nothing more.
    for notification in circulation_rows:
        assert (
            send_notification_email.apply(kwargs={"notification_id": notification.pk})
            .get()
            .startswith("already")
        )
    assert len([m for m in mail.outbox if "Circulated" in m.subject]) == 18


def test_a_failing_mail_server_leaves_the_row_pending_with_the_error(
    people, drafting, deadline, settings, django_capture_on_commit_callbacks, eager_celery
):
    settings.EMAIL_BACKEND = "tests.secretariat.broken_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    pending = Notification.objects.filter(kind="circulation")
    assert pending.filter(email_status=EmailStatus.PENDING).count() == 18
    row = pending.first()
    assert row is not None
    assert row.attempts == 1
    assert "refused" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    services.notifications_requeue(older_than=datetime.timedelta(0))
    assert pending.filter(email_status=EmailStatus.SENT).count() == 18
    assert len([m for m in mail.outbox if "Circulated" in m.subject]) == 18
    assert pending.get(recipient__username="delegate-kaz").attempts == 2


# --- answers --------------------------------------------------------------------


@pytest.fixture
def circulated(people, drafting, deadline):
    initiative_circulate(
        actor=people.secretariat,
        initiative=drafting,
        deadline=deadline,
        audience="members_and_observers",
    )
    return Circulation.objects.get(initiative=drafting)


def test_a_state_answers_for_itself_and_may_change_until_the_deadline(people, circulated, deadline):
    services.receipt_answer(
        actor=people["delegate-chn"], circulation=circulated, position="support"
    )
    services.receipt_answer(
        actor=people["delegate-chn"],
        circulation=circulated,
        position="reservation",
        text="On paragraph 3.",
    )
    receipt = Receipt.objects.get(circulation=circulated, participant__code="CHN")
    assert receipt.position == "reservation"
    assert receipt.position_by == people["delegate-chn"]
    assert receipt.acknowledged_at is not None
    history = list(receipt.history.order_by("history_date").values_list("position", flat=True))
    assert history[-2:] == ["support", "reservation"]
    with (
        time_machine.travel(deadline + datetime.timedelta(days=1), tick=False),
        pytest.raises(Conflict, match="deadline"),
    ):
        services.receipt_answer(
            actor=people["delegate-chn"],
            circulation=circulated,
            position="objection",
            text="Too late",
        )
    receipt.refresh_from_db()
    assert receipt.position == "reservation"


def test_observers_acknowledge_but_take_no_position(people, circulated):
    with pytest.raises(Forbidden, match="only member states"):
        services.receipt_answer(
            actor=people["delegate-usa"], circulation=circulated, position="support"
        )
    receipt = services.receipt_acknowledge(actor=people["delegate-usa"], circulation=circulated)
    assert receipt.acknowledged_by == people["delegate-usa"]
    assert receipt.position == ""


def test_staff_and_strangers_cannot_answer(people, drafting, deadline):
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation = Circulation.objects.get(initiative=drafting)
    with pytest.raises(Forbidden):
        services.receipt_answer(
            actor=people.secretariat, circulation=circulation, position="support"
        )
    with pytest.raises(NotFound):  # members-only: the observer was not addressed
        services.receipt_acknowledge(actor=people["delegate-usa"], circulation=circulation)
    with pytest.raises(Exception, match="Give the text"):
        services.receipt_answer(
            actor=people["delegate-ind"], circulation=circulation, position="objection"
        )


def test_referral_before_the_deadline_once_every_member_answered(people, circulated):
    with pytest.raises(Conflict):
        initiative_refer_to_swg(actor=people.secretariat, initiative=circulated.initiative)
    for participant in Participant.objects.with_status_in(MEMBERS):
        services.receipt_answer(
            actor=people[f"delegate-{participant.code.lower()}"],
            circulation=circulated,
            position="no_objection",
        )
    _initiative, event = initiative_refer_to_swg(
        actor=people.secretariat, initiative=circulated.initiative
    )
    assert event.to_status == "swg_review"


# --- periodic work, on a controlled clock ------------------------------------------


def test_reminders_go_once_to_the_states_that_have_not_answered(
    people, circulated, deadline, settings
):
    settings.CICA_REMINDER_DAYS_BEFORE = 3
    services.receipt_answer(
        actor=people["delegate-chn"], circulation=circulated, position="support"
    )
    reminders = Notification.objects.filter(kind="reminder")
    with time_machine.travel(deadline - datetime.timedelta(days=4), tick=False):
        assert services.circulations_send_reminders() == 0
    with time_machine.travel(deadline - datetime.timedelta(days=3), tick=False):
        services.circulations_send_reminders()
        services.circulations_send_reminders()
    with time_machine.travel(deadline, tick=False):
        services.circulations_send_reminders()
    reminded = set(reminders.values_list("recipient__username", flat=True))
    members = {f"delegate-{p.code.lower()}" for p in Participant.objects.with_status_in(MEMBERS)}
    assert reminded == members - {"delegate-chn"}
    assert reminders.count() == 17
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        services.circulations_send_reminders()
    assert reminders.count() == 17


def test_the_deadline_summary_goes_once_to_the_secretariat(people, circulated, deadline):
    services.receipt_answer(
        actor=people["delegate-ind"], circulation=circulated, position="objection", text="No."
    )
    services.receipt_acknowledge(actor=people["delegate-usa"], circulation=circulated)
    summaries = Notification.objects.filter(kind="deadline_summary")
    with time_machine.travel(deadline, tick=False):
        assert services.circulations_summarise_deadlines() == []
    with time_machine.travel(deadline + datetime.timedelta(days=1), tick=False):
        assert services.circulations_summarise_deadlines() == [circulated.reference]
        assert services.circulations_summarise_deadlines() == []
    summary = summaries.get()
    assert summary.recipient == people.secretariat
    assert "IND: Objection" in summary.body
    assert "USA: acknowledged" in summary.body
    assert "KAZ: no answer" in summary.body
    assert "1 of 27 answered" in summary.subject or "2 of 27 answered" in summary.subject
