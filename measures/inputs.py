"""The API's input for each workflow action: one serializer per action.

The action registry (:mod:`measures.actions`) names each of them; the API's
action routes and their request bodies in the schema come from there. Each
turns its validated data into the keyword arguments of the action's service
(:meth:`ActionInput.service_kwargs`), as the action's form does for the admin
and the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from members.models import Participant

from .models import DesignationRole, Measure, Modality


class ActionInput(serializers.Serializer):
    # No class docstring: the schema would give it to every action's input.

    def service_kwargs(self) -> dict[str, Any]:
        """The service's keyword arguments (besides the actor and the initiative)."""
        return dict(self.validated_data)


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
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    volunteers_as_coordinator = serializers.BooleanField(required=False, default=False)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get") and isinstance(data.get("measure"), str):
            data = data.copy()
            data["measure"] = data["measure"].strip().upper()
        return super().to_internal_value(data)


class JoinInput(ActionInput):
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    volunteers_as_coordinator = serializers.BooleanField(required=False, default=False)


class ReasonInput(ActionInput):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawInput(ActionInput):
    reason = serializers.CharField()


class DesignationInput(serializers.Serializer):
    participant: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", queryset=Participant.objects.all()
    )
    role = serializers.ChoiceField(choices=DesignationRole.choices)


class DesignateInput(ActionInput):
    designations = DesignationInput(many=True, allow_empty=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "designations": [(d["participant"], d["role"]) for d in data["designations"]],
            "reason": data["reason"],
        }


class SubmitPaperInput(ActionInput):
    file = serializers.FileField(allow_empty_file=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    note = serializers.CharField(required=False, allow_blank=True, default="")
