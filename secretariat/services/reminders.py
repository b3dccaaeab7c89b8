"""Reminders and deadline summaries: the periodic reminders (circulations and
co-submissions), the secretariat's "remind now", and the summary of
answers once a deadline has passed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, Forbidden
from members.models import Participant, ParticipationStatus
from members.rules import is_secretariat

from ..models import (
    Circulation,
    CirculationKind,
    InformationStatus,
    InformationSubmission,
    NotificationKind,
    Receipt,
)
from .circulations import _initiative_of
from .information import _co_values, information_confirm_by
from .outbox import (
    _active_delegates,
    _in_their_language,
    _rendered,
    _secretariat_users,
    notify,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def circulations_send_reminders(*, today: datetime.date | None = None) -> int:
    """Periodic: a reminder, once, to every member state that has not given
    its position when a deadline is ``CICA_REMINDER_DAYS_BEFORE`` days away
    or nearer (and not yet passed)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE)
    sent = 0
    circulations = Circulation.objects.filter(deadline__gte=today, deadline__lte=horizon)
    for circulation in circulations.select_related("paper", "initiative__measure"):
        with transaction.atomic():
            sent += _remind_waiting(
                circulation=circulation, today=today, event_key=f"reminder:{circulation.pk}"
            )
    return sent


def _remind_waiting(
    *, circulation: Circulation, today: datetime.date, event_key: str, by_secretariat: bool = False
) -> int:
    """Remind the delegates of every member state that has not given its
    position on ``circulation``; once per ``event_key``. The one path of the
    periodic reminder and the secretariat's "remind now". Returns the
    notifications written."""
    waiting = Receipt.objects.filter(circulation=circulation, position="").filter(
        participant__in=Participant.objects.with_status_in(ParticipationStatus.MEMBER, today)
    )
    by_participant = dict(waiting.values_list("participant_id", "pk"))
    if not by_participant:
        return 0
    assert circulation.deadline is not None, "only circulations with a deadline are reminded"
    params = {
        "ref": circulation.reference,
        "measure": _initiative_of(circulation).measure.code,
        "deadline": circulation.deadline.isoformat(),
        "by_secretariat": by_secretariat,
    }
    messages = _rendered(
        [
            (user, "receipt", by_participant[pid])
            for user, pid in _active_delegates(participant_ids=list(by_participant))
        ],
        kind=NotificationKind.REMINDER,
        params=params,
    )
    return len(
        notify(
            kind=NotificationKind.REMINDER,
            event_key=event_key,
            messages=messages,
            url=f"/api/v1/circulations/{circulation.pk}/",
            params=params,
        )
    )


def circulation_remind_now(*, actor: User, circulation: Circulation) -> int:
    """The secretariat reminds, now, every member state that has not given its
    position (at most once a day per circulation: a second click adds nothing)."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat sends reminders."))
    if circulation.kind == CirculationKind.INFORMATION or circulation.deadline is None:
        raise Conflict(_("Disseminated information has no answers to remind of."))
    today = timezone.localdate()
    if circulation.deadline < today:
        raise Conflict(_("The deadline has passed."))
    with transaction.atomic():
        return _remind_waiting(
            circulation=circulation,
            today=today,
            event_key=f"reminder-now:{circulation.pk}:{today.isoformat()}",
            by_secretariat=True,
        )


def circulations_summarise_deadlines(*, today: datetime.date | None = None) -> list[str]:
    """Periodic: when a deadline has passed, the secretariat gets one summary
    of who answered what (and who did not)."""
    today = today or timezone.localdate()
    done = []
    due = Circulation.objects.filter(deadline__lt=today, summary_sent_at__isnull=True)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            circulation = Circulation.objects.select_for_update().get(pk=pk)
            if circulation.summary_sent_at is not None:
                continue
            lines = []
            for receipt in circulation.receipts.select_related("participant").order_by(
                "participant__code"
            ):
                answer = receipt.get_position_display() if receipt.position else _("no answer")
                if not receipt.position and receipt.acknowledged_at:
                    answer = _("acknowledged, no position")
                lines.append(f"{receipt.participant.code}: {answer}")
            subject = _("Deadline passed: %(ref)s — %(n)s of %(total)s answered") % {
                "ref": circulation.reference,
                "n": sum(1 for line in lines if not line.endswith(str(_("no answer")))),
                "total": len(lines),
            }
            notify(
                kind=NotificationKind.DEADLINE_SUMMARY,
                event_key=f"deadline:{circulation.pk}",
                messages=[
                    (u, subject, "\n".join(lines), "circulation", circulation.pk)
                    for u in _secretariat_users()
                ],
                url=f"/api/v1/circulations/{circulation.pk}/",
            )
            circulation.summary_sent_at = timezone.now()
            circulation.save(update_fields=["summary_sent_at"])
            done.append(circulation.reference)
    return done


def information_send_co_submission_reminders(*, today: datetime.date | None = None) -> int:
    """Periodic (with the circulation reminders): once, to every state named
    as co-submitting that has not answered when the date to answer is
    ``CICA_REMINDER_DAYS_BEFORE`` days away or nearer; once, to the lead
    state, when that date has passed and states are still awaited. Returns
    the notices written (none twice: each is keyed to its stage)."""
    today = today or timezone.localdate()
    before = datetime.timedelta(days=settings.CICA_REMINDER_DAYS_BEFORE)
    earliest = today - datetime.timedelta(days=settings.CICA_CO_SUBMISSION_DAYS) + before
    waiting = (
        InformationSubmission.objects.filter(
            status=InformationStatus.SUBMITTED,
            submitted_at__date__lte=earliest,
            co_submitters__confirmed_at__isnull=True,
            co_submitters__declined_at__isnull=True,
        )
        .select_related("submitted_for")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for submission in waiting:
        due = information_confirm_by(submission)
        awaited = list(
            submission.co_submitters.filter(
                confirmed_at__isnull=True, declined_at__isnull=True
            ).select_related("participant")
        )
        codes = ", ".join(r.participant.code for r in awaited)
        with transaction.atomic():
            if today <= due:

                def remind(
                    _user: User,
                    submission: InformationSubmission = submission,
                    due: datetime.date = due,
                ) -> tuple[str, str]:
                    values = _co_values(submission, due=due)
                    return (
                        _("Reminder: confirm or decline co-submitting %(ref)s by %(date)s")
                        % values,
                        _(
                            "%(lead)s named your state as co-submitting “%(title)s” (%(ref)s) "
                            "to the CICA secretariat for dissemination, and your state has not "
                            "answered yet. Please confirm, or decline with a reason, by "
                            "%(date)s on its page: %(page)s"
                        )
                        % values,
                    )

                users = [
                    u
                    for u, _pid in _active_delegates(
                        participant_ids=[r.participant_id for r in awaited]
                    )
                ]
                sent += len(
                    notify(
                        kind=NotificationKind.CO_SUBMISSION_REMINDER,
                        event_key=f"information-confirm-reminder:{submission.pk}",
                        messages=_in_their_language(
                            [(u, "information", submission.pk) for u in users], remind
                        ),
                        url=f"/api/v1/information/{submission.pk}/",
                    )
                )
            else:

                def overdue(
                    _user: User,
                    submission: InformationSubmission = submission,
                    due: datetime.date = due,
                    codes: str = codes,
                ) -> tuple[str, str]:
                    values = _co_values(submission, due=due, codes=codes)
                    return (
                        _("Co-submission of %(ref)s: %(codes)s still awaited") % values,
                        _(
                            "%(codes)s did not answer by %(date)s whether they co-submit "
                            "“%(title)s” (%(ref)s). The secretariat cannot disseminate it while "
                            "a named state is awaited: ask them to answer, or remove them on "
                            "its page: %(page)s"
                        )
                        % values,
                    )

                leads = [
                    u
                    for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])
                ]
                sent += len(
                    notify(
                        kind=NotificationKind.CO_SUBMISSION_REMINDER,
                        event_key=f"information-confirm-overdue:{submission.pk}",
                        messages=_in_their_language(
                            [(u, "information", submission.pk) for u in leads], overdue
                        ),
                        url=f"/api/v1/information/{submission.pk}/",
                    )
                )
    return sent
