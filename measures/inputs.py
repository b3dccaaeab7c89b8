"""Each workflow action's one input class: its serializer.

The action registry (:mod:`measures.actions`) names each of them. The API's
action routes read them and the schema shows them as the request bodies; the
admin and the delegate pages show the form derived from them
(:func:`measures.forms.form_for_input`): the same fields, labels, limits and
required flags. Each turns its valid data into the keyword arguments of the
action's service (:meth:`ActionInput.kwargs_from`), whichever of the three
received it. What a person picks from on a form (the meetings of a body, the
experts on a measure) is narrowed by the input's :meth:`ActionInput.offer`;
the services keep their rules for what the API sends.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.forms import ModelChoiceField
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from members.models import Participant, ParticipationStatus

from .forms import TEXT_LIMIT, offer_choices
from .models import (
    CoordinatorOffer,
    DesignationRole,
    Initiative,
    InterestDeclaration,
    Measure,
    Modality,
    OfferScope,
)

if TYPE_CHECKING:
    from django import forms
    from django_stubs_ext import StrPromise

# A free-text input: the forms show it as a text area.
TEXTAREA = {"base_template": "textarea.html"}


def free_text(label: StrPromise, *, required: bool = False) -> serializers.CharField:
    """A free text of an action (a reason, a note, a statement), at most
    :data:`~measures.forms.TEXT_LIMIT` characters; blank when optional."""
    if required:
        return serializers.CharField(label=label, max_length=TEXT_LIMIT, style=TEXTAREA)
    return serializers.CharField(
        label=label,
        max_length=TEXT_LIMIT,
        style=TEXTAREA,
        required=False,
        allow_blank=True,
        default="",
    )


class ActionInput(serializers.Serializer):
    # No class docstring: the schema would give it to every action's input.

    @classmethod
    def offer(
        cls,
        fields: dict[str, forms.Field],
        *,
        initiative: Initiative | None,
        **fixed: object,
    ) -> None:
        """Narrow the form's choices (and set its initial values) for one
        initiative and the registry entry's ``fixed`` arguments: what a
        person is offered to pick from. Nothing to narrow by default."""

    @classmethod
    def kwargs_from(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """The service's keyword arguments (besides the actor, the initiative
        and the entry's ``fixed`` ones) from valid data, the API's or the form's."""
        return dict(data)

    def service_kwargs(self) -> dict[str, Any]:
        return self.kwargs_from(self.validated_data)


def _members() -> QuerySet[Participant]:
    return Participant.objects.with_status_in(ParticipationStatus.MEMBER).order_by("code")


def name_sort_key(name: str) -> str:
    """A name as readers of its language sort it, without a collation in the
    database (SQLite has none for Russian or French): case and accents folded
    ("Égypte" among the E), "ё" with "е" as Russian dictionaries have it, but
    "й" kept a letter of its own, after "и"."""
    folded: list[str] = []
    for ch in unicodedata.normalize("NFD", name.casefold()):
        if unicodedata.combining(ch):
            if ch == "\u0306" and folded and folded[-1] == "и":
                folded[-1] = "й"
            continue
        folded.append(ch)
    return "".join(folded)


# What a designation form says of a state, next to its name.
_DECLARED = _("declared interest")
_OFFERED: dict[str, StrPromise] = {
    OfferScope.MEASURE: _("offered in the annex"),
    OfferScope.AREA: _("offered in the annex for the whole area"),
    OfferScope.MEASURE_IN_AREA: _("offered in the annex a measure of this area"),
    OfferScope.TBD: _("offered in the annex, measure to be determined"),
}


def _designation_notes(initiative: Initiative | None) -> dict[int, list[StrPromise]]:
    """For each participant id: whether its state declared interest in the
    initiative and what it offered in the annex for the measure (by name, its
    whole area, a measure of the area, or not yet named). Two queries."""
    notes: dict[int, list[StrPromise]] = {}
    if initiative is None or initiative.pk is None:
        return notes
    for pk in InterestDeclaration.objects.filter(initiative=initiative).values_list(
        "participant_id", flat=True
    ):
        notes.setdefault(pk, []).append(_DECLARED)
    measure = initiative.measure
    offers = CoordinatorOffer.objects.filter(
        Q(scope=OfferScope.MEASURE, measure_id=measure.pk)
        | Q(scope__in=[OfferScope.AREA, OfferScope.MEASURE_IN_AREA], area_id=measure.area_id)
        | Q(scope=OfferScope.TBD)
    ).values_list("participant_id", "scope")
    for pk, scope in offers:
        note = _OFFERED[scope]
        if note not in notes.setdefault(pk, []):
            notes[pk].append(note)
    return notes


# ``POST /initiatives/``: declare interest in a measure; not an action on an
# initiative (it may create one). No docstring on these classes: the schema
# would show it as the request body's description.
class DeclareInterestInput(serializers.Serializer):
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", queryset=Measure.objects.all()
    )
    modality = serializers.ChoiceField(
        choices=Modality.choices,
        default=Modality.CONCEPT_PAPER,
        help_text=_("a: concept paper; b: exchange of views, experts and a working paper."),
    )
    statement = free_text(_("Statement"))
    volunteers_as_coordinator = serializers.BooleanField(
        label=_("We volunteer as coordinator"), required=False, default=False
    )

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get") and isinstance(data.get("measure"), str):
            data = data.copy()
            data["measure"] = data["measure"].strip().upper()
        return super().to_internal_value(data)


class JoinInput(ActionInput):
    statement = free_text(_("Statement"))
    volunteers_as_coordinator = serializers.BooleanField(
        label=_("We volunteer as coordinator"), required=False, default=False
    )


class ReasonInput(ActionInput):
    reason = free_text(_("Reason or note"))


class WithdrawInput(ActionInput):
    reason = free_text(_("Reason"), required=True)


class DesignateInput(ActionInput):
    coordinators: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        label=_("Coordinators"),
        slug_field="code",
        queryset=Participant.objects.all(),
        many=True,
        allow_empty=False,
    )
    co_coordinators: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        label=_("Co-coordinators"),
        slug_field="code",
        queryset=Participant.objects.all(),
        many=True,
        required=False,
        # The stubs type a field's default as one object, also with many=True
        # (a list of them).
        default=list,  # type: ignore[arg-type]
    )
    # Last: the choice of states first, the note about it after (issue 16 item 7).
    reason = free_text(_("Reason or note"))

    @classmethod
    def offer(
        cls, fields: dict[str, forms.Field], *, initiative: Initiative | None, **fixed: object
    ) -> None:
        """Only member states coordinate (the service's rule). The Chair
        designates from among the states that declared interest and those that
        offered in the annex (the seed's cooperative approach): each choice
        says so, and the states are in the order of their names in the
        reader's language (issue 16 item 7)."""
        members = list(_members())
        notes = _designation_notes(initiative)
        members.sort(key=lambda p: name_sort_key(p.name))
        ordered = _members().order_by(
            Case(
                *[When(pk=p.pk, then=Value(i)) for i, p in enumerate(members)],
                output_field=IntegerField(),
            )
        )

        def label(participant: Participant) -> str:
            said = notes.get(participant.pk)
            name = f"{participant.name} ({participant.code})"
            return f"{name} — {'; '.join(str(n) for n in said)}" if said else name

        declared = [p.name for p in members if _DECLARED in notes.get(p.pk, ())]
        offered = [p.name for p in members if any(n is not _DECLARED for n in notes.get(p.pk, ()))]
        summary = " ".join(
            filter(
                None,
                [
                    _("Declared interest: %(states)s.") % {"states": ", ".join(declared)}
                    if declared
                    else "",
                    _("Offered in the annex: %(states)s.") % {"states": ", ".join(offered)}
                    if offered
                    else "",
                ],
            )
        )
        for name in ("coordinators", "co_coordinators"):
            field = fields[name]
            offer_choices(field, ordered)
            assert isinstance(field, ModelChoiceField)
            field.label_from_instance = label  # type: ignore[method-assign,assignment]
            field.help_text = summary

    @classmethod
    def kwargs_from(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "designations": [(p, DesignationRole.COORDINATOR) for p in data["coordinators"]]
            + [(p, DesignationRole.CO_COORDINATOR) for p in data["co_coordinators"]],
            "reason": data["reason"],
        }


class SubmitPaperInput(ActionInput):
    file = serializers.FileField(label=_("Paper (PDF, DOCX or ODT)"), allow_empty_file=True)
    language = serializers.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    note = free_text(_("Note"))
