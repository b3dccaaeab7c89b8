"""The information exchange: a member state submits information, the
secretariat disseminates it (a circulation) or returns it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from cica.uploads import document_check, removed_on_failure, sha256_of
from members.models import Participant, ParticipationStatus
from members.rules import AnyUser, acting_for, is_secretariat

from ..models import (
    Audience,
    Circulation,
    CirculationKind,
    CoSubmitter,
    InformationAttachment,
    InformationKind,
    InformationStatus,
    InformationSubmission,
    NotificationKind,
    Visibility,
)
from .circulations import _fan_out
from .outbox import (
    _active_delegates,
    _in_their_language,
    _rendered,
    _secretariat_users,
    notify,
)
from .symbols import symbol_next

# PostgreSQL text-search configurations for our languages; 'simple' (no
# stemming) is added for every text so a word in any language matches.
if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

    from measures.models import Measure


SEARCH_CONFIG = {"en": "english", "fr": "french", "ru": "russian"}


def _information_index(submission: InformationSubmission) -> None:
    """Keep the full-text vector in step (PostgreSQL; SQLite searches with LIKE)."""
    if connection.vendor != "postgresql":
        return
    stemmed = SEARCH_CONFIG.get(submission.language, "simple")
    vector = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("text", weight="B", config="simple")
        + SearchVector("title", "text", weight="C", config=stemmed)
    )
    InformationSubmission.objects.filter(pk=submission.pk).update(search_vector=vector)


def information_submit_refusal(*, actor: AnyUser) -> DomainError | None:
    """Why ``actor`` may not submit information, or None: only a member
    state's delegate submits, for their state. The one check, run by
    :func:`information_submit` and by the page before it reads an upload."""
    lead = acting_for(actor)
    if lead is None or lead.status_on() != ParticipationStatus.MEMBER:
        return Forbidden(_("Only a member state's delegate submits information, for their state."))
    return None


def information_submit(
    *,
    actor: User,
    title: str,
    text: str,
    kind: str,
    language: str,
    visibility: str,
    measures: Iterable[Measure],
    co_submitters: Iterable[Participant] = (),
    attachments: Iterable[UploadedFile[bytes]] = (),
    submitted_for: Participant | None = None,
) -> InformationSubmission:
    """A member state (or a group of member states) submits information on
    agreed measures to the secretariat for dissemination (seed, introduction
    of the cooperative approach). A delegate submits for their own state;
    each co-submitting state confirms through its own delegate. If anything
    fails, the attachments already stored are removed with the rolled-back rows."""
    with removed_on_failure() as stored, transaction.atomic():
        refused = information_submit_refusal(actor=actor)
        if refused is not None:
            raise refused
        lead = acting_for(actor)
        assert lead is not None  # the refusal's rule
        if submitted_for is not None and submitted_for != lead:
            raise Forbidden(
                _("You act for %(own)s and cannot submit for %(other)s.")
                % {"own": lead.code, "other": submitted_for.code}
            )
        measures = list(measures)
        if not measures:
            raise DomainError(_("Name the measures the information concerns."))
        if not title.strip() or not text.strip():
            raise DomainError(_("Give a title and a text."))
        if kind not in InformationKind.values:
            raise DomainError(_("Unknown kind %(kind)r.") % {"kind": kind})
        if visibility not in Visibility.values:
            raise DomainError(_("Unknown visibility %(v)r.") % {"v": visibility})
        if language not in dict(settings.LANGUAGES):
            raise DomainError(_("Unknown language %(lang)r.") % {"lang": language})
        co_submitters = [p for p in dict.fromkeys(co_submitters) if p != lead]
        for state in co_submitters:
            if state.status_on() != ParticipationStatus.MEMBER:
                raise DomainError(
                    _("%(code)s is not a member state: only member states submit information.")
                    % {"code": state.code}
                )
        checked = [(upload, *document_check(upload)) for upload in attachments]
        submission = InformationSubmission.objects.create(
            reference=symbol_next(prefix=f"CICA/INF/{timezone.localdate():%Y}/"),
            kind=kind,
            title=title.strip(),
            text=text,
            language=language,
            visibility=visibility,
            submitted_for=lead,
            submitted_by=actor,
        )
        submission.measures.set(measures)
        for state in co_submitters:
            CoSubmitter.objects.create(submission=submission, participant=state)
        for upload, extension, mime in checked:
            attachment = InformationAttachment(
                submission=submission,
                original_name=(upload.name or "attachment")[:255],
                content_type=mime,
                size=upload.size or 0,  # never 0: document_check refused empty files
                sha256=sha256_of(upload),
            )
            attachment.file.save(f"attachment.{extension}", upload, save=False)
            stored.append(str(attachment.file.name))  # set by the save above
            attachment.save()
        _information_index(submission)
        params = {
            "ref": submission.reference,
            "title": submission.title,
            "text": submission.text[:2000],
        }
        notify(
            kind=NotificationKind.INFORMATION_SUBMITTED,
            event_key=f"information-submitted:{submission.pk}",
            messages=_rendered(
                [(u, "information", submission.pk) for u in _secretariat_users()],
                kind=NotificationKind.INFORMATION_SUBMITTED,
                params=params,
            ),
            params=params,
            url=f"/api/v1/information/{submission.pk}/",
        )
        if co_submitters:
            _co_submitters_ask(submission, co_submitters)
        return submission


def _co_submitters_ask(submission: InformationSubmission, co_submitters: list[Participant]) -> None:
    """Ask each state named as co-submitting, in its delegates' languages, to
    confirm or decline by the date :func:`information_confirm_by` gives."""
    due = information_confirm_by(submission)

    def ask(_user: User) -> tuple[str, str]:
        values = _co_values(submission, due=due)
        return (
            _(
                "%(lead)s names your state as co-submitting %(ref)s: "
                "please confirm or decline by %(date)s."
            )
            % values,
            _(
                "%(lead)s names your state as co-submitting “%(title)s” (%(ref)s) to the "
                "CICA secretariat for dissemination. It is disseminated in your state's "
                "name only if a delegate of your state confirms. Please confirm, or decline "
                "with a reason, by %(date)s on its page: %(page)s"
            )
            % values,
        )

    delegates = _active_delegates(participant_ids=[p.pk for p in co_submitters])
    notify(
        kind=NotificationKind.CONFIRMATION_REQUESTED,
        event_key=f"information-confirm:{submission.pk}",
        messages=_in_their_language(
            [(u, "information", submission.pk) for u, _pid in delegates], ask
        ),
        url=f"/api/v1/information/{submission.pk}/",
    )


def information_confirm_by(submission: InformationSubmission) -> datetime.date:
    """The date by which the states named as co-submitting should answer:
    ``CICA_CO_SUBMISSION_DAYS`` after the submission."""
    submitted = timezone.localdate(submission.submitted_at or timezone.now())
    return submitted + datetime.timedelta(days=settings.CICA_CO_SUBMISSION_DAYS)


def _co_values(submission: InformationSubmission, **extra: object) -> dict[str, object]:
    """What every co-submission notice quotes; dates formatted in the active
    language (call it inside the recipient's language)."""
    values: dict[str, object] = {
        "lead": submission.submitted_for.code,
        "ref": submission.reference,
        "title": submission.title,
        "page": f"/information/{submission.pk}/",
    }
    for key, value in extra.items():
        values[key if key != "due" else "date"] = (
            date_format(value, "DATE_FORMAT") if isinstance(value, datetime.date) else value
        )
    return values


def _lock_submitted(submission: InformationSubmission) -> InformationSubmission:
    """Lock the submission and check that it is still submitted: open to the
    co-submitters' answers and to the secretariat's dissemination or return.
    The lock makes the last two answers, arriving together, see each other,
    and a submission disseminated and returned at once take only one."""
    locked = InformationSubmission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != InformationStatus.SUBMITTED:
        raise Conflict(
            _("The submission is already at “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def information_disseminate(*, actor: User, submission: InformationSubmission) -> Circulation:
    """The secretariat disseminates a submission: a circulation to the states
    its visibility names, with a receipt for each and a notification to each
    of their delegates. Every co-submitting state must have confirmed."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat disseminates information."))
    submission = _lock_submitted(submission)
    waiting = list(
        submission.co_submitters.filter(
            confirmed_at__isnull=True, declined_at__isnull=True
        ).values_list("participant__code", flat=True)
    )
    if waiting:
        raise Conflict(
            _("Waiting for %(codes)s to confirm co-submission.") % {"codes": ", ".join(waiting)}
        )
    audience = (
        Audience.MEMBERS
        if submission.visibility == Visibility.MEMBERS
        else Audience.MEMBERS_AND_OBSERVERS
    )
    circulation = Circulation.objects.create(
        kind=CirculationKind.INFORMATION,
        information=submission,
        reference=symbol_next(prefix=f"CICA/CIRC/{timezone.localdate():%Y}/"),
        audience=audience,
        circulated_by=actor,
    )
    submission.status = InformationStatus.DISSEMINATED
    submission.disseminated_at = timezone.now()
    submission.save(update_fields=["status", "disseminated_at"])
    submitters = ", ".join(information_submitters(submission))
    _fan_out(
        circulation=circulation,
        actor=actor,
        kind=NotificationKind.INFORMATION,
        params={"who": submitters, "title": submission.title, "text": submission.text[:5000]},
    )
    return circulation


@transaction.atomic
def information_return(
    *, actor: User, submission: InformationSubmission, reason: str
) -> InformationSubmission:
    """The secretariat returns a submission with its reasons."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat returns submissions."))
    if not reason.strip():
        raise DomainError(_("Give the reasons for returning it."))
    submission = _lock_submitted(submission)
    submission.status = InformationStatus.RETURNED
    submission.returned_at = timezone.now()
    submission.return_reason = reason
    submission.save(update_fields=["status", "returned_at", "return_reason"])
    states = [
        submission.submitted_for_id,
        *submission.co_submitters.values_list("participant_id", flat=True),
    ]
    params = {"ref": submission.reference, "reason": reason}
    notify(
        kind=NotificationKind.INFORMATION_RETURNED,
        event_key=f"information-returned:{submission.pk}",
        messages=_rendered(
            [
                (u, "information", submission.pk)
                for u, _pid in _active_delegates(participant_ids=states)
            ],
            kind=NotificationKind.INFORMATION_RETURNED,
            params=params,
        ),
        params=params,
        url=f"/api/v1/information/{submission.pk}/",
    )
    return submission


def information_submitters(submission: InformationSubmission) -> list[str]:
    """The lead state and the co-submitting states that have confirmed."""
    confirmed = [
        c.participant.code for c in submission.co_submitters.all() if c.confirmed_at is not None
    ]
    return [submission.submitted_for.code, *sorted(confirmed)]
