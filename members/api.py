"""Read API of the participant registers (anonymous read allowed)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cica.api import CodeChoiceFilter, CodeLookupViewSet, IdLookupMixin
from measures.models import Measure

from . import selectors, services
from .models import (
    Chairmanship,
    Expert,
    Participant,
    ParticipantAlias,
    ParticipantKind,
    Participation,
    ParticipationStatus,
)
from .rules import can_see_expert_contact


@extend_schema_field(
    {
        "type": "object",
        "properties": {lang: {"type": "string"} for lang in ("en", "fr", "ru")},
        "required": ["en", "fr", "ru"],
    }
)
class TranslatedNamesField(serializers.Field):
    """``{"en": ..., "fr": ..., "ru": ...}`` for a translated field."""

    def __init__(self, field_name: str, **kwargs):
        self.field_name_base = field_name
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return {lang: getattr(obj, f"{self.field_name_base}_{lang}") for lang in ("en", "fr", "ru")}


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParticipantAlias
        fields = ["name", "language"]


class ParticipationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participation
        fields = ["status", "started_on", "ended_on", "source"]


class ParticipantSerializer(serializers.ModelSerializer):
    names = TranslatedNamesField("name")
    status = serializers.ChoiceField(
        choices=ParticipationStatus.choices,
        source="current_status",
        read_only=True,
        allow_null=True,
        help_text=_("Status today, derived from the participation history."),
    )
    aliases = AliasSerializer(many=True, read_only=True)
    participation = ParticipationSerializer(source="participations", many=True, read_only=True)

    class Meta:
        model = Participant
        fields = ["code", "kind", "name", "names", "status", "aliases", "participation"]


class ParticipantFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        choices=ParticipationStatus.choices,
        method="filter_status",
        help_text=_("Status today: member or observer."),
    )
    kind = filters.ChoiceFilter(choices=ParticipantKind.choices)
    search = filters.CharFilter(
        method="filter_search",
        help_text=_("Any name (English, French, Russian), alias or code."),
    )

    class Meta:
        model = Participant
        fields = ["status", "kind", "search"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status_in(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class ParticipantViewSet(CodeLookupViewSet):
    """Member states, observer states and observer organisations."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    not_found_label = "participant"

    def get_queryset(self):
        return selectors.participant_list()


class ChairmanshipSerializer(serializers.ModelSerializer):
    participant: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Chairmanship
        fields = ["participant", "started_on", "ended_on", "source"]


class ChairmanshipViewSet(viewsets.ReadOnlyModelViewSet):
    """Who chairs CICA, and when (chairs rotate)."""

    serializer_class = ChairmanshipSerializer
    queryset = Chairmanship.objects.select_related("participant").order_by("-started_on")
    filterset_fields: list[str] = []


router = SimpleRouter()
router.register("participants", ParticipantViewSet, basename="participant")
router.register("chairmanships", ChairmanshipViewSet, basename="chairmanship")
urlpatterns = router.urls


# --- experts (modality (b)) ------------------------------------------------------


class ExpertSerializer(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.code", read_only=True)
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", queryset=Measure.objects.all()
    )
    contact = serializers.SerializerMethodField(
        help_text=_("Shown to the secretariat and the designating state only.")
    )

    class Meta:
        model = Expert
        fields = [
            "id",
            "participant",
            "measure",
            "name",
            "contact",
            "expertise",
            "languages",
            "started_on",
            "ended_on",
        ]

    def get_contact(self, obj) -> str | None:
        user = self.context["request"].user
        return obj.contact if can_see_expert_contact(user, obj) else None


class ExpertInput(serializers.Serializer):
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", queryset=Measure.objects.all()
    )
    name = serializers.CharField(max_length=200)
    contact = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    expertise = serializers.CharField(required=False, allow_blank=True, default="")
    languages = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    started_on = serializers.DateField(required=False, default=None)
    ended_on = serializers.DateField(required=False, default=None)

    def to_internal_value(self, data):
        if hasattr(data, "get") and isinstance(data.get("measure"), str):
            data = data.copy()
            data["measure"] = data["measure"].strip().upper()
        return super().to_internal_value(data)


class ExpertFilter(filters.FilterSet):
    measure = CodeChoiceFilter(queryset=Measure.objects.all())
    participant = CodeChoiceFilter(queryset=Participant.objects.all())
    active = filters.BooleanFilter(method="filter_active")

    class Meta:
        model = Expert
        fields = ["measure", "participant", "active"]

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        return queryset.filter(active) if value else queryset.exclude(active)


class ExpertViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The expert roster. A member state's delegate designates experts for
    their state; contact details are for the secretariat and that state."""

    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    not_found_message = _("No expert with id %(id)s.")

    def get_queryset(self):
        return Expert.objects.select_related("participant", "measure")

    @extend_schema(request=ExpertInput, responses={201: ExpertSerializer})
    def create(self, request, *args, **kwargs):
        data = ExpertInput(data=request.data)
        data.is_valid(raise_exception=True)
        expert = services.expert_designate(actor=request.user, **data.validated_data)
        return Response(
            ExpertSerializer(expert, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: ExpertSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the designation today (the designating state or the secretariat)."""
        expert = services.expert_end(actor=request.user, expert=self.get_object())
        return Response(ExpertSerializer(expert, context=self.get_serializer_context()).data)


router.register("experts", ExpertViewSet, basename="expert")
urlpatterns = router.urls
