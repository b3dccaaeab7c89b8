"""Admin of the implementation years: plans (issue 17, v1).

A plan is written only by its services (``implementation.services.plans``):
the admin shows it with its coordinators, planned activities and history,
exports the register, and submits or amends plans through the services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cica.admin import ReadOnlyInline, SecretariatExportMixin, TitledAdmin
from cica.errors import DomainError

from .models import ActionPlan, PlanCoordinator, PlanEvent, PlannedActivity
from .resources_plans import ActionPlanResource
from .services import plans as services


class PlanCoordinatorInline(ReadOnlyInline):
    model = PlanCoordinator
    fields = ["participant", "role"]


class PlannedActivityInline(ReadOnlyInline):
    model = PlannedActivity
    fields = ["target_year", "kind", "title"]


class PlanEventInline(ReadOnlyInline):
    model = PlanEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]


# The export mixin first: TitledAdmin is a ModelAdmin, whose URLs would
# otherwise hide the export's.
@admin.register(ActionPlan)
class ActionPlanAdmin(SecretariatExportMixin, TitledAdmin):  # type: ignore[misc]
    accusative = pgettext_lazy("accusative", "action plan")
    resource_classes = [ActionPlanResource]
    list_display = ["symbol", "measure", "starts_in", "ends_in", "status", "approved_at"]
    list_filter = ["status", "measure__area"]
    search_fields = ["symbol", "measure__code", "text"]
    list_select_related = ["measure"]
    inlines = [PlanCoordinatorInline, PlannedActivityInline, PlanEventInline]
    actions = ["submit_plans", "amend_plans"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        # Drawn up by the coordinators on their pages or through the API.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, run, done_message):
        for plan in queryset:
            try:
                result = run(plan)
            except DomainError as refused:
                self.message_user(
                    request, f"{plan.symbol}: {refused.message}", level=messages.ERROR
                )
            else:
                self.message_user(request, done_message % {"symbol": result.symbol})

    @admin.action(description=_("Submit to the SWG"))
    def submit_plans(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda plan: services.plan_submit(actor=request.user, plan=plan),
            _("%(symbol)s submitted to the SWG."),
        )

    @admin.action(description=_("Amend (start the next plan as a draft)"))
    def amend_plans(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda plan: services.plan_amend(actor=request.user, plan=plan),
            _("%(symbol)s started as a draft amendment."),
        )
