"""Admin of the implementation years: activities (issue 17). The register
is written by the services (pages, API): here the secretariat reads it,
exports it and moves statuses through the same service, a reason asked
for a cancellation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cica.admin import ReadOnlyInline, SecretariatExportMixin, TitledAdmin
from cica.errors import DomainError

from .models import Activity, ActivityDocument, ActivityEvent
from .resources_activities import ActivityResource
from .services.activities import activity_set_status


class ActivityDocumentInline(ReadOnlyInline):
    model = ActivityDocument
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at"]


class ActivityEventInline(ReadOnlyInline):
    model = ActivityEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]


@admin.register(Activity)
class ActivityAdmin(SecretariatExportMixin, TitledAdmin):  # type: ignore[misc]
    resource_classes = [ActivityResource]
    list_display = [
        "__str__",
        "measure",
        "kind",
        "host",
        "starts_on",
        "ends_on",
        "status",
        "visibility",
    ]
    list_filter = ["status", "kind", "visibility", "measure", "host"]
    search_fields = ["title_en", "title_fr", "title_ru", "venue", "measure__code", "host__code"]
    list_select_related = ["measure", "host"]
    date_hierarchy = "starts_on"
    inlines = [ActivityDocumentInline, ActivityEventInline]
    actions = ["confirm", "mark_held", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields]
        return fields + [m.name for m in self.model._meta.many_to_many]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _move(self, request, queryset, status: str, reason: str = "") -> None:
        done = 0
        for activity in queryset:
            try:
                activity_set_status(
                    actor=request.user, activity=activity, status=status, reason=reason
                )
            except DomainError as refused:
                self.message_user(request, f"{activity}: {refused.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)s activity(ies) changed.") % {"n": done})

    @admin.action(description=_("Confirm the selected activities"))
    def confirm(self, request, queryset):
        self._move(request, queryset, "confirmed")

    @admin.action(description=_("Mark the selected activities as held"))
    def mark_held(self, request, queryset):
        self._move(request, queryset, "held")

    @admin.action(description=_("Cancel the selected activities (asks for the reason)"))
    def cancel(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return TemplateResponse(
                request,
                "admin/implementation/activity_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "queryset": queryset,
                    "title": _("Reason for cancelling"),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        self._move(request, queryset, "cancelled", reason)
        return None
