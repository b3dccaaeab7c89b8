"""The API's input for the workflow actions the secretariat carries out on an
initiative (charge experts, circulate, record a decision); each action's
registry entry (``secretariat/actions.py``) names its serializer."""

from __future__ import annotations

from rest_framework import serializers

from measures.inputs import ActionInput
from measures.models import Expert
from measures.workflow import Outcome
from members.models import Participant

from .models import Audience, Meeting


class ChargeExpertsInput(ActionInput):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())
    experts = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(), many=True, allow_empty=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CirculateInput(ActionInput):
    deadline = serializers.DateField()
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.MEMBERS)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionInput(ActionInput):
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all())
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    objecting: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Participant.objects.all(),
        many=True,
        required=False,
        # The stubs type a field's default as one object, also with many=True
        # (a list of them).
        default=list,  # type: ignore[arg-type]
    )
