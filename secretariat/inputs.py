"""The input of each workflow action the secretariat carries out on an
initiative (charge experts, circulate, record a decision): one serializer,
read by the API and turned into the admin's form
(:func:`measures.forms.form_for_input`); each action's registry entry
(``secretariat/actions.py``) names it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.forms import offer_choices
from measures.inputs import ActionInput, ReasonInput, free_text
from measures.models import Expert, Initiative
from measures.workflow import Outcome
from members.models import Participant

from .models import Audience, Meeting

if TYPE_CHECKING:
    from django import forms


class ChargeExpertsInput(ReasonInput):
    meeting = serializers.PrimaryKeyRelatedField(
        label=_("Specialised meeting"), queryset=Meeting.objects.all()
    )
    experts = serializers.PrimaryKeyRelatedField(
        label=_("Responsible experts"), queryset=Expert.objects.all(), many=True, allow_empty=False
    )

    @classmethod
    def offer(
        cls, fields: dict[str, forms.Field], *, initiative: Initiative | None, **fixed: object
    ) -> None:
        # Modality (b): the specialised meetings on the initiative's measure and
        # its experts (the service checks they attended). Without an initiative
        # (a blank form) only rows on no measure match, as a filter on
        # ``measure_id=None`` would.
        on_measure: dict[str, object] = (
            {"measure_id": initiative.measure_id}
            if initiative is not None
            else {"measure_id__isnull": True}
        )
        offer_choices(
            fields["meeting"],
            Meeting.objects.filter(body="specialised", **on_measure).order_by("-date"),
        )
        offer_choices(
            fields["experts"], Expert.objects.filter(**on_measure).select_related("participant")
        )


class CirculateInput(ReasonInput):
    deadline = serializers.DateField(label=_("Comment deadline"))
    audience = serializers.ChoiceField(
        label=_("Audience"), choices=Audience.choices, default=Audience.MEMBERS
    )

    @classmethod
    def offer(
        cls, fields: dict[str, forms.Field], *, initiative: Initiative | None, **fixed: object
    ) -> None:
        fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=30)


class DecisionInput(ActionInput):
    meeting = serializers.PrimaryKeyRelatedField(label=_("Meeting"), queryset=Meeting.objects.all())
    outcome = serializers.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = free_text(_("Text (reasons)"))
    objecting: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        label=_("Objecting member states"),
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
        # The SWG's or the SOC's decision: ``body`` comes from the action's
        # registry entry, which also gives it to the service.
        offer_choices(
            fields["meeting"], Meeting.objects.filter(body=fixed["body"]).order_by("-date")
        )
        offer_choices(fields["objecting"], Participant.objects.order_by("code"))
