"""Export of the activities register (CSV, XLSX) for the secretariat: dates
in ISO format, as the other exports (cica.resources)."""

from django.utils.translation import gettext_lazy as _

from cica.admin import export_column
from cica.resources import NamedSheetResource, date_column, datetime_column

from .models import Activity


class ActivityResource(NamedSheetResource):
    sheet_title = _("Activities")

    id = export_column(_("Id"), "id")
    measure = export_column(_("Measure"), "measure__code")
    plan = export_column(_("Action plan"), "plan__symbol")
    kind = export_column(_("Kind"), "get_kind_display")
    title_en = export_column(_("Title (English)"), "title_en")
    title_fr = export_column(_("Title (French)"), "title_fr")
    title_ru = export_column(_("Title (Russian)"), "title_ru")
    host = export_column(_("Host"), "host__code")
    co_organisers = export_column(_("Co-organisers"))
    participants = export_column(_("Participating states"))
    organisations = export_column(_("Participating organisations"))
    starts_on = date_column(_("Starts on"), "starts_on")
    ends_on = date_column(_("Ends on"), "ends_on")
    venue = export_column(_("Venue"), "venue")
    time_zone = export_column(_("Time zone"), "time_zone")
    status = export_column(_("Status"), "get_status_display")
    status_reason = export_column(_("Reason"), "status_reason")
    visibility = export_column(_("Visibility"), "get_visibility_display")
    updated_at = datetime_column(_("Updated"), "updated_at")

    class Meta:
        model = Activity
        fields = (
            "id",
            "measure",
            "plan",
            "kind",
            "title_en",
            "title_fr",
            "title_ru",
            "host",
            "co_organisers",
            "participants",
            "organisations",
            "starts_on",
            "ends_on",
            "venue",
            "time_zone",
            "status",
            "status_reason",
            "visibility",
            "updated_at",
        )
        export_order = fields

    def get_queryset(self):
        return Activity.objects.order_by("starts_on", "pk")

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        return queryset.select_related("measure", "plan", "host").prefetch_related(
            "co_organisers", "participants"
        )

    def dehydrate_co_organisers(self, activity: Activity) -> str:
        return ", ".join(p.code for p in activity.co_organisers.all())

    def dehydrate_participants(self, activity: Activity) -> str:
        return ", ".join(p.code for p in activity.participants.all())

    def dehydrate_organisations(self, activity: Activity) -> str:
        return "; ".join(line for line in activity.organisations.splitlines() if line)
