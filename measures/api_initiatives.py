"""API of initiatives: read what one may see, and one POST per action.

Every action calls its service through the action registry; a refusal
there (403 not allowed, 409 not now, 400 bad input) reaches the client with
its message through ``cica.errors.api_exception_handler``.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from cica.api import CodeChoiceFilter, IdLookupMixin
from cica.errors import NotFound
from cica.input import IsoDateTimeFilter, as_id, parsers_for
from cica.pagination import PageSizePagination
from cica.uploads import DOCUMENT_MEDIA_TYPES, stored_download
from members.models import Participant

from . import actions, selectors, services
from .inputs import DeclareInterestInput
from .models import (
    DesignationRole,
    Initiative,
    Measure,
    Modality,
    Paper,
    PaperKind,
    PriorityArea,
)
from .workflow import EVENT_CHOICES, Action, Outcome, Status, TimelineEvent

# --- read serializers ------------------------------------------------------------


class CoordinatorSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    role = serializers.ChoiceField(choices=DesignationRole.choices)


class DesignationSerializer(CoordinatorSerializer):
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class DeclarationSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    declared_on = serializers.DateField()
    volunteers_as_coordinator = serializers.BooleanField()
    statement = serializers.SerializerMethodField()

    def get_statement(self, obj) -> str | None:
        return obj.statement if self.context.get("internals") else None


class AdoptedPaperSerializer(serializers.Serializer):
    """A paper the SOC adopted, as a measure lists it."""

    symbol = serializers.CharField()
    kind = serializers.ChoiceField(choices=PaperKind.choices)
    download = serializers.CharField(help_text=_("Path of the file (GET)."))


class ResponsibleExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    participant = serializers.CharField(help_text=_("Code of the expert's state."))


class PaperSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    kind = serializers.ChoiceField(choices=PaperKind.choices)
    version = serializers.IntegerField()
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    original_name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=DOCUMENT_MEDIA_TYPES)
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    submitted_for = serializers.CharField(source="submitted_for.code", allow_null=True)
    submitted_at = serializers.DateTimeField()
    circulated = serializers.BooleanField(source="was_circulated")
    adopted = serializers.BooleanField(source="was_adopted")
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return f"/api/v1/papers/{obj.pk}/file/"


def _choices(relation: str, field: str) -> list[tuple[str, Any]]:
    """The choices of a field of a model that an app above measures declares on
    initiatives (secretariat's decisions and circulations), read through the
    ORM's relation: measures never imports the app above it."""
    related = Initiative._meta.get_field(relation).related_model
    assert isinstance(related, type)  # a model class, once the apps are loaded
    model_field = related._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # a column, not a relation
    return list(model_field.flatchoices)


# The bodies that take decisions on initiatives (initiative_record_decision
# refuses any other): the decision's own field allows every body.
DECISION_BODIES = ("swg", "soc")


def _decision_body_choices() -> list[tuple[str, Any]]:
    return [(v, label) for v, label in _choices("decisions", "body") if v in DECISION_BODIES]


class SilenceCirculationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/api/v1/circulations/{obj.pk}/"


class DecisionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    body = serializers.ChoiceField(choices=_decision_body_choices())
    procedure = serializers.ChoiceField(
        choices=_choices("decisions", "procedure"),
        help_text=_("At a meeting, or adopted by silence procedure (no meeting)."),
    )
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    meeting_date = serializers.DateField(source="meeting.date", allow_null=True)
    silence_circulation = SilenceCirculationSerializer(
        source="adopted_under",
        allow_null=True,
        help_text=_("The draft decision's circulation, for a decision adopted by silence."),
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = serializers.CharField()
    objecting = serializers.SerializerMethodField(
        help_text=_("Member states that objected; shown to staff and member states only.")
    )
    recorded_at = serializers.DateTimeField()

    def get_objecting(self, obj) -> list[str] | None:
        if not self.context.get("internals"):
            return None
        return sorted(p.code for p in obj.objecting.all())


class CirculationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=_choices("circulations", "kind"))
    paper = serializers.CharField(source="paper.symbol", allow_null=True)
    audience = serializers.ChoiceField(choices=_choices("circulations", "audience"))
    deadline = serializers.DateField(allow_null=True)
    circulated_at = serializers.DateTimeField()
    silence_status = serializers.ChoiceField(
        choices=_choices("circulations", "silence_status"), allow_blank=True
    )


# Whose objection broke a silence is a position: staff and member states see it.
PRIVATE_EVENTS = frozenset({TimelineEvent.SILENCE_BROKEN})


class ChargedExpertSerializer(serializers.Serializer):
    name = serializers.CharField()
    participant = serializers.CharField(help_text=_("Code of the expert's state."))


class EventDetailsSerializer(serializers.Serializer):
    """What an event records besides its status change: each action writes
    some of these (none of them is always there). Written by the services
    in measures.services.initiatives, secretariat.services.initiative_actions
    and secretariat.services.silence."""

    participant = serializers.CharField(
        required=False, help_text=_("declare_interest: the declaring state's code.")
    )
    volunteers = serializers.BooleanField(
        required=False, help_text=_("declare_interest: it volunteers as coordinator.")
    )
    designations = CoordinatorSerializer(
        many=True, required=False, help_text=_("designate_coordinators: the states designated.")
    )
    started_on = serializers.DateField(
        required=False, help_text=_("designate_coordinators: when the designations start.")
    )
    meeting = serializers.IntegerField(
        required=False, help_text=_("charge_experts: id of the specialised meeting.")
    )
    experts = ChargedExpertSerializer(
        many=True, required=False, help_text=_("charge_experts: the experts charged.")
    )
    paper = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=_(
            "submit_paper, circulate, record_*_decision: symbol of the paper "
            "(null if a decision concerned none)."
        ),
    )
    version = serializers.IntegerField(
        required=False, help_text=_("submit_paper: the paper's version.")
    )
    circulation = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=_(
            "circulate, refer_to_swg, silence_*, a decision adopted by silence: "
            "reference of the circulation (null if none was found)."
        ),
    )
    deadline = serializers.DateField(
        required=False, help_text=_("circulate, silence_started: the comment deadline.")
    )
    decision = serializers.CharField(
        required=False, help_text=_("record_*_decision, silence_closed: the decision's symbol.")
    )
    decision_id = serializers.IntegerField(
        required=False, help_text=_("record_*_decision: id of the decision.")
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, help_text=_("record_*_decision: its outcome.")
    )
    procedure = serializers.ChoiceField(
        choices=_choices("decisions", "procedure"),
        required=False,
        help_text=_("record_*_decision: 'silence' for a decision adopted by silence procedure."),
    )
    body = serializers.ChoiceField(
        choices=_decision_body_choices(),
        required=False,
        help_text=_("silence_started, silence_closed: the deciding body."),
    )


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=EVENT_CHOICES)
    from_status = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        help_text=_("Empty for the event that started the initiative."),
    )
    to_status = serializers.ChoiceField(choices=Status.choices)
    acting_for = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField(
        help_text=_("What the action recorded besides the status change (see each property).")
    )
    created_at = serializers.DateTimeField()

    def get_acting_for(self, obj) -> str | None:
        if obj.acting_for is None:
            return None
        if obj.action in PRIVATE_EVENTS and not self.context.get("internals"):
            return None
        return obj.acting_for.code

    def get_actor(self, obj) -> str | None:
        if not self.context.get("internals") or obj.actor is None:
            return None
        return obj.actor.get_username()

    def get_reason(self, obj) -> str | None:
        return obj.reason if self.context.get("internals") else None

    @extend_schema_field(EventDetailsSerializer)
    def get_details(self, obj) -> dict[str, Any]:
        # As stored: the services write only the properties above.
        return obj.details


class InitiativeSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    area = serializers.CharField(source="measure.area.code")
    reference = serializers.CharField()
    coordinators = CoordinatorSerializer(source="designations", many=True)
    interested = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            "reference",
            "measure",
            "area",
            "modality",
            "sequence",
            "status",
            "coordinators",
            "interested",
            "created_at",
            "updated_at",
        ]

    def get_interested(self, obj) -> list[str]:
        return [d.participant.code for d in obj.declarations.all()]


_datetime = serializers.DateTimeField()


def initiative_list_data(rows: list[dict]) -> list[dict]:
    """A page of :data:`selectors.INITIATIVE_ROW_FIELDS` rows as
    :class:`InitiativeSerializer` shapes it, without per-field serializer
    overhead (issue 8: the list endpoints' throughput).
    tests/api/test_lean_lists.py holds the two equal. The related rows are
    read here, one query each (SQLite; on PostgreSQL
    :func:`selectors.initiative_page_row` writes the whole row)."""
    ids = [r["pk"] for r in rows]
    coordinators = selectors.open_designations_by_initiative(ids)
    interested = selectors.interested_by_initiative(ids)
    when = _datetime.to_representation
    return [
        {
            "id": r["pk"],
            "reference": Initiative.reference_for(r["measure__code"], r["sequence"]),
            "measure": r["measure__code"],
            "area": r["measure__area__code"],
            "modality": r["modality"],
            "sequence": r["sequence"],
            "status": r["status"],
            "coordinators": coordinators.get(r["pk"], []),
            "interested": interested.get(r["pk"], []),
            "created_at": when(r["created_at"]),
            "updated_at": when(r["updated_at"]),
        }
        for r in rows
    ]


class InitiativeDetailSerializer(InitiativeSerializer):
    declarations = DeclarationSerializer(many=True)
    responsible_experts = serializers.SerializerMethodField(
        help_text=_("Modality (b): experts charged with the working paper (name and state).")
    )
    designations = DesignationSerializer(source="all_designations", many=True)
    papers = serializers.SerializerMethodField()
    decisions = DecisionBriefSerializer(many=True)
    circulations = CirculationBriefSerializer(many=True)
    timeline = EventSerializer(source="events", many=True)

    class Meta(InitiativeSerializer.Meta):
        fields = InitiativeSerializer.Meta.fields + [
            "declarations",
            "designations",
            "responsible_experts",
            "papers",
            "decisions",
            "circulations",
            "timeline",
        ]

    @extend_schema_field(ResponsibleExpertSerializer(many=True))
    def get_responsible_experts(self, obj) -> list[dict]:
        return [
            {"id": e.pk, "name": e.name, "participant": e.participant.code}
            for e in obj.responsible_experts.all()
        ]

    @extend_schema_field(PaperSerializer(many=True))
    def get_papers(self, obj) -> list[dict]:
        user = self.context["request"].user
        visible = selectors.papers_visible(user, obj, obj.papers.all())
        # many=True: the data is a list (ReturnList); the stubs say ReturnDict.
        return PaperSerializer(visible, many=True).data  # type: ignore[return-value]


_date = serializers.DateField()


def initiative_detail_data(row: dict, user, *, internals: bool) -> dict:
    """An :func:`selectors.initiative_detail_row` as
    :class:`InitiativeDetailSerializer` shapes it for this reader (papers as
    :func:`selectors.paper_visibility` lets them see, the internals only to
    those who may see them): one query instead of ten (issue 18).
    tests/test_issue18_detail_queries.py holds the two equal."""
    when, day = _datetime.to_representation, _date.to_representation
    visible = selectors.paper_visibility(user, selectors.initiative_of_row(row))
    designations = row["designations"]
    return {
        "id": row["pk"],
        "reference": Initiative.reference_for(row["measure__code"], row["sequence"]),
        "measure": row["measure__code"],
        "area": row["measure__area__code"],
        "modality": row["modality"],
        "sequence": row["sequence"],
        "status": row["status"],
        "coordinators": [
            {"participant": d["participant"], "role": d["role"]}
            for d in designations
            if d["ended_on"] is None
        ],
        "interested": [d["participant"] for d in row["declarations"]],
        "created_at": when(row["created_at"]),
        "updated_at": when(row["updated_at"]),
        "declarations": [
            {
                "participant": d["participant"],
                "declared_on": day(d["declared_on"]),
                "volunteers_as_coordinator": d["volunteers_as_coordinator"],
                "statement": d["statement"] if internals else None,
            }
            for d in row["declarations"]
        ],
        "designations": [
            {
                "participant": d["participant"],
                "role": d["role"],
                "started_on": day(d["started_on"]),
                "ended_on": day(d["ended_on"]),
            }
            for d in designations
        ],
        "responsible_experts": [
            {"id": e["id"], "name": e["name"], "participant": e["participant"]}
            for e in row["experts"]
        ],
        "papers": [
            {
                "id": p["id"],
                "symbol": p["symbol"],
                "kind": p["kind"],
                "version": p["version"],
                "language": p["language"],
                "original_name": p["original_name"],
                "content_type": p["content_type"],
                "size": p["size"],
                "sha256": p["sha256"],
                "submitted_for": p["submitted_for"],
                "submitted_at": when(p["submitted_at"]),
                "circulated": p["was_circulated"],
                "adopted": p["was_adopted"],
                "download": f"/api/v1/papers/{p['id']}/file/",
            }
            for p in row["papers"]
            if visible(p["was_adopted"], p["was_circulated"], p["circulated_to_observers"])
        ],
        "decisions": [
            {
                "id": d["id"],
                "symbol": d["symbol"],
                "body": d["body"],
                "procedure": d["procedure"],
                "meeting": d["meeting"],
                "meeting_date": day(d["meeting_date"]),
                "silence_circulation": None
                if d["silence_circulation"] is None
                else {
                    "id": d["silence_circulation"],
                    "reference": d["silence_reference"],
                    "url": f"/api/v1/circulations/{d['silence_circulation']}/",
                },
                "outcome": d["outcome"],
                "text": d["text"],
                "objecting": sorted(d["objecting"]) if internals else None,
                "recorded_at": when(d["recorded_at"]),
            }
            for d in row["decisions"]
        ],
        "circulations": [
            {
                "id": c["id"],
                "reference": c["reference"],
                "kind": c["kind"],
                "paper": c["paper"],
                "audience": c["audience"],
                "deadline": day(c["deadline"]),
                "circulated_at": when(c["circulated_at"]),
                "silence_status": c["silence_status"],
            }
            for c in row["circulations"]
        ],
        "timeline": [
            {
                "id": e["id"],
                "action": e["action"],
                "from_status": e["from_status"],
                "to_status": e["to_status"],
                "acting_for": None
                if e["action"] in PRIVATE_EVENTS and not internals
                else e["acting_for"],
                "actor": e["actor"] if internals else None,
                "reason": e["reason"] if internals else None,
                "details": e["details"],
                "created_at": when(e["created_at"]),
            }
            for e in row["events"]
        ],
    }


# --- action inputs (the workflow actions' own are in measures.inputs) ------------


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    # A field named like Field.label, which the stubs see; DRF's metaclass
    # takes declared fields out of the class, so nothing is overridden.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=_("The action's name for this initiative's modality.")
    )
    available = serializers.BooleanField()
    reason = serializers.CharField()


# --- views ------------------------------------------------------------------------


class InitiativeFilter(filters.FilterSet):
    # distinct=False: a status is a column of the initiative, so no row can
    # repeat; the default DISTINCT sorted every matching row for a page.
    status = filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    measure = CodeChoiceFilter(queryset=Measure.objects.all())
    area = CodeChoiceFilter(queryset=PriorityArea.objects.all(), field_name="measure__area")
    modality = filters.ChoiceFilter(choices=Modality.choices)
    participant = CodeChoiceFilter(
        queryset=Participant.objects.all(),
        method="filter_participant",
        help_text=_("States that declared interest in it or coordinate it."),
    )
    updated_since = IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "Only initiatives changed at or after this time "
            "(ISO 8601, with an offset: Z or +05:00)."
        ),
    )

    class Meta:
        model = Initiative
        fields = ["status", "measure", "area", "modality", "participant", "updated_since"]

    def filter_participant(self, queryset, name, value):
        return selectors.initiatives_of_participant(queryset, value)


def _action_schema(input_serializer, summary):
    return extend_schema(
        request=input_serializer,
        responses={
            200: InitiativeDetailSerializer,
            400: OpenApiResponse(description="Bad input (field messages)."),
            403: OpenApiResponse(description="Not allowed for your role or state."),
            404: OpenApiResponse(description="No such initiative."),
            409: OpenApiResponse(description="Not possible in the initiative's status."),
        },
        summary=summary,
    )


class InitiativeViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Initiatives: one measure being taken forward (modality (a): concept paper).

    `POST /initiatives/` declares interest (creating the initiative or joining
    the open one); each workflow action is `POST /initiatives/{id}/<action>/`;
    `GET /initiatives/{id}/actions/` says which of them you may take now.
    """

    filterset_class = InitiativeFilter
    not_found_message = _("No initiative with id %(id)s.")

    def get_queryset(self):
        if self.action == "list":
            return selectors.initiative_list()
        return selectors.initiative_detail()

    def list(self, request, *args, **kwargs):
        base = selectors.initiative_list_base()
        queryset = self.filter_queryset(base)
        paginator = self.paginator
        # The API's default pagination class (settings); this view sets no other.
        assert isinstance(paginator, PageSizePagination)
        if selectors.lists_nest_json():
            # The page's rows as PostgreSQL writes them (issue 18).
            page = paginator.paginate_json(
                queryset,
                request,
                view=self,
                row=selectors.initiative_page_row(),
                unfiltered=base,
            )
            return self.get_paginated_response(page)
        rows = paginator.paginate_rows(
            queryset, selectors.INITIATIVE_ROW_FIELDS, request, view=self
        )
        return self.get_paginated_response(initiative_list_data(rows))

    def get_serializer_class(self):
        if self.action == "list":
            return InitiativeSerializer
        if self.action == "create":
            return DeclareInterestInput
        return InitiativeDetailSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "internals": selectors.can_see_internals(self.request.user),
        }

    def retrieve(self, request, *args, **kwargs):
        # One statement (selectors.initiative_detail_row), not the ten
        # prefetches of get_object(): every initiative is readable by all
        # (the permission class has no rule on the object), so nothing is
        # skipped; what each reader sees is decided in initiative_detail_data.
        pk = self.kwargs["pk"]
        pk_id = as_id(pk)
        row = selectors.initiative_detail_row(pk_id) if pk_id is not None else None
        if row is None:
            raise NotFound(str(self.not_found_message) % {"id": pk})
        return self._answer(row)

    def _detail(self, initiative, code=status.HTTP_200_OK):
        row = selectors.initiative_detail_row(initiative.pk)
        assert row is not None  # the initiative just acted on
        return self._answer(row, code)

    def _answer(self, row, code=status.HTTP_200_OK):
        user = self.request.user
        internals = selectors.can_see_internals(user)
        return Response(initiative_detail_data(row, user, internals=internals), status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(
        request=DeclareInterestInput,
        responses={201: InitiativeDetailSerializer, 200: InitiativeDetailSerializer},
        summary="Declare interest in a measure (creates or joins its open initiative)",
    )
    def create(self, request, *args, **kwargs):
        data = self._input(DeclareInterestInput).validated_data
        initiative, created = services.initiative_declare_interest(
            actor=request.user,
            measure=data["measure"],
            statement=data["statement"],
            volunteers_as_coordinator=data["volunteers_as_coordinator"],
            modality=data["modality"],
        )
        return self._detail(initiative, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses=AvailableActionSerializer(many=True))
    # One initiative's actions, never paginated nor filtered (the schema said they were).
    @action(
        detail=True, methods=["get"], url_path="actions", pagination_class=None, filter_backends=[]
    )
    def actions(self, request, pk=None):
        """Every action, with whether you may take it now and, if not, why."""
        initiative = self.get_object()
        rows = services.initiative_available_actions(user=request.user, initiative=initiative)
        return Response(AvailableActionSerializer(rows, many=True).data)


def _action_route(entry: actions.ActionEntry):
    """``POST /initiatives/{id}/<route>/`` for one registry entry: its input,
    its service (through :func:`services.initiative_act`), the initiative's
    detail as the answer (the one joined or started, for a declaration)."""

    def take(self, request, pk=None):
        initiative = self.get_object()
        kwargs = self._input(entry.input).service_kwargs()
        acted_on, _result = services.initiative_act(
            actor=request.user, initiative=initiative, action=entry.action, **kwargs
        )
        return self._detail(acted_on)

    take.__name__ = entry.action
    take.__qualname__ = f"{InitiativeViewSet.__name__}.{entry.action}"
    routed = action(
        detail=True,
        methods=["post"],
        url_path=entry.route,
        parser_classes=parsers_for(entry.input),
    )(take)
    return _action_schema(entry.input, entry.summary)(routed)


def _other_route(route: actions.InitiativeRoute):
    """``POST /initiatives/{id}/<route>/`` for a route an app above declared:
    its input, its handler, the initiative's detail as the answer."""

    def take(self, request, pk=None):
        initiative = self.get_object()
        data = self._input(route.input).validated_data
        import_string(route.handler)(actor=request.user, initiative=initiative, **data)
        return self._detail(initiative)

    take.__name__ = route.name
    take.__qualname__ = f"{InitiativeViewSet.__name__}.{route.name}"
    take.__doc__ = route.description
    routed = action(
        detail=True,
        methods=["post"],
        url_path=route.route,
        parser_classes=parsers_for(route.input),
    )(take)
    return _action_schema(route.input, route.summary)(routed)


# One route per action of the registry, and per other route declared (the
# router reads them from the class when the URLconf loads, after every app's
# ready() has registered its own).
for _entry in actions.entries():
    setattr(InitiativeViewSet, _entry.action, _action_route(_entry))
for _route in actions.initiative_routes():
    setattr(InitiativeViewSet, _route.name, _other_route(_route))


class PaperViewSet(viewsets.GenericViewSet):
    """Paper files, served only to those who may read them, as attachments."""

    queryset = Paper.objects.select_related("initiative__measure")
    serializer_class = PaperSerializer

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file."),
            401: OpenApiResponse(description="Not signed in, and the paper is not public."),
            404: OpenApiResponse(description="No such paper, or not visible to you."),
        }
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        """A paper one may not see answers as one that does not exist (404):
        nobody learns that a draft exists. An anonymous client is asked to
        sign in (401) for every paper that is not public, existing or not."""
        paper_id = as_id(pk)
        paper = self.get_queryset().filter(pk=paper_id).first() if paper_id else None
        if paper is None or not selectors.paper_visible_to(request.user, paper):
            if not request.user.is_authenticated:
                raise NotAuthenticated(
                    _("Sign in to download this paper: only adopted papers are public.")
                )
            raise NotFound(_("No paper with id %(id)s.") % {"id": pk})
        return stored_download(
            paper.file,
            filename=f"{paper.symbol.replace('/', '_')}{_suffix(paper)}",
            content_type=paper.content_type,
        )


def _suffix(paper: Paper) -> str:
    name = paper.file.name
    assert name is not None  # a paper is saved with its file
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""
