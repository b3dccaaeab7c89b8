"""Forms for the workflow actions in the admin and on the delegate pages.

They only shape input; each action's rules are in ``measures.services``. The
action registry (:mod:`measures.actions`) says which form each action takes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cica.errors import DomainError
from cica.uploads import document_check
from members.models import Participant, ParticipationStatus
from secretariat.models import Audience, Meeting

from .models import Expert, Initiative
from .workflow import Outcome


def _members() -> QuerySet[Participant]:
    return Participant.objects.with_status_in(ParticipationStatus.MEMBER).order_by("code")


TEXT_LIMIT = 5000


def _offer(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Set the choices of one of the form's model choice fields (``fields``
    holds them as plain fields)."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def document_field_check(upload: UploadedFile[bytes]) -> UploadedFile[bytes]:
    """The same content and size check the service applies, shown next to the field."""
    try:
        document_check(upload)
    except DomainError as refused:
        raise ValidationError(refused.message) from refused
    return upload


class ActionForm(forms.Form):
    """An action's form: built for one initiative (a form may offer only what
    concerns it) and turned into the service's keyword arguments."""

    def __init__(self, *args: Any, initiative: Initiative | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initiative = initiative

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason or note"), widget=forms.Textarea, required=False, max_length=TEXT_LIMIT
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class WithdrawForm(ReasonForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=TEXT_LIMIT)


class DeclareInterestForm(ActionForm):
    statement = forms.CharField(
        label=_("Statement"), widget=forms.Textarea, required=False, max_length=TEXT_LIMIT
    )
    volunteers_as_coordinator = forms.BooleanField(
        label=_("We volunteer as coordinator"), required=False
    )


class DesignateForm(ReasonForm):
    coordinators: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=_("Coordinators"),
        queryset=Participant.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    co_coordinators: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=_("Co-coordinators"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["coordinators"], _members())
        _offer(self.fields["co_coordinators"], _members())

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "designations": [(p, "coordinator") for p in data["coordinators"]]
            + [(p, "co_coordinator") for p in data["co_coordinators"]],
            "reason": data["reason"],
        }


class SubmitPaperForm(ActionForm):
    file = forms.FileField(label=_("Paper (PDF, DOCX or ODT)"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea, required=False, max_length=TEXT_LIMIT
    )

    def clean_file(self) -> UploadedFile[bytes]:
        return document_field_check(self.cleaned_data["file"])


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
        _offer(self.fields["meeting"], Meeting.objects.filter(body=body).order_by("-date"))
        _offer(self.fields["objecting"], Participant.objects.order_by("code"))


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
        _offer(
            self.fields["meeting"],
            Meeting.objects.filter(body="specialised", **on_measure).order_by("-date"),
        )
        _offer(
            self.fields["experts"],
            Expert.objects.filter(**on_measure).select_related("participant"),
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"meeting": data["meeting"], "experts": data["experts"], "reason": data["reason"]}
