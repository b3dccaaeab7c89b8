"""Exports of receipts and positions (CSV, XLSX), for the secretariat."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Receipt


class ReceiptResource(resources.ModelResource):
    circulation = fields.Field(attribute="circulation__reference", column_name=_("Circulation"))
    paper = fields.Field(attribute="circulation__paper__symbol", column_name=_("Paper"))
    participant = fields.Field(attribute="participant__code", column_name=_("State"))
    deadline = fields.Field(attribute="circulation__deadline", column_name=_("Deadline"))
    delivered_at = fields.Field(attribute="delivered_at", column_name=_("Delivered"))
    acknowledged_at = fields.Field(attribute="acknowledged_at", column_name=_("Acknowledged"))
    position = fields.Field(attribute="get_position_display", column_name=_("Position"))
    position_text = fields.Field(attribute="position_text", column_name=_("Text"))
    position_at = fields.Field(attribute="position_at", column_name=_("Given at"))

    class Meta:
        model = Receipt
        fields = (
            "circulation",
            "paper",
            "participant",
            "deadline",
            "delivered_at",
            "acknowledged_at",
            "position",
            "position_text",
            "position_at",
        )
        export_order = fields

    def get_queryset(self):
        return Receipt.objects.select_related("circulation__paper", "participant").order_by(
            "circulation__reference", "participant__code"
        )
