"""Export of the expert roster (secretariat only: it holds contact details)."""

from django.utils.translation import gettext_lazy as _
from import_export import resources

from cica.admin import export_column

from .models import Expert


class ExpertResource(resources.ModelResource):
    measure = export_column(_("Measure"), "measure__code")
    participant = export_column(_("State"), "participant__code")
    name = export_column(_("Name"), "name")
    contact = export_column(_("Contact"), "contact")
    expertise = export_column(_("Expertise"), "expertise")
    languages = export_column(_("Languages"), "languages")
    started_on = export_column(_("From"), "started_on")
    ended_on = export_column(_("Until"), "ended_on")

    class Meta:
        model = Expert
        fields = (
            "measure",
            "participant",
            "name",
            "contact",
            "expertise",
            "languages",
            "started_on",
            "ended_on",
        )
        export_order = fields

    def get_queryset(self):
        return Expert.objects.select_related("measure", "participant").order_by(
            "measure__area__order", "measure__number", "participant__code", "name"
        )
