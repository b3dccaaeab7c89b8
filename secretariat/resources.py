"""Exports of receipts and positions (CSV, XLSX), for the secretariat."""

from django.utils.translation import gettext_lazy as _
from import_export import resources

from cica.admin import export_column

from .models import Receipt


class ReceiptResource(resources.ModelResource):
    circulation = export_column(_("Circulation"), "circulation__reference")
    paper = export_column(_("Paper"), "circulation__paper__symbol")
    participant = export_column(_("State"), "participant__code")
    deadline = export_column(_("Deadline"), "circulation__deadline")
    delivered_at = export_column(_("Delivered"), "delivered_at")
    acknowledged_at = export_column(_("Acknowledged"), "acknowledged_at")
    position = export_column(_("Position"), "get_position_display")
    position_text = export_column(_("Text"), "position_text")
    position_at = export_column(_("Given at"), "position_at")

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
