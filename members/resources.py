"""Export of the expert roster (secretariat only: it holds contact details)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Expert


class ExpertResource(resources.ModelResource):
    measure = fields.Field(attribute="measure__code", column_name=_("Measure"))
    participant = fields.Field(attribute="participant__code", column_name=_("State"))
    name = fields.Field(attribute="name", column_name=_("Name"))
    contact = fields.Field(attribute="contact", column_name=_("Contact"))
    expertise = fields.Field(attribute="expertise", column_name=_("Expertise"))
    languages = fields.Field(attribute="languages", column_name=_("Languages"))
    started_on = fields.Field(attribute="started_on", column_name=_("From"))
    ended_on = fields.Field(attribute="ended_on", column_name=_("Until"))

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
