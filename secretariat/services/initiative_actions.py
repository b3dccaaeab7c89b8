"""The workflow's actions that the secretariat carries out on an initiative:
charge experts at a specialised meeting, circulate a paper, refer it to the
Special Working Group, record the SWG's or the SOC's decision. Each declares
its preconditions here (``*_refusal``, read by measures'
``initiative_refusal`` through the action registry) and goes through
measures' one status writer, ``_transition``. Their registry entries are in
``secretariat/actions.py``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.errors import Conflict, DomainError
from measures.models import Expert, Initiative, InitiativeEvent
from measures.services import PAPER_NAME, _transition, latest_paper
from measures.services.transitions import Details
from measures.workflow import Action
from members.models import Participant

from ..models import Circulation, Meeting
from .circulations import circulation_all_answered, circulation_create
from .decisions import decision_create, decision_meeting_exists

BODY_NAME = {
    "swg": gettext_lazy("Special Working Group"),
    "soc": gettext_lazy("Senior Officials Committee"),
}


# --- preconditions (issue 13 item 5: what is offered is what succeeds) ------------


def circulate_refusal(*, initiative: Initiative, by_silence: bool = False) -> DomainError | None:
    """A paper to circulate: one submitted and not circulated yet."""
    paper_name = PAPER_NAME[initiative.modality]
    paper = latest_paper(initiative)
    if paper is None:
        return Conflict(
            _("No %(paper)s has been submitted yet: nothing to circulate.") % {"paper": paper_name}
        )
    if paper.circulations.exists():
        return Conflict(
            _(
                "%(symbol)s was already circulated; a revised version of the %(paper)s "
                "must be submitted first."
            )
            % {"symbol": paper.symbol, "paper": paper_name}
        )
    return None


def refer_refusal(*, initiative: Initiative, by_silence: bool = False) -> DomainError | None:
    """The comment deadline has passed, or every member state has answered."""
    circulation = (
        initiative.circulations.filter(kind="paper").order_by("-circulated_at", "-pk").first()
    )
    deadline = circulation.deadline if circulation is not None else None
    # A paper circulation has a deadline (a check constraint on Circulation).
    assert circulation is None or deadline is not None
    if (
        circulation is not None
        and deadline is not None
        and deadline >= timezone.localdate()
        and not circulation_all_answered(circulation)
    ):
        return Conflict(
            _(
                "The comment deadline (%(deadline)s) has not passed and not every member "
                "state has answered: the paper can go to the SWG from %(next)s."
            )
            % {"deadline": deadline, "next": deadline + datetime.timedelta(days=1)}
        )
    return None


def charge_refusal(*, initiative: Initiative, by_silence: bool = False) -> DomainError | None:
    """A specialised meeting on the measure, with experts attending, has taken place."""
    held = Meeting.objects.filter(
        body="specialised",
        measure_id=initiative.measure_id,
        date__lte=timezone.localdate(),
        experts__isnull=False,
    )
    if not held.exists():
        return Conflict(
            _(
                "No specialised meeting on %(code)s with experts attending has taken "
                "place yet: the experts are charged at one."
            )
            % {"code": initiative.measure.code}
        )
    return None


def _decision_refusal(body: str, by_silence: bool) -> DomainError | None:
    """A meeting of the body with member states present has taken place
    (a decision adopted by silence procedure needs none)."""
    if by_silence or decision_meeting_exists(body=body):
        return None
    return Conflict(
        _(
            "No meeting of the %(body)s with member states recorded as present has "
            "taken place yet: schedule it, or record its attendance, first."
        )
        % {"body": BODY_NAME[body]}
    )


def swg_decision_refusal(*, initiative: Initiative, by_silence: bool = False) -> DomainError | None:
    return _decision_refusal("swg", by_silence)


def soc_decision_refusal(*, initiative: Initiative, by_silence: bool = False) -> DomainError | None:
    return _decision_refusal("soc", by_silence)


# --- the actions -------------------------------------------------------------------


def initiative_charge_experts(
    *,
    actor: User,
    initiative: Initiative,
    meeting: Meeting,
    experts: Iterable[Expert],
    reason: str = "",
) -> tuple[Initiative, InitiativeEvent]:
    """Modality (b): a specialised meeting held with experts charges the
    responsible experts with producing a working paper (seed: "charger les
    experts responsables de produire un document de travail"). Their states
    then submit its versions."""
    charged = list(experts)
    if not charged:
        raise DomainError(_("Name at least one responsible expert."))

    def charge(locked: Initiative) -> Details:
        if meeting.body != "specialised" or meeting.measure_id != locked.measure_id:
            raise DomainError(
                _("The experts are charged at a specialised meeting on %(code)s.")
                % {"code": locked.measure.code}
            )
        if meeting.date > timezone.localdate():
            raise DomainError(
                _("The meeting of %(date)s has not taken place yet.") % {"date": meeting.date}
            )
        attending = set(meeting.experts.values_list("pk", flat=True))
        for expert in charged:
            if expert.pk not in attending:
                raise DomainError(
                    _("%(name)s did not attend that meeting.") % {"name": expert.name}
                )
        locked.responsible_experts.set(charged)
        locked.charged_at = meeting
        locked.save(update_fields=["charged_at"])
        return {
            "meeting": meeting.pk,
            "experts": [{"name": e.name, "participant": e.participant.code} for e in charged],
        }

    return _transition(
        actor=actor,
        initiative=initiative,
        action=Action.CHARGE_EXPERTS,
        effect=charge,
        reason=reason,
    )


def initiative_circulate(
    *,
    actor: User,
    initiative: Initiative,
    deadline: datetime.date,
    audience: str = "members",
    reason: str = "",
) -> tuple[Initiative, InitiativeEvent]:
    """The secretariat circulates the latest paper to the member states with a
    comment deadline (modality (a), step 4). It needs a paper that has not
    been circulated yet: a returned paper comes back as a new version."""

    def circulate(locked: Initiative) -> Details:
        paper = latest_paper(locked)
        # initiative_refusal has checked, on this locked row, that there is one
        # not yet circulated.
        assert paper is not None
        circulation = circulation_create(
            actor=actor, initiative=locked, paper=paper, deadline=deadline, audience=audience
        )
        return {
            "circulation": circulation.reference,
            "paper": paper.symbol,
            "deadline": deadline.isoformat(),
        }

    return _transition(
        actor=actor,
        initiative=initiative,
        action=Action.CIRCULATE,
        effect=circulate,
        reason=reason,
    )


def initiative_refer_to_swg(
    *, actor: User, initiative: Initiative, reason: str = ""
) -> tuple[Initiative, InitiativeEvent]:
    """The secretariat refers a circulated paper to the Special Working Group
    (modality (a), step 5) once the comment deadline has passed, or earlier
    when every member state has answered."""

    def refer(locked: Initiative) -> Details:
        # The deadline (or every answer) is checked by initiative_refusal.
        circulation = (
            locked.circulations.filter(kind="paper").order_by("-circulated_at", "-pk").first()
        )
        return {"circulation": circulation.reference if circulation else None}

    return _transition(
        actor=actor,
        initiative=initiative,
        action=Action.REFER_TO_SWG,
        effect=refer,
        reason=reason,
    )


def initiative_record_decision(
    *,
    actor: User | None,
    initiative: Initiative,
    body: str,
    meeting: Meeting | None,
    outcome: str,
    text: str = "",
    objecting: Iterable[Participant] = (),
    silence_circulation: Circulation | None = None,
) -> tuple[Initiative, InitiativeEvent]:
    """Record the SWG's or the SOC's decision on the paper under review
    (modality (a), steps 5–6). Consensus of the member states present decides
    (see ``secretariat.services.decision_check``); the outcome picks the next
    status from the table: approved moves on, returned and no consensus go
    back to the coordinators (drafting) for a revision, rejected closes. One
    meeting takes one decision per paper."""
    action = {"swg": Action.RECORD_SWG_DECISION, "soc": Action.RECORD_SOC_DECISION}.get(body)
    if action is None:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))

    def decide(locked: Initiative) -> Details:
        paper = latest_paper(locked)
        decision = decision_create(
            actor=actor,
            body=body,
            meeting=meeting,
            initiative=locked,
            paper=paper,
            outcome=outcome,
            text=text,
            objecting=objecting,
            silence=silence_circulation,
        )
        details: Details = {
            "decision": decision.symbol,
            "decision_id": decision.pk,
            "outcome": outcome,
            "paper": paper.symbol if paper else None,
        }
        if silence_circulation is not None:
            details.update(procedure="silence", circulation=silence_circulation.reference)
        return details

    return _transition(
        actor=actor,
        initiative=initiative,
        action=action,
        effect=decide,
        outcome=outcome,
        reason=text,
        by_silence=silence_circulation is not None,
    )
