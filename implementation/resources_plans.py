"""Export of action plans (CSV, XLSX) for the secretariat (issue 17, v1)."""

from django.utils.translation import gettext_lazy as _

from cica.admin import export_column
from cica.resources import NamedSheetResource, datetime_column

from .models import ActionPlan


class ActionPlanResource(NamedSheetResource):
    """Each plan: its symbol, measure, initiative, years, status, the plan it
    amends, its coordinators and how many activities it plans."""

    sheet_title = _("Action plans")

    symbol = export_column(_("Symbol"), "symbol")
    measure = export_column(_("Measure"), "measure__code")
    initiative = export_column(_("Initiative"), "initiative__reference")
    starts_in = export_column(_("First year"), "starts_in")
    ends_in = export_column(_("Last year"), "ends_in")
    status = export_column(_("Status"), "get_status_display")
    amends = export_column(_("Amends"), "amends__symbol")
    coordinators = export_column(_("Coordinators"))
    planned = export_column(_("Planned activities"))
    approved_at = datetime_column(_("Approved at"), "approved_at")

    class Meta:
        model = ActionPlan
        fields = (
            "symbol",
            "measure",
            "initiative",
            "starts_in",
            "ends_in",
            "status",
            "amends",
            "coordinators",
            "planned",
            "approved_at",
        )
        export_order = fields

    def get_queryset(self):
        return ActionPlan.objects.order_by("measure__sort_key", "number")

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related("measure", "initiative__measure", "amends").prefetch_related(
            "coordinators__participant", "planned_activities"
        )

    def dehydrate_coordinators(self, plan: ActionPlan) -> str:
        return ", ".join(
            f"{c.participant.code} ({c.get_role_display()})" for c in plan.coordinators.all()
        )

    def dehydrate_planned(self, plan: ActionPlan) -> int:
        return len(plan.planned_activities.all())
