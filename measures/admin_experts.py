"""The expert roster in the admin. Imported by ``measures/admin.py`` so the
admin's autodiscovery registers it."""

from django.contrib import admin
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from cica.admin import SecretariatExportMixin, TitledAdmin
from members.rules import is_secretariat

from .models import Expert
from .resources import ExpertResource


@admin.register(Expert)
class ExpertAdmin(TitledAdmin, SecretariatExportMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    accusative = pgettext_lazy("accusative", "expert")  # "Изменить эксперта" (issue 16 item 13)
    resource_classes = [ExpertResource]
    list_display = ["name", "participant", "measure", "languages", "started_on", "ended_on"]
    list_filter = ["participant", "measure__area"]
    search_fields = ["name", "expertise", "participant__code", "measure__code"]
    list_select_related = ["participant", "measure"]

    def get_exclude(self, request, obj=None):
        # Contact details are for the secretariat and the designating state only.
        return [] if is_secretariat(request.user) else ["contact"]
