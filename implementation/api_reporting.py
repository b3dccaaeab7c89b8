"""API of annual implementation reporting (issue 17 items 3 and 6): the
cycles the secretariat opens and closes, and the returns the states file —
drafts, submissions, nil returns, corrections and their versions,
attachments. Thin: every rule is in :mod:`implementation.services.reporting`;
who reads which return is :func:`implementation.selectors.returns_visible`."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cica.api import CodeChoiceFilter, CodeRelatedField, IdLookupMixin
from cica.errors import Forbidden, NotFound
from cica.input import parsers_for
from cica.uploads import DOCUMENT_MEDIA_TYPES, stored_download
from measures.models import Measure, PriorityArea
from members.models import Participant
from secretariat.api_information import YearFilter

from .models import (
    Activity,
    ReportingCycle,
    Return,
    ReturnAttachment,
    ReturnKind,
    ReturnStatus,
    ReturnVersion,
    Visibility,
)
from .selectors import returns_visible
from .services import reporting as services

# --- reporting cycles -----------------------------------------------------------------


class CycleCountsSerializer(serializers.Serializer):
    owed = serializers.IntegerField(help_text=_("Returns owed: member states × areas covered."))
    reports = serializers.IntegerField(help_text=_("National reports submitted."))
    nil = serializers.IntegerField(help_text=_("Nil returns submitted."))
    missing = serializers.IntegerField(help_text=_("Returns owed and not submitted."))
    late = serializers.IntegerField(help_text=_("Returns first submitted after the due date."))
    progress_owed = serializers.IntegerField(
        help_text=_("Progress reports owed by coordinators of covered measures.")
    )
    progress = serializers.IntegerField(help_text=_("Progress reports submitted."))


class ReportingCycleSerializer(serializers.ModelSerializer):
    areas = serializers.SerializerMethodField(
        help_text=_("The priority areas owed: those covered and those of the measures covered.")
    )
    measures = serializers.SerializerMethodField(
        help_text=_("Every measure the cycle covers (named, or in an area covered).")
    )
    counts = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ReportingCycle
        fields = [
            "id",
            "year",
            "symbol",
            "due_on",
            "reminder_days",
            "areas",
            "measures",
            "is_open",
            "opened_at",
            "closed_at",
            "counts",
        ]

    def get_areas(self, obj) -> list[str]:
        return [a.code for a in services.cycle_areas(obj)]

    def get_measures(self, obj) -> list[str]:
        return [m.code for m in services.cycle_measures(obj)]

    def get_is_open(self, obj) -> bool:
        return obj.closed_at is None

    @extend_schema_field(CycleCountsSerializer)
    def get_counts(self, obj) -> dict[str, int]:
        summary = services.cycle_summary(obj)
        owed = len(services.states_owing(obj)) * len(services.cycle_areas(obj))
        return {
            "owed": owed,
            "reports": len(summary["reports"]),
            "nil": len(summary["nil"]),
            "missing": owed - len(summary["reports"]) - len(summary["nil"]),
            "late": len(summary["late"]),
            "progress_owed": len(services.progress_owed(obj)),
            "progress": len(summary["progress"]),
        }


class ReportingCycleListSerializer(serializers.ModelSerializer):
    """A cycle in the list: its areas and measures from what is prefetched,
    no counts (the detail has them): a page costs the same whatever its size."""

    areas = serializers.SerializerMethodField(
        help_text=_("The priority areas owed: those covered and those of the measures covered.")
    )
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ReportingCycle
        fields = ["id", "year", "symbol", "due_on", "areas", "is_open", "opened_at", "closed_at"]

    def get_areas(self, obj) -> list[str]:
        areas = {a.pk: a for a in obj.areas.all()}
        areas.update({m.area.pk: m.area for m in obj.measures.all()})
        return [a.code for a in sorted(areas.values(), key=lambda a: (a.order, a.code))]

    def get_is_open(self, obj) -> bool:
        return obj.closed_at is None


class CycleInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2200)
    due_on = serializers.DateField()
    areas = CodeRelatedField(
        queryset=PriorityArea.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=_("Codes of the priority areas covered (ECO, ENV, HUM, NCT)."),
    )
    measures = CodeRelatedField(
        queryset=Measure.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=_("Codes of measures covered besides whole areas (ECO-4...)."),
    )
    reminder_days = serializers.IntegerField(min_value=1, max_value=180, default=14)


class ReportingCycleViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The annual reporting cycles: which year, due when, on what. Public
    reads; the secretariat opens and closes them."""

    serializer_class = ReportingCycleSerializer
    not_found_message = _("No reporting cycle %(id)s.")
    filter_backends: list = []

    def get_queryset(self):
        return ReportingCycle.objects.prefetch_related("areas", "measures__area").order_by("-year")

    def get_serializer_class(self):
        if self.action == "list":
            return ReportingCycleListSerializer
        return ReportingCycleSerializer

    def _detail(self, cycle, code=status.HTTP_200_OK):
        return Response(
            ReportingCycleSerializer(self.get_queryset().get(pk=cycle.pk)).data, status=code
        )

    @extend_schema(
        request=CycleInput,
        responses={201: ReportingCycleSerializer},
        summary="Open a year's reporting cycle (the secretariat)",
    )
    def create(self, request, *args, **kwargs):
        data = CycleInput(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.cycle_open(actor=request.user, **data.validated_data)
        return self._detail(cycle, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ReportingCycleSerializer},
        summary="Close a reporting cycle (the secretariat)",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        cycle = self.get_object()
        services.cycle_close(actor=request.user, cycle=cycle)
        return self._detail(cycle)


# --- returns --------------------------------------------------------------------------


class ReturnAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=DOCUMENT_MEDIA_TYPES)
    size = serializers.IntegerField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return f"/api/v1/returns/{obj.ret_id}/attachments/{obj.pk}/"


class ReturnSerializer(serializers.ModelSerializer):
    cycle = serializers.IntegerField(source="cycle_id")
    year = serializers.IntegerField(source="cycle.year")
    symbol = serializers.CharField(source="cycle.symbol")
    participant = serializers.CharField(source="participant.code")
    area: serializers.SlugRelatedField[PriorityArea] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    measures: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    activities: serializers.PrimaryKeyRelatedField[Activity] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    late = serializers.SerializerMethodField(
        help_text=_("First submitted after the cycle's due date.")
    )
    attachments = ReturnAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = [
            "id",
            "cycle",
            "year",
            "symbol",
            "participant",
            "kind",
            "area",
            "measure",
            "measures",
            "activities",
            "text",
            "visibility",
            "status",
            "version",
            "late",
            "first_submitted_at",
            "submitted_at",
            "created_at",
            "updated_at",
            "attachments",
        ]

    def get_late(self, obj) -> bool:
        return services.return_is_late(obj)


class ReturnVersionSerializer(serializers.ModelSerializer):
    measures = serializers.ListField(child=serializers.CharField(), source="measure_codes")
    activities = serializers.ListField(child=serializers.IntegerField(), source="activity_ids")

    class Meta:
        model = ReturnVersion
        fields = [
            "version",
            "kind",
            "text",
            "visibility",
            "measures",
            "activities",
            "note",
            "submitted_at",
        ]


# A national report is a few pages; far more is a mistake or an attack.
TEXT_LIMIT = 200_000


def _measures_field(**kwargs):
    return CodeRelatedField(
        queryset=Measure.objects.all(),
        many=True,
        help_text=_("Codes of the measures the report concerns."),
        **kwargs,
    )


def _activities_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(),
        many=True,
        help_text=_("Ids of activities of the register the state took part in or hosted."),
        **kwargs,
    )


class ReturnCreateInput(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=ReportingCycle.objects.all())
    participant = CodeRelatedField(
        queryset=Participant.objects.all(), help_text=_("Your state's code (KAZ...).")
    )
    kind = serializers.ChoiceField(choices=ReturnKind.choices)
    area = CodeRelatedField(
        queryset=PriorityArea.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For a national report or a nil return: the priority area (ECO...)."),
    )
    measure = CodeRelatedField(
        queryset=Measure.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For a progress report: the measure coordinated (ECO-4...)."),
    )
    text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_LIMIT
    )
    measures = _measures_field(required=False, default=list)
    activities = _activities_field(required=False, default=list)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, default=Visibility.MEMBERS_AND_OBSERVERS
    )


class ReturnPatch(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReturnKind.choices, required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    measures = _measures_field(required=False)
    activities = _activities_field(required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class CorrectInput(ReturnPatch):
    note = serializers.CharField(
        max_length=2000, help_text=_("What the correction changes (kept with the version).")
    )


class NilInput(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=ReportingCycle.objects.all())
    participant = CodeRelatedField(
        queryset=Participant.objects.all(), help_text=_("Your state's code (KAZ...).")
    )
    area = CodeRelatedField(
        queryset=PriorityArea.objects.all(), help_text=_("The priority area (ECO...).")
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(help_text=_("A PDF, DOCX or ODT document."))


class ReturnFilter(filters.FilterSet):
    cycle = filters.NumberFilter(field_name="cycle_id", min_value=1, max_value=2**31 - 1)
    year = YearFilter(
        field_name="cycle__year",
        min_value=1,
        max_value=9999,
        help_text=_("The cycle's year, e.g. 2027."),
    )
    participant = CodeChoiceFilter(queryset=Participant.objects.all())
    area = CodeChoiceFilter(queryset=PriorityArea.objects.all())
    measure = CodeChoiceFilter(
        queryset=Measure.objects.all(),
        method="filter_measure",
        help_text=_("A progress report on the measure, or a report concerning it."),
    )
    kind = filters.ChoiceFilter(choices=ReturnKind.choices)
    status = filters.ChoiceFilter(choices=ReturnStatus.choices)
    late = filters.BooleanFilter(
        method="filter_late", help_text=_("First submitted after the cycle's due date.")
    )

    class Meta:
        model = Return
        fields = ["cycle", "year", "participant", "area", "measure", "kind", "status", "late"]

    def filter_measure(self, queryset, name, value):
        return queryset.filter(Q(measure=value) | Q(measures=value)).distinct()

    def filter_late(self, queryset, name, value):
        # services.return_is_late's rule, in the database: the first
        # submission's date (in the site's time zone) after the due date.
        late = Q(first_submitted_at__date__gt=F("cycle__due_on"))
        return queryset.filter(late) if value else queryset.exclude(late)


def _schema(request, summary, code=200, response=None):
    return extend_schema(
        request=request, responses={code: response or ReturnSerializer}, summary=summary
    )


class ReturnViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The returns filed for the reporting cycles: national implementation
    reports and nil returns per priority area, progress reports per measure.
    A draft is read only by its state and the secretariat (404 to others)."""

    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    not_found_message = _("No return %(id)s visible to you.")

    def get_queryset(self):
        return (
            returns_visible(self.request.user)
            .prefetch_related("measures", "activities", "attachments")
            .order_by("cycle__year", "participant__code", "kind", "pk")
        )

    def get_parsers(self):
        # An attachment is multipart; every other body JSON (as information's).
        action_name = getattr(self, "action", None)
        if action_name is None and self.request is not None:
            action_name = getattr(self, "action_map", {}).get((self.request.method or "").lower())
        if action_name == "attachments":
            return [parser() for parser in parsers_for(AttachmentInput)]
        return super().get_parsers()

    def _detail(self, ret, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=ret.pk)
        return Response(ReturnSerializer(fresh).data, status=code)

    @_schema(
        ReturnCreateInput,
        "Start a draft return (national report, nil return or progress report)",
        201,
    )
    def create(self, request, *args, **kwargs):
        data = ReturnCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        ret = services.return_save(actor=request.user, **data.validated_data)
        return self._detail(ret, status.HTTP_201_CREATED)

    @_schema(ReturnPatch, "Change a draft return")
    def partial_update(self, request, pk=None):
        ret = self.get_object()
        data = ReturnPatch(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        saved = services.return_save(
            actor=request.user,
            cycle=ret.cycle,
            participant=ret.participant,
            kind=given.get("kind", ret.kind),
            area=ret.area,
            measure=ret.measure,
            text=given.get("text", ret.text),
            measures=given.get("measures"),
            activities=given.get("activities"),
            visibility=given.get("visibility", ret.visibility),
        )
        return self._detail(saved)

    @_schema(None, "Submit a draft return (it becomes version 1)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        ret = services.return_submit(actor=request.user, ret=self.get_object())
        return self._detail(ret)

    @_schema(CorrectInput, "Correct a submitted return (a new version, with a note)")
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        ret = self.get_object()
        data = CorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        ret = services.return_correct(actor=request.user, ret=ret, **data.validated_data)
        return self._detail(ret)

    @extend_schema(responses=ReturnVersionSerializer(many=True))
    # One return's versions, never paginated nor filtered.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        """Every submitted version, the first (1) first, each correction with its note."""
        ret = self.get_object()
        rows = ReturnVersion.objects.filter(ret=ret).order_by("version")
        return Response(ReturnVersionSerializer(rows, many=True).data)

    @_schema(NilInput, "File a nil return: nothing to report for this period (one call)", 201)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def nil(self, request):
        data = NilInput(data=request.data)
        data.is_valid(raise_exception=True)
        ret = services.return_nil(actor=request.user, **data.validated_data)
        return self._detail(ret, status.HTTP_201_CREATED)

    @_schema(AttachmentInput, "Attach a document to a draft return (multipart)", 201)
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        ret = self.get_object()
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.return_attach(actor=request.user, ret=ret, file=data.validated_data["file"])
        return self._detail(ret, status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")}
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """An attachment, to those who may read the return, as a download."""
        ret = self.get_object()
        attachment = ReturnAttachment.objects.filter(ret=ret, pk=attachment_id).first()
        if attachment is None:
            raise NotFound(_("No such attachment."))
        if not attachment.file:
            raise Forbidden(_("The file is not available."))
        return stored_download(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
