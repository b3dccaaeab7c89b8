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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from members.models import Participant, ParticipationStatus

from .forms import TEXT_LIMIT, offer_choices
from .models import DesignationRole, Initiative, Measure, Modality

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


class DesignateInput(ReasonInput):
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

    @classmethod
    def offer(
        cls, fields: dict[str, forms.Field], *, initiative: Initiative | None, **fixed: object
    ) -> None:
        # Only member states coordinate (the service's rule).
        offer_choices(fields["coordinators"], _members())
        offer_choices(fields["co_coordinators"], _members())

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
