"""Exports of circulations, receipts and positions (CSV, XLSX), for the secretariat."""

from collections import Counter

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cica.admin import export_column
from cica.resources import NamedSheetResource, date_column, datetime_column

from .models import Circulation, Position, Receipt


class CirculationResource(NamedSheetResource):
    """Each circulation with its receipts summed up: how many states it was
    addressed to, how many read, acknowledged and answered it, the objections
    and the positions given (issue 16 item 13)."""

    sheet_title = _("Circulations")

    reference = export_column(_("Reference"), "reference")
    kind = export_column(_("Kind"), "get_kind_display")
    initiative = export_column(_("Initiative"), "initiative__reference")
    paper = export_column(_("Paper"), "paper__symbol")
    audience = export_column(_("Audience"), "get_audience_display")
    circulated_at = datetime_column(_("Circulated at"), "circulated_at")
    deadline = date_column(_("Deadline"), "deadline")
    addressed = export_column(_("Addressed"), "n_addressed")
    read = export_column(_("Read"), "n_read")
    acknowledged = export_column(_("Acknowledged"), "n_acknowledged")
    answered = export_column(_("Answered"), "n_answered")
    objections = export_column(_("Objections"), "n_objections")
    positions = export_column(_("Positions"))

    class Meta:
        model = Circulation
        fields = (
            "reference",
            "kind",
            "initiative",
            "paper",
            "audience",
            "circulated_at",
            "deadline",
            "addressed",
            "read",
            "acknowledged",
            "answered",
            "objections",
            "positions",
        )
        export_order = fields

    def get_queryset(self):
        return Circulation.objects.order_by("circulated_at", "reference")

    def filter_export(self, queryset, **kwargs):
        # The counts in one query, whichever queryset the admin passes.
        queryset = super().filter_export(queryset, **kwargs)
        receipts = queryset.select_related("initiative__measure", "paper").prefetch_related(
            "receipts"
        )
        return receipts.annotate(
            n_addressed=Count("receipts", distinct=True),
            n_read=Count(
                "receipts", filter=Q(receipts__first_read_at__isnull=False), distinct=True
            ),
            n_acknowledged=Count(
                "receipts", filter=Q(receipts__acknowledged_at__isnull=False), distinct=True
            ),
            n_answered=Count("receipts", filter=~Q(receipts__position=""), distinct=True),
            n_objections=Count(
                "receipts", filter=Q(receipts__position=Position.OBJECTION), distinct=True
            ),
        )

    def dehydrate_positions(self, circulation):
        """ "Support: 2; Objection: 1", in the order of the positions."""
        given = Counter(r.position for r in circulation.receipts.all() if r.position)
        return "; ".join(
            f"{position.label}: {given[position.value]}"
            for position in Position
            if given[position.value]
        )


class ReceiptResource(NamedSheetResource):
    sheet_title = _("Receipts")

    circulation = export_column(_("Circulation"), "circulation__reference")
    paper = export_column(_("Paper"), "circulation__paper__symbol")
    participant = export_column(_("State"), "participant__code")
    deadline = date_column(_("Deadline"), "circulation__deadline")
    delivered_at = datetime_column(_("Delivered"), "delivered_at")
    acknowledged_at = datetime_column(_("Acknowledged"), "acknowledged_at")
    position = export_column(_("Position"), "get_position_display")
    position_text = export_column(_("Text"), "position_text")
    position_at = datetime_column(_("Given at"), "position_at")

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
