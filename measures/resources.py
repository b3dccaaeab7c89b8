"""Exports of the Catalogue and its initiatives (CSV, XLSX), in the reader's language."""

from django.utils.translation import gettext_lazy as _

from cica.admin import export_column
from cica.resources import NamedSheetResource, date_column, datetime_column

from . import selectors
from .models import Expert, Initiative, Measure


class MeasureResource(NamedSheetResource):
    """Each measure with its status and current coordinators."""

    sheet_title = _("Measures")

    code = export_column(_("Code"), "code")
    area = export_column(_("Priority area"), "area__name")
    title = export_column(_("Title"), "title")
    status = export_column(_("Status"))
    coordinators = export_column(_("Coordinators"))

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


class InitiativeResource(NamedSheetResource):
    sheet_title = _("Initiatives")

    reference = export_column(_("Reference"), "reference")
    measure = export_column(_("Measure"), "measure__code")
    modality = export_column(_("Modality"), "get_modality_display")
    status = export_column(_("Status"), "get_status_display")
    interested = export_column(_("Interested states"))
    coordinators = export_column(_("Coordinators"))
    updated_at = datetime_column(_("Updated"), "updated_at")

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


class ExpertResource(NamedSheetResource):
    sheet_title = _("Experts")

    measure = export_column(_("Measure"), "measure__code")
    participant = export_column(_("State"), "participant__code")
    name = export_column(_("Name"), "name")
    contact = export_column(_("Contact"), "contact")
    expertise = export_column(_("Expertise"), "expertise")
    languages = export_column(_("Languages"), "languages")
    started_on = date_column(_("From"), "started_on")
    ended_on = date_column(_("Until"), "ended_on")

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
