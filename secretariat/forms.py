"""Forms of the workflow actions the secretariat carries out on an initiative
(circulate, record a decision, charge experts), for the admin. Each action's
registry entry (``secretariat/actions.py``) names its form."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.forms import TEXT_LIMIT, ActionForm, ReasonForm, offer_choices
from measures.models import Expert
from measures.workflow import Outcome
from members.models import Participant

from .models import Audience, Meeting


class CirculateForm(ReasonForm):
    deadline = forms.DateField(
        label=_("Comment deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=30)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "deadline": data["deadline"],
            "audience": data["audience"],
            "reason": data["reason"],
        }


class DecisionForm(ActionForm):
    """The SWG's or the SOC's decision; ``body`` comes from the action's
    registry entry, which also gives it to the service."""

    meeting: forms.ModelChoiceField[Meeting] = forms.ModelChoiceField(
        label=_("Meeting"), queryset=Meeting.objects.none()
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = forms.CharField(
        label=_("Text (reasons)"), widget=forms.Textarea, required=False, max_length=TEXT_LIMIT
    )
    objecting: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=_("Objecting member states"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, body: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        offer_choices(self.fields["meeting"], Meeting.objects.filter(body=body).order_by("-date"))
        offer_choices(self.fields["objecting"], Participant.objects.order_by("code"))


class ChargeExpertsForm(ReasonForm):
    """Modality (b): the specialised meeting on the initiative's measure and the
    experts it charges with the working paper (the service checks they attended)."""

    meeting: forms.ModelChoiceField[Meeting] = forms.ModelChoiceField(
        label=_("Specialised meeting"), queryset=Meeting.objects.none()
    )
    experts: forms.ModelMultipleChoiceField[Expert] = forms.ModelMultipleChoiceField(
        label=_("Responsible experts"),
        queryset=Expert.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Without an initiative (a blank form) only rows on no measure match,
        # as a filter on ``measure_id=None`` would.
        on_measure: dict[str, object] = (
            {"measure_id": self.initiative.measure_id}
            if self.initiative is not None
            else {"measure_id__isnull": True}
        )
        offer_choices(
            self.fields["meeting"],
            Meeting.objects.filter(body="specialised", **on_measure).order_by("-date"),
        )
        offer_choices(
            self.fields["experts"],
            Expert.objects.filter(**on_measure).select_related("participant"),
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"meeting": data["meeting"], "experts": data["experts"], "reason": data["reason"]}
