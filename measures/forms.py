"""Forms for the workflow actions in the admin and on the delegate pages.

They only shape input; each action's rules are in its service. The
action registry (:mod:`measures.actions`) says which form each action takes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cica.errors import DomainError
from cica.uploads import document_check
from members.models import Participant, ParticipationStatus

from .models import Initiative


def _members() -> QuerySet[Participant]:
    return Participant.objects.with_status_in(ParticipationStatus.MEMBER).order_by("code")


TEXT_LIMIT = 5000


def offer_choices(field: forms.Field, queryset: QuerySet[Any]) -> None:
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
        offer_choices(self.fields["coordinators"], _members())
        offer_choices(self.fields["co_coordinators"], _members())

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
