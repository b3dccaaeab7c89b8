from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modeltranslation.admin import TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from cica.admin import (
    ReadOnlyInline,
    RecordOnlyAdmin,
    SecretariatExportMixin,
    TabbedTranslationAdmin,
    TitledAdmin,
)
from cica.errors import DomainError

from . import actions, services
from .admin_experts import ExpertAdmin  # noqa: F401 (registers the expert roster's admin)
from .models import (
    AreaAlias,
    CoordinatorDesignation,
    CoordinatorOffer,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
    PriorityArea,
)
from .resources import InitiativeResource, MeasureResource


class MeasureInline(TranslationTabularInline):
    model = Measure
    extra = 0
    fields = ["number", "title", "code"]
    readonly_fields = ["code"]
    show_change_link = True


class AreaAliasInline(admin.TabularInline):
    model = AreaAlias
    extra = 0
    fields = ["name", "language"]


@admin.register(PriorityArea)
class PriorityAreaAdmin(TitledAdmin, SimpleHistoryAdmin, TabbedTranslationAdmin):
    accusative = pgettext_lazy("accusative", "priority area")
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name_en", "name_fr", "name_ru", "aliases__name"]
    inlines = [AreaAliasInline, MeasureInline]


class OfferInline(admin.TabularInline):
    model = CoordinatorOffer
    extra = 0
    fields = ["participant", "role", "scope", "description"]
    fk_name = "measure"


# django-import-export's mixins declare ``model = None`` and their own
# ``change_list_template``, which its inferred types make clash with
# ModelAdmin's in the stubs; at run time the admin sets both.
@admin.register(Measure)
class MeasureAdmin(  # type: ignore[misc]
    TitledAdmin, SecretariatExportMixin, SimpleHistoryAdmin, TabbedTranslationAdmin
):
    accusative = pgettext_lazy("accusative", "measure")
    resource_classes = [MeasureResource]
    list_display = ["code", "title", "area"]
    list_filter = ["area"]
    search_fields = [
        "code",
        "title_en",
        "title_fr",
        "title_ru",
        "text_en",
        "text_fr",
        "text_ru",
    ]
    readonly_fields = ["code"]
    list_select_related = ["area"]
    inlines = [OfferInline]


@admin.register(CoordinatorOffer)
class CoordinatorOfferAdmin(TitledAdmin, SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["participant", "role", "scope", "target", "description"]
    list_filter = ["scope", "role", "area"]
    search_fields = ["participant__code", "participant__name_en", "description_en", "annex_text"]
    list_select_related = ["participant", "measure", "area"]

    def target(self, obj):
        return obj.target_label


@admin.register(AreaAlias)
class AreaAliasAdmin(TitledAdmin, SimpleHistoryAdmin):
    list_display = ["name", "language", "area"]
    list_filter = ["area"]
    search_fields = ["name"]
    list_select_related = ["area"]


# --- initiatives: read-only records, changed only through workflow actions --------


class DeclarationInline(ReadOnlyInline):
    model = InterestDeclaration
    fields = ["participant", "declared_on", "volunteers_as_coordinator", "statement", "declared_by"]


class DesignationInline(ReadOnlyInline):
    model = CoordinatorDesignation
    fields = ["participant", "role", "started_on", "ended_on", "designated_by"]


class PaperInline(ReadOnlyInline):
    model = Paper
    fields = ["symbol", "version", "language", "download", "size", "submitted_for", "submitted_at"]

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', f"/api/v1/papers/{obj.pk}/file/", obj.original_name
        )


class EventInline(ReadOnlyInline):
    model = InitiativeEvent
    verbose_name_plural = _("timeline")
    fields = ["created_at", "step", "from_status", "to_status", "actor", "acting_for", "reason"]
    ordering = ["created_at", "pk"]

    @admin.display(description=_("event"))
    def step(self, obj):
        return obj.action_label  # "Submit working paper" on a modality (b) initiative


@admin.register(Initiative)
class InitiativeAdmin(TitledAdmin, SecretariatExportMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    accusative = pgettext_lazy("accusative", "initiative")
    resource_classes = [InitiativeResource]
    list_display = ["reference", "measure", "modality", "status", "coordinators", "updated_at"]
    list_filter = ["status", "modality", "measure__area"]
    search_fields = ["measure__code", "measure__title_en", "measure__title_fr", "measure__title_ru"]
    list_select_related = ["measure__area"]
    readonly_fields = ["measure", "modality", "sequence", "status", "created_at", "updated_at"]
    fields = readonly_fields  # type: ignore[assignment]
    inlines = [DeclarationInline, DesignationInline, PaperInline, EventInline]
    change_form_template = "admin/measures/initiative/change_form.html"

    def has_add_permission(self, request):
        return False  # an initiative starts with a member state's declaration of interest

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("designations__participant")

    @admin.display(description=_("coordinators"))
    def coordinators(self, obj):
        return ", ".join(
            f"{d.participant.code} ({d.get_role_display()})"
            for d in obj.designations.all()
            if d.ended_on is None
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/act/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name="measures_initiative_act",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        initiative = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if initiative is not None:
            extra_context["workflow_actions"] = services.initiative_available_actions(
                user=request.user, initiative=initiative
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def action_view(self, request, pk: int, action: str):
        """One form per workflow action; the service decides, refusals become messages."""
        initiative = get_object_or_404(Initiative, pk=pk)
        change_url = reverse("admin:measures_initiative_change", args=[pk])
        entry = actions.REGISTRY.get(action)
        if entry is None:
            messages.error(request, _("Unknown action."))
            return redirect(change_url)
        label = entry.label(initiative.modality)
        initial = {k: v for k, v in request.GET.items() if k in ("meeting", "outcome")}
        form = entry.make_form(
            request.POST or None,
            request.FILES or None,
            initial=initial,
            initiative=initiative,
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.initiative_act(
                    actor=request.user,
                    initiative=initiative,
                    action=action,
                    **form.service_kwargs(),
                )
            except DomainError as refused:
                messages.error(request, refused.message)
            else:
                initiative.refresh_from_db()
                messages.success(
                    request,
                    _("%(action)s: done. The initiative is at “%(status)s”.")
                    % {"action": label, "status": initiative.get_status_display()},
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": initiative,
            "title": f"{label}: {initiative.reference}",
            "form": form,
            "action": action,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/measures/initiative/action_form.html", context)


@admin.register(Paper)
class PaperAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = ["symbol", "initiative", "version", "language", "submitted_for", "submitted_at"]
    list_filter = ["kind", "language"]
    search_fields = ["symbol", "original_name"]
    list_select_related = ["initiative__measure", "submitted_for"]


@admin.register(InitiativeEvent)
class InitiativeEventAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = [
        "created_at",
        "initiative",
        "event",
        "from_status",
        "to_status",
        "actor",
        "acting_for",
    ]
    list_filter = ["action", "to_status"]
    search_fields = ["initiative__measure__code", "actor__username", "reason"]
    list_select_related = ["initiative__measure", "actor", "acting_for"]

    @admin.display(description=_("event"), ordering="action")
    def event(self, obj):
        return obj.action_label  # in the reader's language, never the code


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = ["initiative", "participant", "declared_on", "volunteers_as_coordinator"]
    list_filter = ["volunteers_as_coordinator"]
    list_select_related = ["initiative__measure", "participant"]


@admin.register(CoordinatorDesignation)
class CoordinatorDesignationAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = ["initiative", "participant", "role", "started_on", "ended_on"]
    list_filter = ["role"]
    list_select_related = ["initiative__measure", "participant"]
