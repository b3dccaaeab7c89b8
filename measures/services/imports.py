"""Import of coordinator designations made outside the app (CSV/XLSX rows)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cica.errors import DomainError, Forbidden
from cica.tabular import expected_date, parse_date
from members.models import Participant
from members.rules import is_secretariat
from members.selectors import ParticipantNames
from members.services import ImportReport, ImportRollback, ImportRow
from members.text import normalize_name

from ..models import (
    CoordinatorDesignation,
    DesignationRole,
    Initiative,
    Measure,
)
from ..workflow import OPEN_STATUSES, Action
from .initiatives import initiative_designate_coordinators

DESIGNATION_COLUMNS = ("measure", "participant", "role", "from")

_Accepted = tuple[ImportRow, Participant, str, datetime.date]

# What an officer may type for a role, besides the role's label in each of the
# three languages (compared folded, without spaces, hyphens or underscores).
_ROLE_SYNONYMS = {
    DesignationRole.COORDINATOR: ("coordinateur", "coordonnatrice", "coordinatrice"),
    DesignationRole.CO_COORDINATOR: ("cocoordinateur", "cocoordonnatrice", "cocoordinatrice"),
}


def _role_key(text: str) -> str:
    return "".join(ch for ch in normalize_name(text) if ch not in " -_")


def _role_words() -> dict[str, str]:
    words = {}
    for role in DesignationRole:
        names = [role.value, *_ROLE_SYNONYMS.get(role, ())]
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                names.append(str(role.label))
        for name in names:
            words[_role_key(name)] = role.value
    return words


def designations_import(
    *, actor: User, rows: list[dict[str, str]], dry_run: bool = True
) -> ImportReport:
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
    # An initiative's accepted rows: (the row, the state, the role, the date).
    groups: dict[int, tuple[Initiative, list[_Accepted]]] = {}
    seen: dict[tuple[int, int], int] = {}
    # "did you mean", for the first 50 unknown names
    suggestions: dict[str, list[Participant]] = {}
    for number, row in enumerate(rows, start=2):
        line = ImportRow(number=number)
        report.rows.append(line)
        problems: list[str] = []
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
        if problems:
            line.outcome, line.message = "refused", "; ".join(problems)
            continue
        # No problem means every column was read: the measure's open
        # initiative, the state, the role and the date.
        assert initiative is not None
        assert participant is not None
        assert role is not None
        assert started is not None
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
        if problems:
            line.outcome, line.message = "refused", "; ".join(problems)
            continue
        if existing is not None:
            line.outcome = "unchanged"
            line.message = _("already %(role)s since %(date)s") % {
                "role": existing.get_role_display(),
                "date": existing.started_on.isoformat(),
            }
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
