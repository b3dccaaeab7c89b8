"""The workflow's actions on an initiative that measures carries out, one
service each: declare interest (or join), open the consultation, designate
coordinators, submit a paper, withdraw. Each goes through
:func:`transitions._transition`. The actions that meetings, circulations and
decisions carry out are the secretariat's
(``secretariat/services/initiative_actions.py``)."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError
from cica.uploads import document_check, removed_on_failure, sha256_of
from members.models import Participant
from members.rules import AnyUser

from .. import signals, workflow
from ..models import (
    CoordinatorDesignation,
    DesignationRole,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Modality,
    Paper,
    PaperKind,
)
from ..workflow import OPEN_STATUSES, Action
from .transitions import (
    Details,
    _acting_for,
    _declaration_refusal,
    _ensure_member_today,
    _refuse_unless_allowed,
    _role_refusal,
    _transition,
)


def declaration_refusal(*, actor: AnyUser, measure: Measure) -> DomainError | None:
    """Why ``actor`` may not declare interest in ``measure``, or ``None``: the
    role (a member state's delegate), the state's status, and a declaration
    already made in the measure's open initiative. The declare page asks it
    before it shows its form (issue 16 item 5); the service asks the same."""
    refused: DomainError | None = _role_refusal(actor, Action.DECLARE_INTEREST, None)
    if refused is not None:
        return refused
    participant = _acting_for(actor)
    if participant is None:
        return DomainError(_("A declaration of interest is made for a state."))
    target = Initiative.objects.filter(
        measure=measure, modality=Modality.CONCEPT_PAPER, status__in=sorted(OPEN_STATUSES)
    ).first()
    return _declaration_refusal(participant, target)


@transaction.atomic
def initiative_declare_interest(
    *,
    actor: User | None,
    measure: Measure,
    statement: str = "",
    volunteers_as_coordinator: bool = False,
    modality: str = Modality.CONCEPT_PAPER,
    declared_on: datetime.date | None = None,
    participant: Participant | None = None,
) -> tuple[Initiative, bool]:
    """A member state declares interest in implementing a measure (modality
    (a), step 1). It creates the measure's initiative or joins the open one:
    either way a transition of that initiative (its row locked, the table's
    check, the timeline event and the webhook).

    The delegate acts for their own state only. ``participant`` is for the
    loader of the seed's annex (no user): a user's state is never chosen by
    the caller. Returns ``(initiative, created)``.
    """
    if actor is not None:
        _refuse_unless_allowed(actor, Action.DECLARE_INTEREST, None)
        participant = _acting_for(actor)
    if participant is None:
        raise DomainError(_("A declaration of interest is made for a state."))
    refused = _declaration_refusal(participant, None)
    if refused is not None:
        raise refused
    initiative = Initiative.objects.filter(
        measure=measure, modality=modality, status__in=sorted(OPEN_STATUSES)
    ).first()
    created = initiative is None
    if created:
        # Lock the measure so two first declarations at once create one
        # initiative, then look again: the other may have created it.
        Measure.objects.select_for_update().get(pk=measure.pk)
        initiative = Initiative.objects.filter(
            measure=measure, modality=modality, status__in=sorted(OPEN_STATUSES)
        ).first()
        created = initiative is None
    if created:
        # One numbering per measure across modalities, so that references
        # (ECO-9, ECO-9-2) never repeat; the measure's row lock above keeps
        # two creations at once from taking the same number.
        sequence = (
            Initiative.objects.filter(measure=measure).aggregate(n=Max("sequence"))["n"] or 0
        ) + 1
        initiative = Initiative.objects.create(
            measure=measure, modality=modality, sequence=sequence
        )

    def record(locked: Initiative) -> Details:
        # Checked again under the initiative's lock: it may have closed since
        # it was read above, or the state declared in the meantime.
        if not workflow.allowed_from(Action.DECLARE_INTEREST, locked.status, locked.modality):
            raise Conflict(_("This initiative is closed."))
        refused = _declaration_refusal(participant, locked)
        if refused is not None:
            raise refused
        InterestDeclaration.objects.create(
            initiative=locked,
            participant=participant,
            declared_on=declared_on or timezone.localdate(),
            declared_by=actor,
            statement=statement,
            volunteers_as_coordinator=volunteers_as_coordinator,
        )
        return {"participant": participant.code, "volunteers": volunteers_as_coordinator}

    assert initiative is not None  # the open one found above, or the one just created
    locked, _event = _transition(
        actor=actor,
        initiative=initiative,
        action=Action.DECLARE_INTEREST,
        effect=record,
        reason=statement,
        acting_for=participant,
        started=created,
    )
    return locked, created


def initiative_join(
    *,
    actor: User,
    initiative: Initiative,
    statement: str = "",
    volunteers_as_coordinator: bool = False,
) -> tuple[Initiative, bool]:
    """Declare interest from an initiative: in its measure, for its modality
    (joins it while it is open, or starts the next one)."""
    return initiative_declare_interest(
        actor=actor,
        measure=initiative.measure,
        modality=initiative.modality,
        statement=statement,
        volunteers_as_coordinator=volunteers_as_coordinator,
    )


def initiative_open_consultation(
    *, actor: User, initiative: Initiative, reason: str = ""
) -> tuple[Initiative, InitiativeEvent]:
    """The Chair consults the interested member states on designating one or
    more coordinator countries (modality (a), step 2)."""
    return _transition(
        actor=actor, initiative=initiative, action=Action.OPEN_CONSULTATION, reason=reason
    )


def initiative_designate_coordinators(
    *,
    actor: User,
    initiative: Initiative,
    designations: list[tuple[Participant, str]],
    reason: str = "",
    started_on: datetime.date | None = None,
) -> tuple[Initiative, InitiativeEvent]:
    """The Chair designates one or more coordinator countries and asks them to
    draft a concept paper (modality (a), steps 2–3). Member states only; at
    least one coordinator. ``started_on`` is the date of a designation made
    before it is recorded here (the register import); today by default."""
    if not designations:
        raise DomainError(_("Designate at least one coordinator."))
    if started_on is not None and started_on > timezone.localdate():
        raise DomainError(
            _("A designation cannot start in the future (%(date)s).") % {"date": started_on}
        )
    seen: set[int] = set()
    for participant, role in designations:
        if role not in DesignationRole.values:
            raise DomainError(_("Unknown role %(role)r.") % {"role": role})
        if participant.pk in seen:
            raise DomainError(_("%(code)s is named twice.") % {"code": participant.code})
        seen.add(participant.pk)
    if not any(role == DesignationRole.COORDINATOR for _p, role in designations):
        raise DomainError(_("At least one state must be designated coordinator."))

    def designate(locked: Initiative) -> Details:
        for participant, _role in designations:
            _ensure_member_today(participant, _("only member states coordinate"))
        for participant, role in designations:
            CoordinatorDesignation.objects.create(
                initiative=locked,
                participant=participant,
                role=role,
                started_on=started_on or timezone.localdate(),
                designated_by=actor,
            )
        signals.coordinators_designated.send(
            sender=Initiative, initiative=locked, designations=designations
        )
        details: Details = {
            "designations": [{"participant": p.code, "role": r} for p, r in designations]
        }
        if started_on is not None:
            details["started_on"] = started_on.isoformat()
        return details

    return _transition(
        actor=actor,
        initiative=initiative,
        action=Action.DESIGNATE_COORDINATORS,
        effect=designate,
        reason=reason,
    )


PAPER_SYMBOL_KIND = {PaperKind.CONCEPT_PAPER: "CP", PaperKind.WORKING_PAPER: "WP"}


def initiative_submit_paper(
    *,
    actor: User,
    initiative: Initiative,
    file: UploadedFile[bytes],
    language: str,
    note: str = "",
) -> tuple[Initiative, InitiativeEvent]:
    """A coordinator state submits a concept paper: a new numbered version
    (modality (a), step 3). Earlier versions are kept. The file is checked by
    content and size before anything is stored."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language %(lang)r.") % {"lang": language})

    def submit(locked: Initiative) -> Details:
        extension, mime = document_check(file)
        assert file.size is not None  # document_check has compared it with the limit
        kind = (
            PaperKind.CONCEPT_PAPER
            if locked.modality == Modality.CONCEPT_PAPER
            else PaperKind.WORKING_PAPER
        )
        version = (locked.papers.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0) + 1
        symbol = f"CICA/{PAPER_SYMBOL_KIND[kind]}/{locked.reference}/{version}"
        paper = Paper(
            initiative=locked,
            kind=kind,
            version=version,
            symbol=symbol,
            original_name=PurePath(file.name or "paper").name[:255],
            content_type=mime,
            size=file.size,
            sha256=sha256_of(file),
            language=language,
            note=note,
            submitted_by=actor,
            submitted_for=_acting_for(actor),
        )
        paper.file.save(f"paper.{extension}", file, save=False)
        assert paper.file.name is not None  # the storage's name, given by save()
        stored.append(paper.file.name)
        paper.save()
        signals.paper_submitted.send(sender=Paper, paper=paper)
        return {"paper": symbol, "version": version}

    # A file stored before the transaction fails is removed (``stored`` is the
    # list ``submit`` appends to: it runs inside the block).
    with removed_on_failure() as stored:
        return _transition(
            actor=actor,
            initiative=initiative,
            action=Action.SUBMIT_PAPER,
            effect=submit,
            reason=note,
        )


def initiative_withdraw(
    *, actor: User, initiative: Initiative, reason: str
) -> tuple[Initiative, InitiativeEvent]:
    """The secretariat, or a coordinator state, withdraws an open initiative."""
    if not reason.strip():
        raise DomainError(_("Give a reason for the withdrawal."))
    return _transition(actor=actor, initiative=initiative, action=Action.WITHDRAW, reason=reason)
