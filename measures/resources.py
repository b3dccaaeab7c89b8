"""Exports of the Catalogue and its initiatives (CSV, XLSX), in the reader's language."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from . import selectors
from .models import Expert, Initiative, Measure


class MeasureResource(resources.ModelResource):
    """Each measure with its status and current coordinators."""

    code = fields.Field(attribute="code", column_name=_("Code"))
    area = fields.Field(attribute="area__name", column_name=_("Priority area"))
    title = fields.Field(attribute="title", column_name=_("Title"))
    status = fields.Field(column_name=_("Status"))
    coordinators = fields.Field(column_name=_("Coordinators"))

    class Meta:
        model = Measure
        fields = ("code", "area", "title", "status", "coordinators")
        export_order = fields

    def get_queryset(self):
        return selectors.measure_list_with_status()

    def dehydrate_status(self, measure):
        lead = selectors.measure_lead_initiative(measure)
        return lead.get_status_display() if lead else ""

    def dehydrate_coordinators(self, measure):
        lead = selectors.measure_lead_initiative(measure)
        if lead is None:
            return ""
        return ", ".join(
            f"{d.participant.code} ({d.get_role_display()})" for d in lead.designations.all()
        )


class InitiativeResource(resources.ModelResource):
    reference = fields.Field(attribute="reference", column_name=_("Reference"))
    measure = fields.Field(attribute="measure__code", column_name=_("Measure"))
    modality = fields.Field(attribute="get_modality_display", column_name=_("Modality"))
    status = fields.Field(attribute="get_status_display", column_name=_("Status"))
    interested = fields.Field(column_name=_("Interested states"))
    coordinators = fields.Field(column_name=_("Coordinators"))
    updated_at = fields.Field(attribute="updated_at", column_name=_("Updated"))

    class Meta:
        model = Initiative
        fields = (
            "reference",
            "measure",
            "modality",
            "status",
            "interested",
            "coordinators",
            "updated_at",
        )
        export_order = fields

    def get_queryset(self):
        return selectors.initiative_list()

    def dehydrate_interested(self, initiative):
        return ", ".join(d.participant.code for d in initiative.declarations.all())

    def dehydrate_coordinators(self, initiative):
        return ", ".join(
            f"{d.participant.code} ({d.get_role_display()})" for d in initiative.designations.all()
        )


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
