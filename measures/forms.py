"""The workflow actions' forms for the admin and the delegate pages, derived
from the actions' API inputs.

An action has one input class, its serializer in ``measures/inputs.py`` (or
``secretariat/inputs.py``): the API reads it, and :func:`form_for_input`
turns it into the Django form the admin and the pages show: the same fields,
labels, limits and required flags, the same service keyword arguments. The
forms only shape input; each action's rules are in its service.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from rest_framework import serializers

from cica.errors import DomainError
from cica.uploads import document_check

from .models import Initiative

if TYPE_CHECKING:
    from .inputs import ActionInput

# The longest free text an action takes (a reason, a note, a statement).
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


def _document_validator(upload: UploadedFile[bytes]) -> None:
    document_field_check(upload)


class ActionForm(forms.Form):
    """An action's form, derived from its input (:func:`form_for_input`):
    built for one initiative, with the registry entry's ``fixed`` arguments
    (the input's ``offer`` narrows the choices to what concerns them), and
    turned into the service's keyword arguments by the input's own
    :meth:`~measures.inputs.ActionInput.kwargs_from`."""

    input_class: type[ActionInput]

    def __init__(
        self,
        *args: Any,
        initiative: Initiative | None = None,
        fixed: Mapping[str, object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        self.fixed = dict(fixed or {})
        self.input_class.offer(self.fields, initiative=initiative, **self.fixed)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # What the API fills in for an omitted field, the form gives the
        # service for an empty one (a select's "members", an empty list).
        declared = self.input_class().fields
        for name, value in list(cleaned.items()):
            field = declared[name]
            if isinstance(value, QuerySet):
                value = cleaned[name] = list(value)
            if (
                not field.required
                and field.default is not serializers.empty
                and value in self.fields[name].empty_values
            ):
                cleaned[name] = field.get_default()
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        return self.input_class.kwargs_from(self.cleaned_data)


def _textarea(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    return bool(getattr(field, "style", {}).get("base_template") == "textarea.html")


def _form_field(field: serializers.Field[Any, Any, Any, Any]) -> forms.Field:
    """The Django form field that reads what ``field`` reads, as a person
    fills it in: a text area where the API hints one, a date input, a
    multi-select for a list of related rows."""
    common: dict[str, Any] = {
        "label": field.label,
        "required": field.required,
        "help_text": field.help_text or "",
    }
    if field.default is not serializers.empty and not callable(field.default):
        common["initial"] = field.default
    if isinstance(field, serializers.ManyRelatedField):
        child = field.child_relation
        common["required"] = field.required or not field.allow_empty
        return forms.ModelMultipleChoiceField(
            queryset=child.get_queryset(),
            to_field_name=getattr(child, "slug_field", None),
            widget=forms.SelectMultiple(attrs={"size": 10}),
            **common,
        )
    if isinstance(field, serializers.RelatedField):
        return forms.ModelChoiceField(
            queryset=field.get_queryset(),
            to_field_name=getattr(field, "slug_field", None),
            **common,
        )
    if isinstance(field, serializers.BooleanField):
        # An unticked box is the answer "no", never a missing one.
        return forms.BooleanField(**{**common, "required": False})
    if isinstance(field, serializers.ChoiceField):
        return forms.ChoiceField(choices=list(field.choices.items()), **common)
    if isinstance(field, serializers.DateField):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if isinstance(field, serializers.FileField):
        # An action's upload is a paper: the service's content and size check,
        # shown next to the field.
        return forms.FileField(
            allow_empty_file=field.allow_empty_file,
            max_length=field.max_length,
            validators=[_document_validator],
            **common,
        )
    if isinstance(field, serializers.CharField):
        return forms.CharField(
            max_length=field.max_length,
            min_length=field.min_length,
            widget=forms.Textarea if _textarea(field) else None,
            strip=field.trim_whitespace,
            **common,
        )
    raise ImproperlyConfiguredField(field)


class ImproperlyConfiguredField(TypeError):
    def __init__(self, field: serializers.Field[Any, Any, Any, Any]) -> None:
        super().__init__(
            f"No form field for the input field {field.field_name!r} "
            f"({type(field).__name__}): teach measures.forms.form_for_input it."
        )


@cache
def form_for_input(input_class: type[ActionInput]) -> type[ActionForm]:
    """The admin's and the pages' form for an action input: one field per
    input field, in the input's order (built once per input class)."""
    attrs: dict[str, Any] = {
        name: _form_field(field) for name, field in input_class().fields.items()
    }
    attrs["input_class"] = input_class
    attrs["__module__"] = input_class.__module__
    return type(f"{input_class.__name__}Form", (ActionForm,), attrs)
