"""The participation table over the API (issue 17 item 4):
``GET /api/v1/reporting-cycles/<id>/participation/``, for the same readers
as the page (the secretariat, the Chair's office, the delegates of member
and observer states); anyone else is told there is no such cycle."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response

from cica.api import IdLookupMixin

from .models import ReportingCycle
from .participation import (
    MISSING,
    NIL,
    REPORT,
    may_read_participation,
    participation_table,
    totals_sentence,
)

ANSWERS = [REPORT, NIL, MISSING]
PROGRESS_ANSWERS = [REPORT, MISSING]


class ParticipationCellSerializer(serializers.Serializer):
    area = serializers.CharField(help_text=_("The priority area's code."))
    answer = serializers.ChoiceField(
        choices=ANSWERS,
        source="state",
        help_text=_("A report, a nil return, or missing (nothing submitted: a draft is missing)."),
    )
    late = serializers.BooleanField(help_text=_("First submitted after the due date."))
    submitted_on = serializers.DateField(
        allow_null=True, help_text=_("The day it was first submitted (the secretariat's date).")
    )
    return_id = serializers.IntegerField(allow_null=True, help_text=_("The return's id."))


class ParticipationRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The state's code."))
    name = serializers.CharField(help_text=_("The state's name, in the request's language."))
    cells = ParticipationCellSerializer(many=True, help_text=_("One per area owed, in order."))
    responded = serializers.BooleanField(
        help_text=_("Every area owed answered, by a report or a nil return.")
    )
    late = serializers.BooleanField(help_text=_("One of its returns was late."))


class ProgressRowSerializer(serializers.Serializer):
    measure = serializers.CharField(help_text=_("The measure's code."))
    code = serializers.CharField(help_text=_("The coordinator state's code."))
    name = serializers.CharField(help_text=_("The coordinator state's name."))
    answer = serializers.ChoiceField(choices=PROGRESS_ANSWERS, source="state")
    late = serializers.BooleanField()
    submitted_on = serializers.DateField(allow_null=True)
    return_id = serializers.IntegerField(allow_null=True)


class AreaColumnSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ParticipationTotalsSerializer(serializers.Serializer):
    owing = serializers.IntegerField(help_text=_("Member states on the due date."))
    responded = serializers.IntegerField(help_text=_("States that answered every area owed."))
    reports = serializers.IntegerField()
    nils = serializers.IntegerField()
    missing = serializers.IntegerField(help_text=_("State × area cells with nothing submitted."))
    late = serializers.IntegerField()
    rate = serializers.IntegerField(help_text=_("Response rate: percent of the states owing."))
    sentence = serializers.CharField(
        help_text=_(
            'In words: "3 of 18 member states responded (2 reports, 1 nil return); 1 late".'
        )
    )


class ParticipationTableSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    symbol = serializers.CharField()
    due_on = serializers.DateField()
    areas = AreaColumnSerializer(many=True, help_text=_("The areas owed: the table's columns."))
    rows = ParticipationRowSerializer(many=True, help_text=_("The states owing, by name."))
    progress = ProgressRowSerializer(
        many=True, help_text=_("Progress reports owed by the coordinators.")
    )
    totals = ParticipationTotalsSerializer()


class ReportingCycleParticipation(IdLookupMixin, generics.GenericAPIView):
    """The cycle's participation table: each member state owing against each
    area owed (report, nil return or missing; on time or late), the
    coordinators' progress reports, the totals and the response rate."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ParticipationTableSerializer
    pagination_class = None
    filter_backends: list = []
    not_found_message = _("No reporting cycle with id %(id)s.")

    def get_queryset(self):
        if not may_read_participation(self.request.user):
            return ReportingCycle.objects.none()
        return ReportingCycle.objects.all()

    @extend_schema(
        summary="The participation table of a reporting cycle",
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description=str(_("The reporting cycle's id.")),
            )
        ],
    )
    def get(self, request, pk=None):
        table = participation_table(self.get_object())
        data = asdict(table)
        data["totals"]["sentence"] = totals_sentence(table.totals)
        for row, source in zip(data["rows"], table.rows, strict=True):
            row["late"] = source.late
        return Response(self.get_serializer(data).data)
