"""Silence procedures: a draft decision circulated to the member states,
adopted when none objects by the deadline.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cica.errors import Conflict, DomainError, Forbidden
from measures.models import Initiative
from measures.services import initiative_note
from measures.workflow import Outcome, Status
from members.rules import is_secretariat

from ..models import (
    Audience,
    Body,
    Circulation,
    CirculationKind,
    NotificationKind,
    Receipt,
    SilenceStatus,
)
from .circulations import _initiative_of, circulation_create
from .decisions import DECISION_BODIES
from .initiative_actions import initiative_record_decision
from .outbox import _rendered, _secretariat_users, notify

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from members.models import Participant


logger = logging.getLogger(__name__)


@transaction.atomic
def silence_procedure_start(
    *, actor: User, initiative: Initiative, body: str, draft_text: str, deadline: datetime.date
) -> Circulation:
    """Circulate a draft decision of the SWG or the SOC under silence
    procedure: adopted by consensus when no member state objects by the
    deadline (an extension of the seed's consensus rule). The initiative must
    be before that body."""
    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat starts a silence procedure."))
    if body not in DECISION_BODIES:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))
    if not draft_text.strip():
        raise DomainError(_("Give the text of the draft decision."))
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    expected_by_body: dict[str, str] = {Body.SWG: "swg_review", Body.SOC: "soc_review"}
    expected = expected_by_body[body]
    if initiative.status != expected:
        raise Conflict(
            _(
                "The initiative is at “%(status)s”: a %(body)s draft decision needs it at "
                "“%(expected)s”."
            )
            % {
                "status": initiative.get_status_display(),
                "body": Body(body).label,
                "expected": Status(expected).label,
            }
        )
    if initiative.circulations.filter(silence_status=SilenceStatus.PENDING).exists():
        raise Conflict(_("A silence procedure is already running on this initiative."))
    paper = initiative.papers.order_by("-version").first()
    circulation = circulation_create(
        actor=actor,
        initiative=initiative,
        paper=paper,
        deadline=deadline,
        audience=Audience.MEMBERS,
        kind=CirculationKind.DRAFT_DECISION,
        body=body,
        draft_text=draft_text,
        silence=True,
        notice=silence_notice,
    )
    _silence_on_timeline(
        circulation=circulation,
        kind="silence_started",
        actor=actor,
        reason=draft_text,
        details={"body": body, "deadline": deadline.isoformat()},
    )
    return circulation


def silence_deadline_zone(day: datetime.date) -> str:
    """The time zone a silence deadline runs in, with its offset on that day
    ("Asia/Almaty, UTC+05:00"): the procedure closes after 23:59 there."""
    end = datetime.datetime.combine(
        day, datetime.time(23, 59), tzinfo=timezone.get_default_timezone()
    )
    offset = end.strftime("%z")
    return f"{settings.TIME_ZONE}, UTC{offset[:3]}:{offset[3:]}"


def silence_notice(circulation: Circulation) -> tuple[str, str]:
    """The notice of a draft decision under silence procedure, in the active
    language: what it is, the draft itself, the deadline with its time zone,
    and that silence means consent."""
    initiative = _initiative_of(circulation)
    deadline = circulation.deadline
    assert deadline is not None, "silence_procedure_start always sets a deadline"
    values = {
        "body": Body(circulation.body).label,
        "ref": initiative.reference,
        "measure": initiative.measure.title,
        "circulation": circulation.reference,
        "deadline": date_format(deadline, "DATE_FORMAT"),
        "zone": silence_deadline_zone(deadline),
        "draft": circulation.draft_text.strip(),
    }
    subject = (
        _(
            "Silence procedure: draft decision of the %(body)s on %(ref)s, "
            "objections by %(deadline)s (%(circulation)s)"
        )
        % values
    )
    text = (
        _(
            "A draft decision of the %(body)s on %(ref)s (%(measure)s) is circulated under "
            "silence procedure (%(circulation)s).\n\n"
            "Draft decision:\n“%(draft)s”\n\n"
            "Deadline: %(deadline)s, 23:59 (%(zone)s).\n\n"
            "A member state that does not object by then is taken to agree: the draft "
            "decision is then adopted by consensus, without a meeting. To object, answer "
            "%(circulation)s with the position “Objection” and your reasons before the "
            "deadline."
        )
        % values
    )
    return subject, text


def _silence_on_timeline(
    *,
    circulation: Circulation,
    kind: str,
    actor: User | None = None,
    acting_for: Participant | None = None,
    reason: str = "",
    details: dict[str, object] | None = None,
) -> None:
    initiative_note(
        initiative=_initiative_of(circulation),
        kind=kind,
        actor=actor,
        acting_for=acting_for,
        reason=reason,
        details={"circulation": circulation.reference, **(details or {})},
    )


def _silence_break(*, circulation: Circulation, receipt: Receipt) -> None:
    circulation.silence_status = SilenceStatus.BROKEN
    circulation.silence_broken_by = receipt.participant
    circulation.silence_broken_at = timezone.now()
    circulation.save(update_fields=["silence_status", "silence_broken_by", "silence_broken_at"])
    _silence_on_timeline(
        circulation=circulation,
        kind="silence_broken",
        actor=receipt.position_by,
        acting_for=receipt.participant,
        reason=receipt.position_text,
    )
    params = {
        "code": receipt.participant.code,
        "ref": circulation.reference,
        "text": receipt.position_text,
    }
    notify(
        kind=NotificationKind.SILENCE_BROKEN,
        event_key=f"silence-broken:{circulation.pk}",
        messages=_rendered(
            [(u, "circulation", circulation.pk) for u in _secretariat_users()],
            kind=NotificationKind.SILENCE_BROKEN,
            params=params,
        ),
        params=params,
        url=f"/api/v1/circulations/{circulation.pk}/",
    )


def silence_procedures_close(*, today: datetime.date | None = None) -> list[str]:
    """Periodic: every silence procedure whose deadline has passed with no
    member state objecting is recorded as a decision adopted by consensus.
    Each is closed in its own transaction, under a row lock, once."""
    today = today or timezone.localdate()
    closed = []
    due = Circulation.objects.filter(
        silence_status=SilenceStatus.PENDING, deadline__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            circulation = Circulation.objects.select_for_update().get(pk=pk)
            if circulation.silence_status != SilenceStatus.PENDING:
                continue
            try:
                _initiative, event = initiative_record_decision(
                    actor=None,
                    initiative=_initiative_of(circulation),
                    body=circulation.body,
                    meeting=None,
                    outcome=Outcome.APPROVED,
                    text=circulation.draft_text,
                    silence_circulation=circulation,
                )
            except DomainError as refused:
                logger.warning(
                    "Silence procedure %s not closed: %s", circulation.reference, refused.message
                )
                continue
            # decision_create marked the circulation adopted and linked the decision.
            _silence_on_timeline(
                circulation=circulation,
                kind="silence_closed",
                reason=circulation.draft_text,
                details={"decision": event.details["decision"], "body": circulation.body},
            )
            closed.append(circulation.reference)
    return closed
