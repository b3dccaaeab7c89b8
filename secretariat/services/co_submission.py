"""Co-submission of information: a named state confirms or declines, the
lead state removes one, and everyone is told when all have answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from cica.errors import NotFound as NotFoundError
from members.models import Participant
from members.rules import acting_for

from ..models import (
    CoSubmitter,
    InformationSubmission,
    NotificationKind,
)
from .information import _co_values, _lock_submitted
from .outbox import _active_delegates, _in_their_language, _secretariat_users, notify

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _co_submission_answered(submission: InformationSubmission) -> None:
    """When no named state is awaited any longer, tell the lead state and the
    secretariat, once: the submission can now be disseminated."""
    rows = list(submission.co_submitters.select_related("participant"))
    if any(r.answer == "awaited" for r in rows):
        return
    confirmed = [r.participant.code for r in rows if r.answer == "confirmed"]
    declined = [r.participant.code for r in rows if r.answer == "declined"]
    staff = _secretariat_users()
    leads = [u for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])]

    def build(user: User) -> tuple[str, str]:
        values = _co_values(
            submission,
            confirmed=", ".join(confirmed) or _("none"),
            declined=", ".join(declined) or _("none"),
        )
        subject = _("Every co-submitter has answered: %(ref)s") % values
        if user in staff:
            body = _(
                "Every state named as co-submitting “%(title)s” (%(ref)s, from %(lead)s) has "
                "answered. Confirmed: %(confirmed)s. Declined: %(declined)s. It is ready for "
                "you to disseminate or return: %(page)s"
            )
        else:
            body = _(
                "Every state you named as co-submitting “%(title)s” (%(ref)s) has answered. "
                "Confirmed: %(confirmed)s. Declined: %(declined)s. The secretariat can now "
                "disseminate it; you need do nothing."
            )
        return subject, body % values

    notify(
        kind=NotificationKind.CO_SUBMISSION_COMPLETE,
        event_key=f"information-answered:{submission.pk}",
        messages=_in_their_language(
            [(u, "information", submission.pk) for u in [*leads, *staff]], build
        ),
        url=f"/api/v1/information/{submission.pk}/",
    )


def _own_co_submitter_row(
    actor: User, submission: InformationSubmission
) -> tuple[InformationSubmission, CoSubmitter]:
    """The caller's state's row, locked after the submission (always in that
    order, as removal does, so two answers never deadlock)."""
    participant = acting_for(actor)
    mine = CoSubmitter.objects.filter(submission=submission, participant=participant)
    if participant is None or not mine.exists():
        raise Forbidden(_("Your state is not named as co-submitting this information."))
    submission = _lock_submitted(submission)
    row = mine.select_for_update().select_related("participant").first()
    if row is None:  # removed by the lead meanwhile
        raise Forbidden(_("Your state is not named as co-submitting this information."))
    return submission, row


@transaction.atomic
def information_confirm(*, actor: User, submission: InformationSubmission) -> CoSubmitter:
    """A co-submitting state's delegate confirms: only then is the submission
    theirs (a state that had declined may change its mind while the
    submission is open). The last answer tells the lead and the secretariat."""
    submission, row = _own_co_submitter_row(actor, submission)
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by = timezone.now(), actor
        row.declined_at, row.declined_by, row.decline_reason = None, None, ""
        row.save(
            update_fields=[
                "confirmed_at",
                "confirmed_by",
                "declined_at",
                "declined_by",
                "decline_reason",
            ]
        )
        _co_submission_answered(submission)
    return row


@transaction.atomic
def information_decline(
    *, actor: User, submission: InformationSubmission, reason: str
) -> CoSubmitter:
    """A state named as co-submitting declines, with its reason: the
    submission is not disseminated in its name and no longer waits for it.
    The lead state is told (it may remove the state); the last answer tells
    the lead and the secretariat."""
    submission, row = _own_co_submitter_row(actor, submission)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason why your state declines."))
    if row.confirmed_at is not None:
        raise Conflict(_("Your state has already confirmed this co-submission."))
    if row.declined_at is not None:
        raise Conflict(_("Your state has already declined this co-submission."))
    row.declined_at, row.declined_by, row.decline_reason = timezone.now(), actor, reason
    row.save(update_fields=["declined_at", "declined_by", "decline_reason"])
    code = row.participant.code
    leads = [u for u, _pid in _active_delegates(participant_ids=[submission.submitted_for_id])]

    def build(_user: User) -> tuple[str, str]:
        values = _co_values(submission, code=code, reason=reason)
        return (
            _("%(code)s declines to co-submit %(ref)s") % values,
            _(
                "%(code)s declines to co-submit “%(title)s” (%(ref)s). Its reason: %(reason)s\n"
                "The submission will not be disseminated in the name of %(code)s and no longer "
                "waits for it. You need do nothing; you may remove %(code)s on its page: "
                "%(page)s"
            )
            % values,
        )

    notify(
        kind=NotificationKind.CO_SUBMISSION_DECLINED,
        event_key=f"information-declined:{submission.pk}:{row.participant_id}",
        messages=_in_their_language([(u, "information", submission.pk) for u in leads], build),
        url=f"/api/v1/information/{submission.pk}/",
    )
    _co_submission_answered(submission)
    return row


@transaction.atomic
def information_remove_co_submitter(
    *, actor: User, submission: InformationSubmission, participant: Participant
) -> None:
    """The lead state's delegate removes a state named as co-submitting
    (awaited, declined or even confirmed) while the submission is open. The
    removed state is told; if nobody else is awaited, the lead and the
    secretariat are told it can be disseminated."""
    lead = acting_for(actor)
    if lead is None or lead.pk != submission.submitted_for_id:
        raise Forbidden(_("Only a delegate of the submitting state removes a co-submitter."))
    submission = _lock_submitted(submission)
    row = CoSubmitter.objects.filter(submission=submission, participant=participant).first()
    if row is None:
        raise NotFoundError(
            _("%(code)s is not named as co-submitting %(ref)s.")
            % {"code": participant.code, "ref": submission.reference}
        )
    row.delete()
    removed = [u for u, _pid in _active_delegates(participant_ids=[participant.pk])]

    def build(_user: User) -> tuple[str, str]:
        values = _co_values(submission)
        return (
            _("Removed from co-submission %(ref)s") % values,
            _(
                "%(lead)s removed your state from the states co-submitting “%(title)s” "
                "(%(ref)s). It will not be disseminated in your state's name; your state need "
                "do nothing."
            )
            % values,
        )

    notify(
        kind=NotificationKind.CO_SUBMITTER_REMOVED,
        event_key=f"information-removed:{submission.pk}:{participant.pk}:{row.pk}",
        messages=_in_their_language([(u, "information", submission.pk) for u in removed], build),
        url="",
    )
    _co_submission_answered(submission)
