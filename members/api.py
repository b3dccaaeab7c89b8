"""Read API of the participant registers (anonymous read allowed)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from cica.api import CodeLookupViewSet

from . import selectors
from .models import (
    Chairmanship,
    Participant,
    ParticipantAlias,
    ParticipantKind,
    Participation,
    ParticipationStatus,
)


def translations_schema(optional: tuple[str, ...] = ()) -> dict:
    """Every language's text; null in the ``optional`` languages when none
    was given (modeltranslation stores an empty optional translation as NULL)."""
    return {
        "type": "object",
        "properties": {
            lang: {"type": "string", "nullable": True} if lang in optional else {"type": "string"}
            for lang in ("en", "fr", "ru")
        },
        "required": ["en", "fr", "ru"],
    }


@extend_schema_field(translations_schema())
class TranslatedNamesField(serializers.Field):
    """``{"en": ..., "fr": ..., "ru": ...}`` for a translated field that every
    language must give (its ``required_languages``)."""

    def __init__(self, field_name: str, **kwargs):
        self.field_name_base = field_name
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        return {lang: getattr(obj, f"{self.field_name_base}_{lang}") for lang in ("en", "fr", "ru")}


@extend_schema_field(translations_schema(optional=("fr", "ru")))
class EnglishFirstNamesField(TranslatedNamesField):
    """The same for a field only English must give (an offer's description)."""


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
