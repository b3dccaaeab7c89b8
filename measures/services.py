"""Writes on the Catalogue: areas, measures and coordinator offers."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.errors import Conflict, DomainError, Forbidden
from cica.uploads import document_check, sha256_of
from cica.upsert import upsert
from members.models import Participant, ParticipationStatus
from secretariat.services import circulation_all_answered

from . import actions, signals, workflow
from .models import (
    AreaAlias,
    CoordinatorDesignation,
    CoordinatorOffer,
    CoordinatorRole,
    DesignationRole,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Modality,
    OfferScope,
    Paper,
    PaperKind,
    PriorityArea,
)
from .workflow import OPEN_STATUSES, Action, Status

LANGS = ("en", "fr", "ru")


def _translated(field: str, texts: dict[str, str], *, required=LANGS) -> dict[str, str]:
    missing = [lang for lang in required if not texts.get(lang)]
    if missing:
        raise DomainError(
            _("Missing %(field)s in %(langs)s.") % {"field": field, "langs": ", ".join(missing)}
        )
    values = {f"{field}_{lang}": texts.get(lang, "") for lang in LANGS}
    values[field] = texts["en"]
    return values


@transaction.atomic
def area_upsert(
    *, code: str, order: int, names: dict[str, str], aliases=()
) -> tuple[PriorityArea, Counter]:
    counts: Counter = Counter()
    area, outcome = upsert(
        PriorityArea,
        lookup={"code": code.upper()},
        values={"order": order, **_translated("name", names)},
    )
    counts[f"area_{outcome}"] += 1
    if outcome == "updated":  # the order may have moved: measures sort by it
        for measure in area.measures.all():
            Measure.objects.filter(pk=measure.pk).update(
                sort_key=area.order * 10_000 + measure.number
            )
    for alias in aliases:
        _row, outcome = upsert(
            AreaAlias,
            lookup={"area": area, "name": alias["name"], "language": alias.get("language", "")},
            values={},
        )
        counts[f"area_alias_{outcome}"] += 1
    return area, counts


@transaction.atomic
def measure_upsert(
    *, area: PriorityArea, number: int, titles: dict[str, str], texts: dict[str, str]
) -> tuple[Measure, str]:
    """A numbered measure of an area; its code (ECO-2) follows from both."""
    if number < 1:
        raise DomainError(_("A measure's number starts at 1."))
    return upsert(
        Measure,
        lookup={"area": area, "number": number},
        values={**_translated("title", titles), **_translated("text", texts)},
    )


@transaction.atomic
def offer_upsert(
    *,
    participant: Participant,
    scope: str,
    role: str = CoordinatorRole.UNSPECIFIED,
    measure: Measure | None = None,
    area: PriorityArea | None = None,
    descriptions: dict[str, str],
    annex_text: str = "",
    order: int = 0,
) -> tuple[CoordinatorOffer, str]:
    """A state's offer to coordinate (annex of the cooperative approach).

    The offer names exactly what the state offered — one measure, a whole
    area, one measure of an area not yet named, or nothing yet — and never
    more: a measure the annex does not name is not invented.
    """
    if scope not in OfferScope.values:
        raise DomainError(_("Unknown offer scope %(scope)r.") % {"scope": scope})
    if role not in CoordinatorRole.values:
        raise DomainError(_("Unknown coordinator role %(role)r.") % {"role": role})
    needs = {
        OfferScope.MEASURE: (True, False),
        OfferScope.AREA: (False, True),
        OfferScope.MEASURE_IN_AREA: (False, True),
        OfferScope.TBD: (False, False),
    }[scope]
    if (measure is not None, area is not None) != needs:
        raise DomainError(
            _("An offer of scope %(scope)s takes %(what)s.")
            % {
                "scope": scope,
                "what": {
                    (True, False): _("a measure and no area"),
                    (False, True): _("an area and no measure"),
                    (False, False): _("neither a measure nor an area"),
                }[needs],
            }
        )
    return upsert(
        CoordinatorOffer,
        lookup={"participant": participant, "scope": scope, "measure": measure, "area": area},
        values={
            "role": role,
            "annex_text": annex_text,
            "order": order,
            **_translated("description", descriptions, required=("en",)),
        },
    )


@transaction.atomic
def catalogue_load(data: dict) -> Counter:
    """Load areas, measures and coordinator offers from the seed's data file.
    Idempotent: a second run creates and changes nothing."""
    counts: Counter = Counter()
    areas = {}
    for item in data["areas"]:
        area, c = area_upsert(
            code=item["code"],
            order=item["order"],
            names=item["name"],
            aliases=item.get("aliases", []),
        )
        areas[area.code] = area
        counts.update(c)
    for item in data["measures"]:
        area = areas.get(item["area"]) or PriorityArea.objects.get(code=item["area"])
        measure, outcome = measure_upsert(
            area=area, number=item["number"], titles=item["title"], texts=item["text"]
        )
        if item.get("code") and item["code"] != measure.code:
            raise DomainError(f"Measure code {item['code']} does not match {measure.code}.")
        counts[f"measure_{outcome}"] += 1
    for item in data.get("coordinator_offers", []):
        _offer, outcome = offer_upsert(
            participant=Participant.objects.get(code=item["participant"]),
            scope=item["scope"],
            role=item.get("role", CoordinatorRole.UNSPECIFIED),
            measure=Measure.objects.get(code=item["measure"]) if item.get("measure") else None,
            area=PriorityArea.objects.get(code=item["area"]) if item.get("area") else None,
            descriptions=item["description"],
            annex_text=item.get("annex_text", ""),
            order=item.get("order", 0),
        )
        counts[f"offer_{outcome}"] += 1
    return counts


# --- initiatives: the one path that writes a status ------------------------------


def _acting_for(actor) -> Participant | None:
    from members.rules import acting_for

    return acting_for(actor)


def _refuse_unless_allowed(actor, action: str, initiative: Initiative | None) -> None:
    refused = _role_refusal(actor, action, initiative)
    if refused is not None:
        raise refused


def _role_refusal(actor, action: str, initiative: Initiative | None) -> Forbidden | None:
    if actor.has_perm(f"measures.{action}", initiative):
        return None
    modality = getattr(initiative, "modality", Modality.CONCEPT_PAPER)
    return Forbidden(
        _("Not allowed: “%(action)s” — %(rule)s")
        % {
            "action": workflow.action_label(action, modality),
            "rule": actions.entry_for(action).rule_for(modality),
        }
    )


_PAPER_NAME = {
    Modality.CONCEPT_PAPER: gettext_lazy("concept paper"),
    Modality.WORKING_PAPER: gettext_lazy("working paper"),
}


def initiative_refusal(
    *, actor, initiative: Initiative, action: str, by_silence: bool = False
) -> DomainError | None:
    """Why ``actor`` may not take ``action`` on ``initiative`` now, or ``None``.

    The one check of an action's preconditions (issue 13 item 5): the
    transition runs it on the locked row before its writes, and
    :func:`initiative_available_actions` runs it to say what is offered, so an
    action is offered exactly when a POST with valid input succeeds. Only the
    caller's input is left to the action itself. ``actor`` ``None`` is the
    system acting on a rule (a periodic task): no role check. A decision
    adopted ``by_silence`` needs no meeting.

    403 (:class:`Forbidden`) when the user's role may never take this action
    here; 409 (:class:`Conflict`) when it may, but not now.
    """
    from secretariat.services import decision_meeting_exists

    modality = initiative.modality
    label = workflow.action_label(action, modality)
    if not workflow.applies(action, modality):
        return Conflict(
            _("“%(action)s” does not apply to an initiative of modality (%(modality)s).")
            % {"action": label, "modality": modality}
        )
    if actor is not None:
        refused = _role_refusal(actor, action, initiative)
        if refused is not None:
            return refused
    if action == Action.DECLARE_INTEREST:
        # Declaring interest is in the measure: it joins the open initiative of
        # this modality, or starts the next one when this one is closed.
        participant = _acting_for(actor) if actor is not None else None
        target = (
            initiative
            if initiative.is_open
            else Initiative.objects.filter(
                measure_id=initiative.measure_id,
                modality=modality,
                status__in=sorted(OPEN_STATUSES),
            ).first()
        )
        return _declaration_refusal(participant, target)
    if not workflow.allowed_from(action, initiative.status, modality):
        return Conflict(
            _("“%(action)s” is not possible now: the initiative %(ref)s is at “%(status)s”.")
            % {
                "action": label,
                "ref": initiative.reference,
                "status": Status(initiative.status).label,
            }
        )
    paper_name = _PAPER_NAME[modality]
    today = timezone.localdate()
    if action == Action.CIRCULATE:
        paper = latest_paper(initiative)
        if paper is None:
            return Conflict(
                _("No %(paper)s has been submitted yet: nothing to circulate.")
                % {"paper": paper_name}
            )
        if paper.circulations.exists():
            return Conflict(
                _(
                    "%(symbol)s was already circulated; a revised version of the %(paper)s "
                    "must be submitted first."
                )
                % {"symbol": paper.symbol, "paper": paper_name}
            )
    elif action == Action.REFER_TO_SWG:
        circulation = (
            initiative.circulations.filter(kind="paper").order_by("-circulated_at", "-pk").first()
        )
        if (
            circulation is not None
            and circulation.deadline >= today
            and not circulation_all_answered(circulation)
        ):
            return Conflict(
                _(
                    "The comment deadline (%(deadline)s) has not passed and not every member "
                    "state has answered: the paper can go to the SWG from %(next)s."
                )
                % {
                    "deadline": circulation.deadline,
                    "next": circulation.deadline + datetime.timedelta(days=1),
                }
            )
    elif action == Action.CHARGE_EXPERTS:
        from secretariat.models import Meeting

        held = Meeting.objects.filter(
            body="specialised",
            measure_id=initiative.measure_id,
            date__lte=today,
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
    elif action in (Action.RECORD_SWG_DECISION, Action.RECORD_SOC_DECISION) and not by_silence:
        body = "swg" if action == Action.RECORD_SWG_DECISION else "soc"
        if not decision_meeting_exists(body=body):
            return Conflict(
                _(
                    "No meeting of the %(body)s with member states recorded as present has "
                    "taken place yet: schedule it, or record its attendance, first."
                )
                % {"body": _BODY_NAME[body]}
            )
    return None


_BODY_NAME = {
    "swg": gettext_lazy("Special Working Group"),
    "soc": gettext_lazy("Senior Officials Committee"),
}


def _declaration_refusal(
    participant: Participant | None, target: Initiative | None
) -> DomainError | None:
    """A state declares interest once per initiative, and only a member state."""
    if participant is None:
        return None  # the role check has already refused a user with no state
    if participant.status_on() != ParticipationStatus.MEMBER:
        return DomainError(
            _("%(code)s is not a member state: %(what)s.")
            % {"code": participant.code, "what": _("only member states declare interest")}
        )
    if target is not None and target.declarations.filter(participant=participant).exists():
        return Conflict(
            _("%(code)s has already declared interest in %(ref)s.")
            % {"code": participant.code, "ref": target.reference}
        )
    return None


def _transition(
    *,
    actor,
    initiative: Initiative,
    action: str,
    effect=None,
    outcome: str | None = None,
    reason: str = "",
    by_silence: bool = False,
    acting_for: Participant | None = None,
    started: bool = False,
) -> tuple[Initiative, InitiativeEvent]:
    """Lock the initiative, check the table, run the action's own writes, set
    the status and write the timeline event — all or nothing. The one writer
    of the timeline: every :class:`InitiativeEvent` is created here.

    Refusals: 403 (:class:`Forbidden`) when the user's role may never take this
    action here; 409 (:class:`Conflict`) when it may, but not in this status.
    Of two conflicting transitions at once the second waits for the lock,
    then sees the new status and is refused.

    ``action`` may also be a :class:`workflow.TimelineEvent` (a silence
    procedure's step): no table row, so no check here (its service checked
    its own rules) and the status stays. ``acting_for`` is the state the
    event names when it is not the actor's (the annex's loader, a state whose
    objection broke a silence). ``started``: the initiative was created in
    this transaction by this action; its first event has no "from".
    """
    note = action in workflow.TimelineEvent.values
    with transaction.atomic():
        locked = (
            Initiative.objects.select_for_update()
            .select_related("measure__area")
            .get(pk=initiative.pk)
        )
        if not note:
            refused = initiative_refusal(
                actor=actor, initiative=locked, action=action, by_silence=by_silence
            )
            if refused is not None:
                raise refused
        from_status = locked.status
        details = effect(locked) if effect else {}
        to_status = (
            from_status
            if note
            else workflow.target_of(action, from_status, outcome, locked.modality)
        )
        # Saved even when the status stays (a new paper, a no-consensus decision,
        # a note): ``updated_at`` tells polling clients that something changed.
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        if acting_for is None and actor is not None:
            acting_for = _acting_for(actor)
        event = InitiativeEvent.objects.create(
            initiative=locked,
            action=action,
            from_status="" if started else from_status,
            to_status=to_status,
            actor=actor if getattr(actor, "pk", None) else None,
            acting_for=acting_for,
            reason=reason,
            details=details or {},
        )
        if not note:
            measure_refresh_lead(measure_id=locked.measure_id)
        # The apps above hear of it in this transaction (webhooks: outbox rows).
        signals.timeline_written.send(sender=Initiative, initiative=locked, event=event)
    return locked, event


def initiative_note(
    *,
    initiative: Initiative,
    kind: str,
    actor=None,
    acting_for: Participant | None = None,
    reason: str = "",
    details: dict | None = None,
) -> InitiativeEvent:
    """Write a timeline entry that changes no status (a ``TimelineEvent``:
    a silence procedure started, broken or closed), in the caller's
    transaction, through :func:`_transition` (the row lock, the event, the
    webhook, which a note does not fire)."""
    if kind not in workflow.TimelineEvent.values:
        raise DomainError(_("Unknown timeline event %(kind)r.") % {"kind": kind})
    _locked, event = _transition(
        actor=actor,
        initiative=initiative,
        action=kind,
        effect=lambda _locked: details or {},
        reason=reason,
        acting_for=acting_for,
    )
    return event


def measure_refresh_lead(*, measure_id: int) -> None:
    """Keep ``Measure.lead_initiative`` (its most advanced initiative) in step.
    Called in the transaction of every change of an initiative's status."""
    from .selectors import lead_initiative_pk_for

    Measure.objects.filter(pk=measure_id).update(
        lead_initiative_id=lead_initiative_pk_for(measure_id)
    )


def _ensure_member_today(participant: Participant, what: str) -> None:
    if participant.status_on() != ParticipationStatus.MEMBER:
        raise DomainError(
            _("%(code)s is not a member state: %(what)s.")
            % {"code": participant.code, "what": what}
        )


@transaction.atomic
def initiative_declare_interest(
    *,
    actor,
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

    def record(locked: Initiative) -> dict:
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
    *, actor, initiative: Initiative, statement: str = "", volunteers_as_coordinator=False
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


def initiative_open_consultation(*, actor, initiative: Initiative, reason: str = ""):
    """The Chair consults the interested member states on designating one or
    more coordinator countries (modality (a), step 2)."""
    return _transition(
        actor=actor, initiative=initiative, action=Action.OPEN_CONSULTATION, reason=reason
    )


def initiative_charge_experts(*, actor, initiative: Initiative, meeting, experts, reason=""):
    """Modality (b): a specialised meeting held with experts charges the
    responsible experts with producing a working paper (seed: "charger les
    experts responsables de produire un document de travail"). Their states
    then submit its versions."""
    experts = list(experts)
    if not experts:
        raise DomainError(_("Name at least one responsible expert."))

    def charge(locked: Initiative) -> dict:
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
        for expert in experts:
            if expert.pk not in attending:
                raise DomainError(
                    _("%(name)s did not attend that meeting.") % {"name": expert.name}
                )
        locked.responsible_experts.set(experts)
        locked.charged_at = meeting
        locked.save(update_fields=["charged_at"])
        return {
            "meeting": meeting.pk,
            "experts": [{"name": e.name, "participant": e.participant.code} for e in experts],
        }

    return _transition(
        actor=actor,
        initiative=initiative,
        action=Action.CHARGE_EXPERTS,
        effect=charge,
        reason=reason,
    )


def initiative_designate_coordinators(
    *,
    actor,
    initiative: Initiative,
    designations: list[tuple[Participant, str]],
    reason: str = "",
    started_on: datetime.date | None = None,
):
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
    seen = set()
    for participant, role in designations:
        if role not in DesignationRole.values:
            raise DomainError(_("Unknown role %(role)r.") % {"role": role})
        if participant.pk in seen:
            raise DomainError(_("%(code)s is named twice.") % {"code": participant.code})
        seen.add(participant.pk)
    if not any(role == DesignationRole.COORDINATOR for _p, role in designations):
        raise DomainError(_("At least one state must be designated coordinator."))

    def designate(locked: Initiative) -> dict:
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
        details = {"designations": [{"participant": p.code, "role": r} for p, r in designations]}
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


def initiative_submit_paper(*, actor, initiative: Initiative, file, language: str, note: str = ""):
    """A coordinator state submits a concept paper: a new numbered version
    (modality (a), step 3). Earlier versions are kept. The file is checked by
    content and size before anything is stored."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language %(lang)r.") % {"lang": language})
    stored: list[str] = []

    def submit(locked: Initiative) -> dict:
        extension, mime = document_check(file)
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
        stored.append(paper.file.name)
        paper.save()
        signals.paper_submitted.send(sender=Paper, paper=paper)
        return {"paper": symbol, "version": version}

    try:
        return _transition(
            actor=actor,
            initiative=initiative,
            action=Action.SUBMIT_PAPER,
            effect=submit,
            reason=note,
        )
    except BaseException:
        # The transaction rolled back: remove a file it had already written.
        for name in stored:
            default_storage.delete(name)
        raise


def latest_paper(initiative: Initiative) -> Paper | None:
    return initiative.papers.order_by("-version").first()


def initiative_circulate(
    *,
    actor,
    initiative: Initiative,
    deadline: datetime.date,
    audience: str = "members",
    reason: str = "",
):
    """The secretariat circulates the latest paper to the member states with a
    comment deadline (modality (a), step 4). It needs a paper that has not
    been circulated yet: a returned paper comes back as a new version."""
    from secretariat.services import circulation_create

    def circulate(locked: Initiative) -> dict:
        paper = latest_paper(locked)  # checked by initiative_refusal: one not yet circulated
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


def initiative_refer_to_swg(*, actor, initiative: Initiative, reason: str = ""):
    """The secretariat refers a circulated paper to the Special Working Group
    (modality (a), step 5) once the comment deadline has passed, or earlier
    when every member state has answered (DESIGN §3)."""

    def refer(locked: Initiative) -> dict:
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
    actor,
    initiative: Initiative,
    body: str,
    meeting,
    outcome: str,
    text: str = "",
    objecting=(),
    silence_circulation=None,
):
    """Record the SWG's or the SOC's decision on the paper under review
    (modality (a), steps 5–6). Consensus of the member states present decides
    (see ``secretariat.services.decision_check``); the outcome picks the next
    status from the table: approved moves on, returned and no consensus go
    back to the coordinators (drafting) for a revision, rejected closes. One
    meeting takes one decision per paper (DESIGN §3)."""
    from secretariat.services import decision_create

    action = {"swg": Action.RECORD_SWG_DECISION, "soc": Action.RECORD_SOC_DECISION}.get(body)
    if action is None:
        raise DomainError(_("Only the SWG and the SOC take decisions on initiatives."))

    def decide(locked: Initiative) -> dict:
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
        details = {
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


def initiative_withdraw(*, actor, initiative: Initiative, reason: str):
    """The secretariat, or a coordinator state, withdraws an open initiative."""
    if not reason.strip():
        raise DomainError(_("Give a reason for the withdrawal."))
    return _transition(actor=actor, initiative=initiative, action=Action.WITHDRAW, reason=reason)


def initiative_available_actions(*, user, initiative: Initiative) -> list[dict]:
    """Every action with whether this user may take it now, and why not.

    Deny by default: an action is available only when
    :func:`initiative_refusal` — the check the action itself runs — finds no
    reason to refuse it; the reason given is the refusal's message. The
    actions are the modality's table's, in its order; each one's label comes
    from its registry entry (the admin's buttons and ``actions/`` show it).
    """
    rows = []
    for action in workflow.table(initiative.modality):
        refused = initiative_refusal(actor=user, initiative=initiative, action=action)
        rows.append(
            {
                "action": action,
                "label": actions.entry_for(action).label(initiative.modality),
                "available": refused is None,
                "reason": refused.message if refused is not None else "",
            }
        )
    return rows


@transaction.atomic
def initiatives_from_offers() -> Counter:
    """Each coordinator offer of the annex that names a measure becomes a
    declaration of interest, with the state volunteering as coordinator.
    Idempotent: an offer already declared is left alone."""
    counts: Counter = Counter()
    offers = CoordinatorOffer.objects.filter(scope=OfferScope.MEASURE).select_related(
        "participant", "measure"
    )
    for offer in offers:
        already = InterestDeclaration.objects.filter(
            participant=offer.participant, initiative__measure=offer.measure
        ).exists()
        if already:
            counts["declaration_unchanged"] += 1
            continue
        initiative_declare_interest(
            actor=None,
            participant=offer.participant,
            measure=offer.measure,
            statement=offer.annex_text,
            volunteers_as_coordinator=True,
            declared_on=ANNEX_DATE,
        )
        counts["declaration_created"] += 1
    return counts


# The annex lists offers made by the time the cooperative approach was
# approved in Bangkok, 14 March 2007.
ANNEX_DATE = datetime.date(2007, 3, 14)


def initiative_act(*, actor, initiative: Initiative, action: str, **kwargs):
    """Run one workflow action by name: the service its registry entry names
    (the admin's, the pages' and the API's single door)."""
    try:
        entry = actions.entry_for(action)
    except LookupError:
        raise DomainError(_("Unknown action %(action)r.") % {"action": action}) from None
    return entry.run(actor=actor, initiative=initiative, **kwargs)


DESIGNATION_COLUMNS = ("measure", "participant", "role", "from")

# What an officer may type for a role, besides the role's label in each of the
# three languages (compared folded, without spaces, hyphens or underscores).
_ROLE_SYNONYMS = {
    DesignationRole.COORDINATOR: ("coordinateur", "coordonnatrice", "coordinatrice"),
    DesignationRole.CO_COORDINATOR: ("cocoordinateur", "cocoordonnatrice", "cocoordinatrice"),
}


def _role_key(text: str) -> str:
    from members.text import normalize_name

    return "".join(ch for ch in normalize_name(text) if ch not in " -_")


def _role_words() -> dict[str, str]:
    from django.utils import translation

    words = {}
    for role in DesignationRole:
        names = [role.value, *_ROLE_SYNONYMS.get(role, ())]
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                names.append(str(role.label))
        for name in names:
            words[_role_key(name)] = role.value
    return words


def designations_import(*, actor, rows: list[dict], dry_run: bool = True):
    """Import coordinator designations made outside the app, from rows with
    ``measure, participant, role, from``.

    A state is named by its code, any of its names in the three languages or
    any alias, folded as the participant search folds them; a role by its
    code or its name in any of the three languages; a date as ISO or in the
    officer's language's order (fr, ru: day first).

    The rows on one measure are one “Designate coordinators” action on its
    open initiative of modality (a), run through
    :func:`initiative_designate_coordinators` with the same rules (the
    initiative at “Consultation”, member states only, at least one
    coordinator) and the same effects (the initiative goes on to “Drafting”,
    the states are told, the timeline shows it). Rows already in the register
    (the same state, the same role) are reported “unchanged” and skipped, so
    a file can be imported again.

    All or nothing: if any row is refused, nothing is applied and the report
    gives each refused row with its reason (the action's own message). A dry
    run does everything, then rolls it back: its preview is what applying
    would do.
    """
    from django.utils.formats import date_format

    from cica.tabular import expected_date, parse_date
    from members.rules import is_secretariat
    from members.selectors import ParticipantNames
    from members.services import ImportReport, ImportRollback, ImportRow

    if not is_secretariat(actor):
        raise Forbidden(_("Only the secretariat imports registers."))
    report = ImportReport(total=len(rows))
    names = ParticipantNames()
    role_words = _role_words()
    measures = {m.code: m for m in Measure.objects.all()}
    open_initiatives = {
        i.measure_id: i
        for i in Initiative.objects.filter(modality="a", status__in=sorted(OPEN_STATUSES))
    }
    current = {
        (d.initiative_id, d.participant_id): d
        for d in CoordinatorDesignation.objects.filter(
            ended_on__isnull=True, initiative__in=list(open_initiatives.values())
        )
    }
    groups: dict[int, tuple[Initiative, list]] = {}
    seen: dict[tuple[int, int], int] = {}
    suggestions: dict[str, list] = {}  # "did you mean", for the first 50 unknown names
    for number, row in enumerate(rows, start=2):
        line = ImportRow(number=number)
        report.rows.append(line)
        problems = []
        missing = [c for c in DESIGNATION_COLUMNS if not row.get(c, "").strip()]
        if missing:
            problems.append(_("missing %(columns)s") % {"columns": ", ".join(missing)})
        measure_text = row.get("measure", "").strip()
        measure = measures.get("-".join(measure_text.upper().replace("-", " ").split()))
        initiative = open_initiatives.get(measure.pk) if measure else None
        if measure_text and measure is None:
            problems.append(_("no measure %(code)r") % {"code": measure_text})
        elif measure is not None and initiative is None:
            problems.append(_("%(code)s has no open initiative") % {"code": measure.code})
        elif initiative is not None:
            line.shown["measure"] = (
                f"{measure_text} → {initiative.reference} ({initiative.get_status_display()})"
            )
        participant_text = row.get("participant", "").strip()
        participant = None
        if participant_text:
            found = names.find(participant_text)
            if not found:
                problems.append(
                    _(
                        "no state or organisation is called %(name)r: give its code, or "
                        "one of its names or aliases as in the register"
                    )
                    % {"name": participant_text}
                )
                if participant_text not in suggestions and len(suggestions) < 50:
                    suggestions[participant_text] = names.suggest(participant_text)
                if suggestions.get(participant_text):
                    problems[-1] += " " + _("(did you mean %(names)s?)") % {
                        "names": ", ".join(
                            f"{p.code}: {p.name}" for p in suggestions[participant_text]
                        )
                    }
            elif len(found) > 1:
                problems.append(
                    _("%(name)r could be %(codes)s: give the code")
                    % {"name": participant_text, "codes": ", ".join(p.code for p in found)}
                )
            else:
                participant = found[0]
                line.shown["participant"] = (
                    f"{participant_text} → {participant.code} ({participant.name})"
                )
        role_text = row.get("role", "").strip()
        role = role_words.get(_role_key(role_text)) if role_text else None
        if role_text and role is None:
            choices = [r.value.replace("_", "-") for r in DesignationRole]
            choices += [str(r.label) for r in DesignationRole]
            problems.append(
                _("role %(role)r is not one of: %(choices)s")
                % {"role": role_text, "choices": ", ".join(choices)}
            )
        elif role:
            line.shown["role"] = f"{role_text} → {DesignationRole(role).label}"
        started = None
        if row.get("from", "").strip():
            try:
                started = parse_date(row["from"])
            except ValueError:
                problems.append(
                    _("date %(date)r is not a date: expected %(expected)s")
                    % {"date": row["from"].strip(), "expected": expected_date()}
                )
            else:
                line.shown["from"] = (
                    f"{row['from'].strip()} → {started.isoformat()} "
                    f"({date_format(started, 'DATE_FORMAT')})"
                )
        if not problems:
            key = (initiative.pk, participant.pk)
            existing = current.get(key)
            if key in seen:
                problems.append(_("repeats row %(row)s") % {"row": seen[key]})
            elif existing is not None and existing.role != role:
                problems.append(
                    _("%(code)s is already %(role)s of %(ref)s")
                    % {
                        "code": participant.code,
                        "role": existing.get_role_display(),
                        "ref": initiative.reference,
                    }
                )
            seen.setdefault(key, number)
            if not problems and existing is not None:
                line.outcome = "unchanged"
                line.message = _("already %(role)s since %(date)s") % {
                    "role": existing.get_role_display(),
                    "date": existing.started_on.isoformat(),
                }
                continue
        if problems:
            line.outcome, line.message = "refused", "; ".join(problems)
            continue
        groups.setdefault(initiative.pk, (initiative, []))[1].append(
            (line, participant, role, started)
        )

    # The rows on one initiative are one action, on one date.
    for initiative, entries in groups.values():
        dates = sorted({started for _l, _p, _r, started in entries})
        if len(dates) > 1:
            for line, *_rest in entries:
                line.outcome = "refused"
                line.message = _(
                    "the designations on %(ref)s are one decision and take one date "
                    "(this file gives %(dates)s)"
                ) % {"ref": initiative.reference, "dates": ", ".join(d.isoformat() for d in dates)}
    try:
        with transaction.atomic():
            for initiative, entries in groups.values():
                if any(line.outcome == "refused" for line, *_rest in entries):
                    continue
                try:
                    with transaction.atomic():
                        initiative_designate_coordinators(
                            actor=actor,
                            initiative=initiative,
                            designations=[(p, r) for _l, p, r, _d in entries],
                            started_on=entries[0][3],
                            reason=_("Imported from a file."),
                        )
                except DomainError as refused:
                    for line, *_rest in entries:
                        line.outcome = "refused"
                        line.message = _("“%(action)s” on %(ref)s refused: %(reason)s") % {
                            "action": Action.DESIGNATE_COORDINATORS.label,
                            "ref": initiative.reference,
                            "reason": refused.message,
                        }
            if dry_run or any(line.outcome == "refused" for line in report.rows):
                raise ImportRollback
    except ImportRollback:
        pass
    else:
        report.applied = True
    report.tally()
    return report
