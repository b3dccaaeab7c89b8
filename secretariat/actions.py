"""The action registry's entries for the workflow actions the secretariat
carries out on an initiative: charge experts at a specialised meeting,
circulate a paper, refer it to the Special Working Group, record the SWG's or
the SOC's decision. Registered from :meth:`SecretariatConfig.ready`; each
names its service and its preconditions in
``secretariat/services/initiative_actions.py``."""

from types import MappingProxyType

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.actions import ActionEntry, InitiativeRoute, register, register_route
from measures.inputs import ReasonInput
from measures.workflow import Action

from .inputs import ChargeExpertsInput, CirculateInput, DecisionInput
from .models import DECISION_BODY_CHOICES

_ACTIONS = "secretariat.services.initiative_actions."

ENTRIES = (
    ActionEntry(
        action=Action.CHARGE_EXPERTS,
        service=_ACTIONS + "initiative_charge_experts",
        precondition=_ACTIONS + "charge_refusal",
        input=ChargeExpertsInput,
        rule=_("the secretariat records the experts charged with the paper."),
        route="charge-experts",
        summary="Modality (b): charge experts with the working paper",
    ),
    ActionEntry(
        action=Action.CIRCULATE,
        service=_ACTIONS + "initiative_circulate",
        precondition=_ACTIONS + "circulate_refusal",
        input=CirculateInput,
        rule=_("the secretariat circulates papers."),
        route="circulate",
        summary="Circulate the latest paper to the member states",
    ),
    ActionEntry(
        action=Action.REFER_TO_SWG,
        service=_ACTIONS + "initiative_refer_to_swg",
        precondition=_ACTIONS + "refer_refusal",
        input=ReasonInput,
        rule=_("the secretariat refers papers to the Special Working Group."),
        route="refer-to-swg",
        summary="Refer the circulated paper to the Special Working Group",
    ),
    ActionEntry(
        action=Action.RECORD_SWG_DECISION,
        service=_ACTIONS + "initiative_record_decision",
        precondition=_ACTIONS + "swg_decision_refusal",
        input=DecisionInput,
        rule=_("the secretariat records the SWG's decisions."),
        route="record-swg-decision",
        summary="Record the Special Working Group's decision",
        fixed=MappingProxyType({"body": "swg"}),
    ),
    ActionEntry(
        action=Action.RECORD_SOC_DECISION,
        service=_ACTIONS + "initiative_record_decision",
        precondition=_ACTIONS + "soc_decision_refusal",
        input=DecisionInput,
        rule=_("the secretariat records the SOC's decisions."),
        route="record-soc-decision",
        summary="Record the Senior Officials Committee's decision",
        fixed=MappingProxyType({"body": "soc"}),
    ),
)

register(*ENTRIES)


class SilenceInput(serializers.Serializer):
    body = serializers.ChoiceField(choices=DECISION_BODY_CHOICES)
    draft_text = serializers.CharField()
    deadline = serializers.DateField()


register_route(
    InitiativeRoute(
        name="start_silence_procedure",
        route="start-silence-procedure",
        summary="Circulate a draft decision under silence procedure",
        description=(
            "The draft is adopted by consensus if no member state objects by the deadline."
        ),
        input=SilenceInput,
        handler="secretariat.services.silence.silence_procedure_start",
    )
)
