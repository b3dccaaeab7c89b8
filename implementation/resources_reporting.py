"""Export of the returns (CSV, XLSX), for the secretariat (issue 17 item 6)."""

from django.utils.translation import gettext_lazy as _

from cica.admin import export_column
from cica.resources import NamedSheetResource, date_column, datetime_column

from .models import Return
from .services.reporting import return_is_late


class ReturnResource(NamedSheetResource):
    """One row per return: the cycle, the state, what it is on, its status
    and version, on time or late, and its text."""

    sheet_title = _("Returns")

    year = export_column(_("Year"), "cycle__year")
    symbol = export_column(_("Cycle"), "cycle__symbol")
    due_on = date_column(_("Due on"), "cycle__due_on")
    participant = export_column(_("State"), "participant__code")
    kind = export_column(_("Kind"), "get_kind_display")
    area = export_column(_("Priority area"), "area__code")
    measure = export_column(_("Measure"), "measure__code")
    measures = export_column(_("Measures concerned"))
    status = export_column(_("Status"), "get_status_display")
    version = export_column(_("Version"), "version")
    visibility = export_column(_("Visibility"), "get_visibility_display")
    first_submitted_at = datetime_column(_("First submitted at"), "first_submitted_at")
    submitted_at = datetime_column(_("Submitted at"), "submitted_at")
    late = export_column(_("Late"))
    text = export_column(_("Text"), "text")

    class Meta:
        model = Return
        fields = (
            "year",
            "symbol",
            "due_on",
            "participant",
            "kind",
            "area",
            "measure",
            "measures",
            "status",
            "version",
            "visibility",
            "first_submitted_at",
            "submitted_at",
            "late",
            "text",
        )
        export_order = fields

    def get_queryset(self):
        return Return.objects.order_by("cycle__year", "participant__code", "kind", "pk")

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related("cycle", "participant", "area", "measure").prefetch_related(
            "measures"
        )

    def dehydrate_measures(self, ret: Return) -> str:
        return ", ".join(sorted(m.code for m in ret.measures.all()))

    def dehydrate_late(self, ret: Return) -> str:
        return str(_("yes")) if return_is_late(ret) else ""
