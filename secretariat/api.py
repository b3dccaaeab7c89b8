"""API of meetings and decisions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cica.api import CodeChoiceFilter, IdLookupMixin
from cica.input import IdFilter
from cica.pagination import GrowingListPagination
from measures.api_initiatives import SilenceCirculationSerializer
from measures.models import Expert, Initiative, Measure, Paper
from measures.selectors import can_see_internals
from measures.workflow import Outcome
from members.models import Participant

from . import services
from .api_circulations import CirculationViewSet, NotificationViewSet
from .api_information import InformationViewSet
from .models import DECISION_BODY_CHOICES, Body, Decision, Meeting


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "10:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time at the venue, ``HH:MM``, with no offset: the
    meeting's ``time_zone`` places it (OpenAPI's ``format: time`` would ask
    for an offset, which a time of day in a zone with summer time cannot have)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class MeetingSerializer(serializers.ModelSerializer):
    start_time = LocalTimeField(
        allow_null=True, required=False, help_text=_("Local time at the venue, if known.")
    )
    end_time = LocalTimeField(
        allow_null=True,
        required=False,
        help_text=_("Local time at the venue, on the same day; only with a start time."),
    )
    host: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", queryset=Participant.objects.all(), allow_null=True, required=False
    )
    present: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", queryset=Participant.objects.all(), many=True, required=False
    )
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", queryset=Measure.objects.all(), allow_null=True, required=False
    )
    experts = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(), many=True, required=False
    )
    working_papers = serializers.SerializerMethodField(
        help_text=_("Initiatives whose experts this specialised meeting charged.")
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "title",
            "date",
            "start_time",
            "end_time",
            "time_zone",
            "cancelled",
            "place",
            "host",
            "present",
            "measure",
            "experts",
            "working_papers",
            "sequence",
            "updated_at",
        ]
        # Cancelling is a change to a scheduled meeting (the admin, through
        # services.meeting_update); the revision and its time are the calendar's.
        read_only_fields = ["cancelled", "sequence", "updated_at"]

    def get_working_papers(self, obj) -> list[int]:
        return sorted(i.pk for i in obj.charged_initiatives.all())


class AttendanceInput(serializers.Serializer):
    present: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Participant.objects.all(),
        many=True,
        help_text=_(
            "Codes of every participant present (the whole list: it replaces the one recorded)."
        ),
    )

    def to_internal_value(self, data):
        if hasattr(data, "get") and isinstance(data.get("present"), list):
            data = {
                **data,
                "present": [
                    c.strip().upper() if isinstance(c, str) else c for c in data["present"]
                ],
            }
        return super().to_internal_value(data)


class DecisionSerializer(serializers.ModelSerializer):
    meeting: serializers.PrimaryKeyRelatedField[Meeting] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    silence_circulation = SilenceCirculationSerializer(
        source="adopted_under",
        read_only=True,
        allow_null=True,
        help_text=_("The draft decision's circulation, for a decision adopted by silence."),
    )
    initiative: serializers.PrimaryKeyRelatedField[Initiative] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    measure = serializers.CharField(source="initiative.measure.code", read_only=True)
    paper: serializers.SlugRelatedField[Paper] = serializers.SlugRelatedField(
        slug_field="symbol", read_only=True, allow_null=True
    )
    objecting = serializers.SerializerMethodField(
        help_text=_("Member states that objected; shown to staff and member states only.")
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "symbol",
            "body",
            "procedure",
            "meeting",
            "silence_circulation",
            "initiative",
            "measure",
            "paper",
            "outcome",
            "text",
            "objecting",
            "recorded_at",
        ]

    def get_objecting(self, obj) -> list[str] | None:
        if not self.context.get("internals"):
            return None
        return sorted(p.code for p in obj.objecting.all())


class MeetingFilter(filters.FilterSet):
    body = filters.ChoiceFilter(choices=Body.choices)
    host = CodeChoiceFilter(queryset=Participant.objects.all())
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["body", "host", "date_from", "date_to"]


class MeetingViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """SWG, SOC, specialised and ministerial meetings. The secretariat creates them."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    not_found_message = _("No meeting with id %(id)s.")

    def get_queryset(self):
        return Meeting.objects.select_related("host", "measure").prefetch_related(
            "present", "experts", "charged_initiatives"
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, **serializer.validated_data)
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AttendanceInput,
        responses={
            200: MeetingSerializer,
            400: OpenApiResponse(description="Bad input (field messages)."),
            403: OpenApiResponse(description="Only the secretariat records attendance."),
            404: OpenApiResponse(description="No such meeting."),
            409: OpenApiResponse(
                description="A state that objected to a decision taken there stays present."
            ),
        },
        summary="Record or correct who was present at the meeting (the secretariat)",
    )
    @action(detail=True, methods=["put"], url_path="attendance")
    def attendance(self, request, pk=None):
        """Replace the list of participants present; the meeting's history keeps each change."""
        meeting = self.get_object()
        serializer = AttendanceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.meeting_set_present(
            actor=request.user, meeting=meeting, present=serializer.validated_data["present"]
        )
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(meeting).data)


class DecisionFilter(filters.FilterSet):
    body = filters.ChoiceFilter(choices=DECISION_BODY_CHOICES)
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    measure = filters.CharFilter(field_name="initiative__measure__code", lookup_expr="iexact")
    initiative = IdFilter(field_name="initiative_id")

    class Meta:
        model = Decision
        fields = ["body", "outcome", "measure", "initiative"]


class DecisionViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Decisions of the SWG and the SOC. Recorded through the initiative actions."""

    serializer_class = DecisionSerializer
    pagination_class = GrowingListPagination
    filterset_class = DecisionFilter
    not_found_message = _("No decision with id %(id)s.")

    def get_queryset(self):
        return Decision.objects.select_related(
            "initiative__measure", "paper", "silence_circulation"
        ).prefetch_related("objecting")

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        context["internals"] = can_see_internals(self.request.user)
        return context


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("circulations", CirculationViewSet, basename="circulation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("information", InformationViewSet, basename="information")
urlpatterns = router.urls
