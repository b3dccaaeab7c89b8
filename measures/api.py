"""Read API of the Catalogue (anonymous read allowed)."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from cica.api import CodeChoiceFilter, CodeLookupViewSet
from cica.input import IsoDateTimeFilter
from cica.pagination import PageSizePagination
from implementation.selectors import plan_in_force, plan_in_force_record, plans_in_force_by_measure
from members.api import EnglishFirstNamesField, TranslatedNamesField
from members.models import Participant

from . import selectors
from .api_experts import ExpertViewSet
from .api_initiatives import (
    AdoptedPaperSerializer,
    CoordinatorSerializer,
    InitiativeViewSet,
    PaperViewSet,
)
from .models import (
    AreaAlias,
    CoordinatorOffer,
    CoordinatorRole,
    Initiative,
    Measure,
    OfferScope,
    PriorityArea,
)
from .workflow import Status


class AreaSerializer(serializers.ModelSerializer):
    names = TranslatedNamesField("name")
    measure_count = serializers.IntegerField(read_only=True)
    aliases: serializers.SlugRelatedField[AreaAlias] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

    class Meta:
        model = PriorityArea
        fields = ["code", "name", "names", "order", "measure_count", "aliases"]


class OfferSerializer(serializers.ModelSerializer):
    participant: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    measure: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    area: serializers.SlugRelatedField[PriorityArea] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    descriptions = EnglishFirstNamesField("description")

    class Meta:
        model = CoordinatorOffer
        fields = [
            "id",
            "participant",
            "role",
            "scope",
            "measure",
            "area",
            "description",
            "descriptions",
            "annex_text",
            "order",
        ]


class OfferBriefSerializer(serializers.Serializer):
    """An offer to coordinate, as a measure lists it."""

    participant = serializers.CharField(help_text=_("Code of the offering state."))
    role = serializers.ChoiceField(choices=CoordinatorRole.choices)
    scope = serializers.ChoiceField(choices=OfferScope.choices)


class PlanInForceSerializer(serializers.Serializer):
    """The action plan a measure is being implemented under (issue 17)."""

    id = serializers.IntegerField()
    symbol = serializers.CharField()
    starts_in = serializers.IntegerField()
    ends_in = serializers.IntegerField()
    url = serializers.CharField(help_text=_("Path of the plan in the API (GET)."))
    page = serializers.CharField(help_text=_("Path of the plan's page."))


def _plan_in_force_data(plan) -> dict | None:
    if plan is None:
        return None
    return {
        "id": plan.pk,
        "symbol": plan.symbol,
        "starts_in": plan.starts_in,
        "ends_in": plan.ends_in,
        "url": f"/api/v1/action-plans/{plan.pk}/",
        "page": f"/action-plans/{plan.pk}/",
    }


class MeasureSerializer(serializers.ModelSerializer):
    area: serializers.SlugRelatedField[PriorityArea] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    status = serializers.SerializerMethodField(
        help_text=_("Status of the measure's most advanced initiative; null if none.")
    )
    initiative = serializers.SerializerMethodField(
        help_text=_("Id of that initiative (see /api/v1/initiatives/{id}/).")
    )
    coordinators = serializers.SerializerMethodField(
        help_text=_("States designated to coordinate that initiative.")
    )
    adopted_papers = serializers.SerializerMethodField(
        help_text=_("Concept and working papers the SOC adopted on this measure.")
    )
    titles = TranslatedNamesField("title")
    texts = TranslatedNamesField("text")
    coordinator_offers = serializers.SerializerMethodField(
        help_text=_("Offers naming this measure, and offers of its whole area.")
    )
    action_plan = serializers.SerializerMethodField(
        help_text=_("The approved action plan it is being implemented under; null if none.")
    )

    class Meta:
        model = Measure
        fields = [
            "code",
            "area",
            "number",
            "title",
            "text",
            "titles",
            "texts",
            "status",
            "initiative",
            "coordinators",
            "adopted_papers",
            "coordinator_offers",
            "action_plan",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_status(self, obj) -> str | None:
        lead = selectors.measure_lead_initiative(obj)
        return lead.status if lead else None

    def get_initiative(self, obj) -> int | None:
        lead = selectors.measure_lead_initiative(obj)
        return lead.pk if lead else None

    @extend_schema_field(CoordinatorSerializer(many=True))
    def get_coordinators(self, obj) -> list[dict]:
        lead = selectors.measure_lead_initiative(obj)
        if lead is None:
            return []
        return [
            {"participant": d.participant.code, "role": d.role} for d in lead.designations.all()
        ]

    @extend_schema_field(AdoptedPaperSerializer(many=True))
    def get_adopted_papers(self, obj) -> list[dict]:
        return [
            {"symbol": p.symbol, "kind": p.kind, "download": f"/api/v1/papers/{p.pk}/file/"}
            for p in selectors.measure_adopted_papers(obj)
        ]

    @extend_schema_field(OfferBriefSerializer(many=True))
    def get_coordinator_offers(self, obj) -> list[dict]:
        return [
            {"participant": o.participant.code, "role": o.role, "scope": o.scope}
            for o in selectors.measure_offers(obj)
        ]

    @extend_schema_field(PlanInForceSerializer(allow_null=True))
    def get_action_plan(self, obj) -> dict | None:
        return _plan_in_force_data(plan_in_force(obj))


def measure_list_data(rows: list[dict]) -> list[dict]:
    """A page of :data:`selectors.MEASURE_ROW_FIELDS` rows as
    :class:`MeasureSerializer` shapes it, without per-field serializer
    overhead (issue 8: the list endpoints' throughput).
    tests/api/test_lean_lists.py holds the two equal.

    The related rows are read here, one query each (SQLite; on PostgreSQL
    :func:`selectors.measure_page_row` writes the whole row)."""
    rows = selectors.measure_rows_translate(rows)
    ids = [r["pk"] for r in rows]
    coordinators = selectors.open_designations_by_initiative(
        [r["lead_initiative_id"] for r in rows if r["lead_initiative_id"]]
    )
    papers = selectors.adopted_papers_by_measure(ids)
    offers = selectors.offers_by_measure(rows)
    plans = plans_in_force_by_measure(ids)
    related = [
        (
            coordinators.get(r["lead_initiative_id"], []),
            papers.get(r["pk"], []),
            offers[r["pk"]],
            _plan_in_force_data(plans.get(r["pk"])),
        )
        for r in rows
    ]
    return [
        {
            "code": r["code"],
            "area": r["area__code"],
            "number": r["number"],
            "title": r["title"],
            "text": r["text"],
            "titles": {"en": r["title_en"], "fr": r["title_fr"], "ru": r["title_ru"]},
            "texts": {"en": r["text_en"], "fr": r["text_fr"], "ru": r["text_ru"]},
            "status": r["lead_initiative__status"],
            "initiative": r["lead_initiative_id"],
            "coordinators": coordinators_of,
            "adopted_papers": papers_of,
            "coordinator_offers": offers_of,
            "action_plan": plan_of,
        }
        for r, (coordinators_of, papers_of, offers_of, plan_of) in zip(rows, related, strict=True)
    ]


class MeasureFilter(filters.FilterSet):
    area = CodeChoiceFilter(
        queryset=PriorityArea.objects.all(), help_text=_("Area code, e.g. ECO.")
    )
    coordinator = CodeChoiceFilter(
        queryset=Participant.objects.all(),
        method="filter_coordinator",
        help_text=_("Participant code: measures it offered to coordinate (by name or whole area)."),
    )
    search = filters.CharFilter(
        method="filter_search",
        help_text=_("Code, title or text in English, French or Russian."),
    )
    status = filters.ChoiceFilter(
        choices=Status.choices,
        method="filter_status",
        help_text=_("Measures with an initiative at this status."),
    )
    updated_since = IsoDateTimeFilter(
        method="filter_updated_since",
        help_text=_(
            "Only measures whose initiatives changed at or after this time "
            "(ISO 8601, with an offset: Z or +05:00)."
        ),
    )

    class Meta:
        model = Measure
        fields = ["area", "coordinator", "search", "status", "updated_since"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(pk__in=Initiative.objects.filter(status=value).values("measure_id"))

    def filter_updated_since(self, queryset, name, value):
        changed = Initiative.objects.filter(updated_at__gte=value).values("measure_id")
        return queryset.filter(pk__in=changed)

    def filter_coordinator(self, queryset, name, value):
        return queryset.coordinated_by(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class AreaViewSet(CodeLookupViewSet):
    """Priority areas of the cooperative approach, with their measure counts."""

    serializer_class = AreaSerializer
    not_found_label = "area"
    filterset_fields: list[str] = []

    def get_queryset(self):
        return selectors.area_list()


class MeasureViewSet(CodeLookupViewSet):
    """The Catalogue's numbered measures (ECO-1 … NCT-5)."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    not_found_label = "measure"

    def get_queryset(self):
        return selectors.measure_list_with_status()

    def list(self, request, *args, **kwargs):
        # One base for both (modeltranslation builds a queryset class for
        # each new queryset of a translated model: ~0.2 ms).
        base = selectors.measure_list_base()
        queryset = self.filter_queryset(base)
        paginator = cast(PageSizePagination, self.paginator)
        if selectors.lists_nest_json():
            # The page's rows as PostgreSQL writes them (issue 18): one query
            # besides the count, no decoding and encoding again in Python.
            page = paginator.paginate_json(
                queryset,
                request,
                view=self,
                row=selectors.measure_page_row(*plan_in_force_record()),
                unfiltered=base,
            )
            return self.get_paginated_response(page)
        rows = paginator.paginate_rows(queryset, selectors.MEASURE_ROW_FIELDS, request, view=self)
        return self.get_paginated_response(measure_list_data(rows))


class OfferFilter(filters.FilterSet):
    participant = CodeChoiceFilter(queryset=Participant.objects.all())
    scope = filters.ChoiceFilter(choices=OfferScope.choices)
    role = filters.ChoiceFilter(choices=CoordinatorRole.choices)

    class Meta:
        model = CoordinatorOffer
        fields = ["participant", "scope", "role"]


class CoordinatorOfferViewSet(viewsets.ReadOnlyModelViewSet):
    """States' offers to coordinate measures (annex of the cooperative approach)."""

    serializer_class = OfferSerializer
    filterset_class = OfferFilter

    def get_queryset(self):
        return selectors.offer_list()


router = SimpleRouter()
router.register("experts", ExpertViewSet, basename="expert")
router.register("areas", AreaViewSet, basename="area")
router.register("measures", MeasureViewSet, basename="measure")
router.register("coordinator-offers", CoordinatorOfferViewSet, basename="coordinator-offer")
router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register("papers", PaperViewSet, basename="paper")
urlpatterns = router.urls
