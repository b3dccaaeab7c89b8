"""Admin of the implementation years: reporting (issue 17). Thin: opening,
closing and nil returns call the services of
:mod:`implementation.services.reporting`; returns are read, filtered and
exported, never edited here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cica.admin import ReadOnlyInline, RecordOnlyAdmin, SecretariatExportMixin, TitledAdmin
from cica.errors import DomainError
from measures.models import PriorityArea
from members.models import Participant

from .models import ReportingCycle, Return, ReturnAttachment, ReturnVersion
from .resources_reporting import ReturnResource
from .services import reporting as services


class CycleOpenForm(forms.ModelForm):
    """Opening a cycle: the service opens it (its rules, its notices) when
    the form is checked; a refusal is the form's error."""

    class Meta:
        model = ReportingCycle
        fields = ["year", "due_on", "areas", "measures", "reminder_days"]

    actor: Any = None
    opened: ReportingCycle | None = None

    def clean(self):
        data = super().clean()
        if self.errors or data is None:
            return data
        try:
            self.opened = services.cycle_open(
                actor=self.actor,
                year=data["year"],
                due_on=data["due_on"],
                areas=data.get("areas") or [],
                measures=data.get("measures") or [],
                reminder_days=data["reminder_days"],
            )
        except DomainError as refused:
            raise ValidationError(refused.message) from refused
        return data

    def validate_unique(self):
        # The service says "already open" (409) in its own words.
        pass


class NilOnBehalfForm(forms.Form):
    participant: forms.ModelChoiceField[Participant] = forms.ModelChoiceField(
        label=_("State"), queryset=Participant.objects.order_by("code"), to_field_name="code"
    )
    area: forms.ModelChoiceField[PriorityArea] = forms.ModelChoiceField(
        label=_("Priority area"), queryset=PriorityArea.objects.all(), to_field_name="code"
    )


@admin.register(ReportingCycle)
class ReportingCycleAdmin(TitledAdmin):
    list_display = [
        "year",
        "symbol",
        "due_on",
        "opened_at",
        "closed_at",
        "reminder_sent_at",
        "summary_sent_at",
    ]
    search_fields = ["symbol"]
    actions = ["close_cycles", "file_nil_return"]

    def has_change_permission(self, request, obj=None):
        # Written only by the services: a page to read (opened through the add form).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = [f.name for f in self.model._meta.fields]
        return fields + ["areas", "measures"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CycleOpenForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return type("CycleOpenFormFor", (form,), {"actor": request.user})
        return form

    def save_model(self, request, obj, form, change):
        # Opened by the service while the form was checked.
        opened = getattr(form, "opened", None)
        if opened is not None:
            obj.pk = opened.pk
            obj.symbol = opened.symbol
            obj.opened_at = opened.opened_at
            obj.opened_by = opened.opened_by

    def save_related(self, request, form, formsets, change):
        # The service set the areas and measures.
        pass

    @admin.action(description=_("Close the selected cycles"), permissions=["add"])
    def close_cycles(self, request, queryset):
        for cycle in queryset:
            try:
                services.cycle_close(actor=request.user, cycle=cycle)
            except DomainError as refused:
                self.message_user(request, f"{cycle.symbol}: {refused.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(symbol)s closed.") % {"symbol": cycle.symbol})

    @admin.action(
        description=_("File a nil return on behalf of a state (asks which)"), permissions=["add"]
    )
    def file_nil_return(self, request, queryset):
        form = NilOnBehalfForm(request.POST if "participant" in request.POST else None)
        if not form.is_valid() or queryset.count() != 1:
            if queryset.count() != 1:
                self.message_user(request, _("Select one cycle."), messages.ERROR)
                return None
            return TemplateResponse(
                request,
                "admin/implementation/nil_on_behalf.html",
                {
                    **self.admin_site.each_context(request),
                    "queryset": queryset,
                    "form": form,
                    "title": _("File a nil return on behalf of a state"),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        cycle = queryset.get()
        participant, area = form.cleaned_data["participant"], form.cleaned_data["area"]
        try:
            services.return_nil(actor=request.user, cycle=cycle, participant=participant, area=area)
        except DomainError as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("Nil return filed for %(state)s, %(area)s, %(symbol)s.")
                % {"state": participant.code, "area": area.code, "symbol": cycle.symbol},
            )
        return None


class VersionInline(ReadOnlyInline):
    model = ReturnVersion
    fields = ["version", "kind", "visibility", "text", "note", "submitted_at", "submitted_by"]


class AttachmentInline(ReadOnlyInline):
    model = ReturnAttachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


class LateFilter(admin.SimpleListFilter):
    title = _("late")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Late")), ("no", _("On time or not submitted"))]

    def queryset(self, request, queryset):
        # services.return_is_late's rule, in the database.
        late = {"first_submitted_at__date__gt": F("cycle__due_on")}
        if self.value() == "yes":
            return queryset.filter(**late)
        if self.value() == "no":
            return queryset.exclude(**late)
        return queryset


@admin.register(Return)
class ReturnAdmin(TitledAdmin, SecretariatExportMixin, RecordOnlyAdmin):  # type: ignore[misc]
    resource_classes = [ReturnResource]
    list_display = [
        "participant",
        "cycle",
        "kind",
        "area",
        "measure",
        "status",
        "version",
        "late",
        "submitted_at",
    ]
    list_filter = ["cycle", "kind", "status", "area", LateFilter]
    search_fields = ["participant__code", "text"]
    list_select_related = ["participant", "cycle", "area", "measure"]
    inlines = [VersionInline, AttachmentInline]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("late"), boolean=True)
    def late(self, obj):
        return services.return_is_late(obj)
