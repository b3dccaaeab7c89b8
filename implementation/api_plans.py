"""API of action plans (issue 17 item 1): read the plans one may see; draw
one up, change the draft, submit it, amend the plan in force; the secretariat
records the SWG's and the SOC's decisions.

Every write calls its service in ``implementation.services.plans``; a refusal
there (403 not allowed, 409 not now, 400 bad input) reaches the client with
its message through ``cica.errors.api_exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cica.api import CodeChoiceFilter, IdLookupMixin
from cica.input import IdFilter
from measures.inputs import TEXTAREA
from measures.models import DesignationRole, Initiative, Measure
from measures.selectors import can_see_internals
from measures.workflow import Outcome
from members.models import Participant
from secretariat.models import DECISION_BODY_CHOICES, Meeting

from . import selectors
from .models import ActionPlan, ActivityKind, PlanStatus
from .services import plans as services
from .services.plans import FIRST_YEAR, LAST_YEAR, MAX_PLANNED, MAX_TEXT, MAX_TITLE

# --- read serializers ------------------------------------------------------------


class PlanCoordinatorSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    role = serializers.ChoiceField(choices=DesignationRole.choices)


class PlannedActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField()
    target_year = serializers.IntegerField()


class PlanDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()
    body = serializers.ChoiceField(choices=DECISION_BODY_CHOICES)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    meeting_date = serializers.DateField(source="meeting.date", allow_null=True)
    text = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class PlanEventDetailsSerializer(serializers.Serializer):
    """What a plan's event records besides its status change (each action
    writes some of these), written by ``implementation.services.plans``."""

    decision = serializers.CharField(
        required=False, help_text=_("record_*_decision: the decision's symbol.")
    )
    decision_id = serializers.IntegerField(
        required=False, help_text=_("record_*_decision: id of the decision.")
    )
    body = serializers.ChoiceField(
        choices=DECISION_BODY_CHOICES, required=False, help_text=_("record_*_decision: the body.")
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, help_text=_("record_*_decision: its outcome.")
    )
    changed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("update: what changed (text, period, planned)."),
    )
    amends = serializers.CharField(
        required=False, help_text=_("amend, on the amendment: the symbol of the plan amended.")
    )
    amendment = serializers.CharField(
        required=False, help_text=_("amend, on the plan amended: the amendment's symbol.")
    )
    by = serializers.CharField(
        required=False, help_text=_("supersede: the symbol of the plan now in force.")
    )


class PlanEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(
        help_text=_(
            "create, update, submit, amend, record_swg_decision, record_soc_decision, supersede."
        )
    )
    from_status = serializers.ChoiceField(
        choices=PlanStatus.choices, allow_blank=True, help_text=_("Empty when the plan began.")
    )
    to_status = serializers.ChoiceField(choices=PlanStatus.choices)
    actor = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField(
        help_text=_("What the action recorded besides the status change (see each property).")
    )
    created_at = serializers.DateTimeField()

    def get_actor(self, obj) -> str | None:
        if not self.context.get("internals") or obj.actor is None:
            return None
        return obj.actor.get_username()

    def get_reason(self, obj) -> str | None:
        return obj.reason if self.context.get("internals") else None

    @extend_schema_field(PlanEventDetailsSerializer)
    def get_details(self, obj) -> dict[str, Any]:
        # As stored: the services write only the properties above.
        return obj.details


class AvailablePlanActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=services.PLAN_ACTION_CHOICES)
    # A field named like Field.label, which the stubs see; DRF's metaclass
    # takes declared fields out of the class, so nothing is overridden.
    label = serializers.CharField()  # type: ignore[assignment]
    available = serializers.BooleanField()
    reason = serializers.CharField()


class ActionPlanSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    initiative_reference = serializers.CharField(source="initiative.reference")
    amends = serializers.CharField(source="amends.symbol", allow_null=True)
    url = serializers.SerializerMethodField(help_text=_("The plan's page."))

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "symbol",
            "measure",
            "initiative",
            "initiative_reference",
            "number",
            "amends",
            "starts_in",
            "ends_in",
            "status",
            "approved_at",
            "url",
            "created_at",
            "updated_at",
        ]

    def get_url(self, obj) -> str:
        return reverse("action-plan", args=[obj.pk])


class ActionPlanDetailSerializer(ActionPlanSerializer):
    coordinators = PlanCoordinatorSerializer(many=True)
    planned_activities = PlannedActivitySerializer(many=True)
    decisions = PlanDecisionSerializer(many=True)
    events = PlanEventSerializer(many=True)
    actions = serializers.SerializerMethodField(
        help_text=_("Every action on the plan, whether you may take it now, and if not why.")
    )

    class Meta(ActionPlanSerializer.Meta):
        fields = [
            *ActionPlanSerializer.Meta.fields,
            "text",
            "coordinators",
            "planned_activities",
            "decisions",
            "events",
            "actions",
        ]

    @extend_schema_field(AvailablePlanActionSerializer(many=True))
    def get_actions(self, obj) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return services.plan_available_actions(user=user, plan=obj)


# --- inputs (no docstrings: the schema would show them as the bodies' descriptions) --


class PlannedInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=MAX_TITLE)
    target_year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


def _text() -> serializers.CharField:
    return serializers.CharField(
        label=_("Text"), max_length=MAX_TEXT, allow_blank=True, required=False, style=TEXTAREA
    )


def _year(label: Any) -> serializers.IntegerField:
    return serializers.IntegerField(label=label, min_value=FIRST_YEAR, max_value=LAST_YEAR)


class PlanCreateInput(serializers.Serializer):
    initiative = serializers.PrimaryKeyRelatedField(
        queryset=Initiative.objects.select_related("measure"),
        help_text=_("Id of the adopted initiative the plan carries out."),
    )
    starts_in = _year(_("First year"))
    ends_in = _year(_("Last year"))
    text = _text()
    planned = PlannedInput(many=True, required=False, max_length=MAX_PLANNED)  # type: ignore[call-arg]


class PlanUpdateInput(serializers.Serializer):
    starts_in = _year(_("First year"))
    ends_in = _year(_("Last year"))
    text = _text()
    planned = PlannedInput(
        many=True,
        required=False,
        max_length=MAX_PLANNED,  # type: ignore[call-arg]
        help_text=_("Replaces the plan's planned activities when given."),
    )


class PlanDecisionInput(serializers.Serializer):
    body = serializers.ChoiceField(label=_("Body"), choices=DECISION_BODY_CHOICES)
    meeting = serializers.PrimaryKeyRelatedField(label=_("Meeting"), queryset=Meeting.objects.all())
    outcome = serializers.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = serializers.CharField(
        label=_("Text (reasons)"),
        max_length=MAX_TEXT,
        allow_blank=True,
        required=False,
        default="",
        style=TEXTAREA,
    )
    objecting: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        label=_("Objecting member states"),
        slug_field="code",
        queryset=Participant.objects.all(),
        many=True,
        required=False,
        default=list,  # type: ignore[arg-type]
    )

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get") and isinstance(data.get("objecting"), list):
            data = {
                **data,
                "objecting": [
                    c.strip().upper() if isinstance(c, str) else c for c in data["objecting"]
                ],
            }
        return super().to_internal_value(data)


# --- views ------------------------------------------------------------------------


class ActionPlanFilter(filters.FilterSet):
    measure = CodeChoiceFilter(
        queryset=Measure.objects.all(), help_text=_("Measure code, e.g. ECO-4.")
    )
    status = filters.MultipleChoiceFilter(choices=PlanStatus.choices, distinct=False)
    initiative = IdFilter(field_name="initiative_id", help_text=_("Initiative id."))

    class Meta:
        model = ActionPlan
        fields = ["measure", "status", "initiative"]


_REFUSALS = {
    400: OpenApiResponse(description="Bad input (field messages)."),
    403: OpenApiResponse(description="Not allowed for your role or state."),
    404: OpenApiResponse(description="No such plan, or not visible to you."),
    409: OpenApiResponse(description="Not possible in the plan's status."),
}


class ActionPlanViewSet(
    IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Action plans: how the coordinators carry an adopted measure out
    (``CICA/AP/ECO-4/1``), approved by the SWG and then the SOC.

    Approved and superseded plans are public; drafts are read by the plan's
    coordinator states and staff, plans under review also by member states.
    `GET /action-plans/{id}/` lists the actions you may take now.
    """

    filterset_class = ActionPlanFilter
    not_found_message = _("No action plan with id %(id)s.")

    def get_queryset(self):
        visible = selectors.plans_visible(self.request.user)
        if self.action == "list":
            return visible.order_by("measure__sort_key", "number")
        return selectors.plan_detail().filter(pk__in=visible.values("pk"))

    def get_serializer_class(self):
        if self.action == "list":
            return ActionPlanSerializer
        return ActionPlanDetailSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "internals": can_see_internals(self.request.user),
        }

    def _detail(self, plan: ActionPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.plan_detail().get(pk=plan.pk)
        data = ActionPlanDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        request=PlanCreateInput,
        responses={
            201: ActionPlanDetailSerializer,
            **{code: r for code, r in _REFUSALS.items() if code != 404},
        },
        summary="Draw up the action plan of an adopted measure (a draft)",
    )
    def create(self, request, *args, **kwargs):
        data = self._input(PlanCreateInput)
        plan = services.plan_create(
            actor=request.user,
            initiative=data["initiative"],
            starts_in=data["starts_in"],
            ends_in=data["ends_in"],
            text=data.get("text", ""),
            planned=data.get("planned", []),
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=PlanUpdateInput,
        responses={200: ActionPlanDetailSerializer, **_REFUSALS},
        summary="Change a draft plan (text, years, planned activities)",
    )
    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = self._input(PlanUpdateInput, partial=True)
        plan = services.plan_update(actor=request.user, plan=plan, **data)
        return self._detail(plan)

    @extend_schema(
        request=None,
        responses={200: ActionPlanDetailSerializer, **_REFUSALS},
        summary="Submit the draft plan to the Special Working Group",
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        plan = services.plan_submit(actor=request.user, plan=self.get_object())
        return self._detail(plan)

    @extend_schema(
        request=None,
        responses={201: ActionPlanDetailSerializer, **_REFUSALS},
        summary="Amend the plan in force: its next number, as a draft",
    )
    @action(detail=True, methods=["post"], url_path="amend")
    def amend(self, request, pk=None):
        amendment = services.plan_amend(actor=request.user, plan=self.get_object())
        return self._detail(amendment, status.HTTP_201_CREATED)

    @extend_schema(
        request=PlanDecisionInput,
        responses={200: ActionPlanDetailSerializer, **_REFUSALS},
        summary="Record the SWG's or the SOC's decision on the plan (secretariat)",
    )
    @action(detail=True, methods=["post"], url_path="decisions")
    def decisions(self, request, pk=None):
        plan = self.get_object()
        data = self._input(PlanDecisionInput)
        plan = services.plan_record_decision(
            actor=request.user,
            plan=plan,
            body=data["body"],
            meeting=data["meeting"],
            outcome=data["outcome"],
            text=data["text"],
            objecting=data["objecting"],
        )
        return self._detail(plan)
