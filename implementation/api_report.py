"""API of the consolidated report (issue 17 item 5): a cycle's report as JSON,
as the caller may read it (the same reading as the page and the PDF)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.response import Response

from cica.api import IdLookupMixin

from .consolidated import consolidated_report, report_refusal
from .models import ActivityKind, ActivityStatus, ReportingCycle

ANSWERS = [("report", "report"), ("nil", "nil"), ("missing", "missing")]


class ReportPlanSerializer(serializers.Serializer):
    """The action plan in force in the cycle's year."""

    symbol = serializers.CharField(help_text=_("The plan's symbol, e.g. CICA/AP/ECO-4/1."))
    starts_in = serializers.IntegerField(help_text=_("First year the plan covers."))
    ends_in = serializers.IntegerField(help_text=_("Last year the plan covers."))


class ReportActivitySerializer(serializers.Serializer):
    """An activity held in the cycle's year, visible to the caller."""

    id = serializers.IntegerField()
    title = serializers.CharField(help_text=_("In the request's language, else the first given."))
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    kind_label = serializers.CharField()
    host = serializers.CharField(help_text=_("The host state's code."))
    host_name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    venue = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (ActivityStatus.HELD, ActivityStatus.REPORT_FILED)]
    )
    status_label = serializers.CharField()


class ReportReturnSerializer(serializers.Serializer):
    """A submitted return (national or progress report), visible to the caller."""

    id = serializers.IntegerField()
    state = serializers.CharField(help_text=_("The filing state's code."))
    state_name = serializers.CharField()
    text = serializers.CharField(allow_blank=True, help_text=_("The submitted text."))
    version = serializers.IntegerField(help_text=_("1 as submitted; more after corrections."))
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField(help_text=_("First submitted after the due date."))


class ReportNilReturnSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_name = serializers.CharField()
    late = serializers.BooleanField()


class ReportMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    plan = ReportPlanSerializer(allow_null=True, help_text=_("null: no plan in force."))
    activities = ReportActivitySerializer(many=True)
    progress_reports = ReportReturnSerializer(many=True)


class ReportAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    measures = ReportMeasureSerializer(many=True)
    national_reports = ReportReturnSerializer(many=True)
    nil_returns = ReportNilReturnSerializer(many=True)


class ReportParticipationCellSerializer(serializers.Serializer):
    area = serializers.CharField()
    answer = serializers.ChoiceField(
        choices=ANSWERS, help_text=_("A national report, a nil return, or nothing submitted.")
    )
    late = serializers.BooleanField()


class ReportParticipationRowSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_name = serializers.CharField()
    cells = ReportParticipationCellSerializer(many=True)
    responded = serializers.BooleanField()


class ReportParticipationSerializer(serializers.Serializer):
    """State × area; every member state on the due date owes a return per area."""

    areas = serializers.ListField(child=serializers.CharField())
    rows = ReportParticipationRowSerializer(many=True)
    owed = serializers.IntegerField(help_text=_("States owing returns."))
    responded = serializers.IntegerField(help_text=_("States that submitted at least one."))
    reports = serializers.IntegerField()
    nil_returns = serializers.IntegerField()
    rate = serializers.FloatField(help_text=_("responded / owed, from 0 to 1."))


class ConsolidatedReportSerializer(serializers.Serializer):
    """The consolidated report of a cycle, as the caller may read it: no draft,
    no item outside the caller's visibility. No generation time here (the page
    and the PDF print one): the same report keeps its ETag, for 304s."""

    symbol = serializers.CharField(help_text=_("The report's symbol, e.g. CICA/IMPL/2027."))
    year = serializers.IntegerField()
    due_on = serializers.DateField()
    closed = serializers.BooleanField()
    language = serializers.CharField()
    areas = ReportAreaSerializer(many=True)
    participation = ReportParticipationSerializer()


class CycleReportView(IdLookupMixin, generics.GenericAPIView):
    """A cycle's consolidated report as JSON. Signed-in callers get what they
    may see; without signing in, only the public version of a closed cycle
    (401 while the cycle is open)."""

    queryset = ReportingCycle.objects.all()
    not_found_message = _("No reporting cycle with id %(id)s.")
    serializer_class = ConsolidatedReportSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="v1_reporting_cycles_report_retrieve",
        summary=str(_("The cycle's consolidated report")),
        responses={200: ConsolidatedReportSerializer},
    )
    def get(self, request, pk: int):
        cycle = self.get_object()
        refusal = report_refusal(cycle=cycle, user=request.user)
        if refusal is not None:
            raise exceptions.NotAuthenticated(str(refusal))
        report = consolidated_report(cycle=cycle, user=request.user)
        return Response(self.get_serializer(report).data)
