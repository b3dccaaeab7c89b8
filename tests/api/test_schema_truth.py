"""The schema tells the whole truth about responses (issue 15 item 2): a
closed set is an enum, a nested object has its properties, a date or a time
has its format, and what can be null is nullable."""

from __future__ import annotations

import datetime
import inspect
import re
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # with schemathesis (dev); no stubs here
import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from cica.uploads import DOCUMENT_MEDIA_TYPES
from implementation import api_plans
from implementation.models import ActionPlan, PlanCoordinator, PlanEvent, PlannedActivity
from measures import api as measures_api
from measures import api_experts, api_initiatives
from measures.models import (
    CoordinatorDesignation,
    CoordinatorOffer,
    Expert,
    Initiative,
    InitiativeEvent,
    InterestDeclaration,
    Measure,
    Paper,
)
from members import api as members_api
from members import api_tokens
from members.models import Participant
from secretariat import api as secretariat_api
from secretariat import api_circulations, api_information
from secretariat.models import (
    Circulation,
    CoSubmitter,
    Decision,
    InformationAttachment,
    Receipt,
)
from secretariat.services import (
    information_disseminate,
    information_submit,
    initiative_circulate,
    initiative_record_decision,
    meeting_create,
    receipt_answer,
)

API_MODULES = (
    measures_api,
    api_initiatives,
    api_experts,
    secretariat_api,
    api_circulations,
    api_information,
    members_api,
    api_tokens,
    api_plans,  # issue 17 v1
)

# The model each plain (not model) output serializer shows.
PLAIN_SERIALIZER_MODELS: dict[type[serializers.Serializer], type[models.Model]] = {
    api_initiatives.CoordinatorSerializer: CoordinatorDesignation,
    api_initiatives.DesignationSerializer: CoordinatorDesignation,
    api_initiatives.DeclarationSerializer: InterestDeclaration,
    api_initiatives.PaperSerializer: Paper,
    api_initiatives.AdoptedPaperSerializer: Paper,
    api_initiatives.ResponsibleExpertSerializer: Expert,
    api_initiatives.SilenceCirculationSerializer: Circulation,
    api_initiatives.DecisionBriefSerializer: Decision,
    api_initiatives.CirculationBriefSerializer: Circulation,
    api_initiatives.EventSerializer: InitiativeEvent,
    measures_api.OfferBriefSerializer: CoordinatorOffer,
    api_circulations.ReceiptSerializer: Receipt,
    api_information.CoSubmitterSerializer: CoSubmitter,
    api_information.AttachmentSerializer: InformationAttachment,
    # issue 17 v1: action plans.
    api_plans.PlanCoordinatorSerializer: PlanCoordinator,
    api_plans.PlannedActivitySerializer: PlannedActivity,
    api_plans.PlanDecisionSerializer: Decision,
    api_plans.PlanEventSerializer: PlanEvent,
    measures_api.PlanInForceSerializer: ActionPlan,
}

# Output serializers that show no model's row: what they show is checked by
# name below (COMPUTED_FROM) or is no model field at all.
NOT_A_ROW = {
    api_initiatives.AvailableActionSerializer,  # computed by the workflow
    api_initiatives.ChargedExpertSerializer,  # inside an event's details
    api_initiatives.EventDetailsSerializer,  # an event's details (JSON)
    api_tokens.IssuedTokenSerializer,  # the token, shown once
    api_plans.AvailablePlanActionSerializer,  # computed by the plans' table (issue 17 v1)
    api_plans.PlanEventDetailsSerializer,  # a plan event's details (JSON)
}

# Properties computed from another model than the serializer's own, and
# whether they may be null.
COMPUTED_FROM: dict[tuple[str, str], tuple[models.Field, bool]] = {
    # The status of the measure's lead initiative; null when it has none.
    ("Measure", "status"): (Initiative._meta.get_field("status"), True),
    ("EventDetails", "outcome"): (Decision._meta.get_field("outcome"), False),
    ("EventDetails", "procedure"): (Decision._meta.get_field("procedure"), False),
    ("EventDetails", "body"): (Decision._meta.get_field("body"), False),
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _component(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield _component(value)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def response_components(schema: dict[str, Any]) -> set[str]:
    """The components a response can hold, directly or nested."""
    components = schema["components"]["schemas"]
    todo = [
        ref
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
        for ref in _refs(response)
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(_refs(components[name]))
    return seen


def _walk(node: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema in a component, with where it is."""
    yield where, node
    for key in ("allOf", "oneOf", "anyOf"):
        for i, child in enumerate(node.get(key, [])):
            yield from _walk(child, f"{where}/{key}{i}")
    if isinstance(node.get("items"), dict):
        yield from _walk(node["items"], f"{where}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _walk(node["additionalProperties"], f"{where}{{}}")
    for name, child in node.get("properties", {}).items():
        yield from _walk(child, f"{where}.{name}")


def _typed(node: dict[str, Any]) -> bool:
    return any(k in node for k in ("type", "$ref", "oneOf", "allOf", "anyOf", "enum"))


def _is_enum(node: dict[str, Any], components: dict[str, Any]) -> bool:
    if "enum" in node:
        return True
    if "$ref" in node:
        return _is_enum(components[_component(node["$ref"])], components)
    options = node.get("oneOf", []) + node.get("allOf", [])
    return bool(options) and all(_is_enum(o, components) for o in options)


def _nullable(node: dict[str, Any], components: dict[str, Any]) -> bool:
    if node.get("nullable"):
        return True
    return any(
        "$ref" in o and components[_component(o["$ref"])].get("enum") == [None]
        for o in node.get("oneOf", [])
    )


def _output_serializers() -> Iterator[type[serializers.Serializer]]:
    for module in API_MODULES:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, serializers.Serializer)
                and cls.__module__ == module.__name__
                and cls.__name__.endswith("Serializer")
            ):
                yield cls


def _model_of(cls: type[serializers.Serializer]) -> type[models.Model] | None:
    if issubclass(cls, serializers.ModelSerializer):
        return cls.Meta.model
    for plain, model in PLAIN_SERIALIZER_MODELS.items():
        if issubclass(cls, plain):
            return model
    return None


def _model_field(
    model: type[models.Model], field: serializers.Field
) -> tuple[models.Field | None, bool]:
    """The model field a serializer field shows (through its source, or its
    own name for a method field) and whether a link on the way may be null."""
    source = field.field_name if field.source == "*" else field.source
    assert source is not None
    nullable = False
    current: models.Field | None = None
    for part in source.split("."):
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, nullable
        if not isinstance(found, models.Field):
            return None, nullable  # a reverse relation
        current = found
        nullable = nullable or found.null
        if found.is_relation:
            assert isinstance(found.related_model, type)
            model = found.related_model
    return current, nullable


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str, models.Field, bool]]:
    """(component, property, model field, may be null) for every output
    property that shows a model's field."""
    reachable = response_components(schema)
    for cls in _output_serializers():
        component = cls.__name__.removesuffix("Serializer")
        if component not in reachable:
            continue
        model = _model_of(cls)
        for name, field in cls().fields.items():
            if field.write_only:
                continue
            if (component, name) in COMPUTED_FROM:
                yield component, name, *COMPUTED_FROM[component, name]
                continue
            if model is None:
                continue
            model_field, nullable = _model_field(model, field)
            if model_field is not None:
                yield component, name, model_field, nullable


# --- the whole schema ---------------------------------------------------------------


def test_the_walk_sees_the_components_it_checks(schema):
    reachable = response_components(schema)
    for name in ("Measure", "InitiativeDetail", "Event", "EventDetails", "CirculationDetail"):
        assert name in reachable
    assert "AnswerRequest" not in reachable
    checked = {component for component, *_rest in _properties(schema)}
    assert {"Receipt", "Event", "DecisionBrief", "CirculationBrief", "Circulation"} <= checked


def test_every_output_serializer_is_checked_against_its_model(schema):
    """A new plain serializer must say which model it shows (or that it shows
    none), or the enum and null checks below would pass it by."""
    reachable = response_components(schema)
    unknown = [
        cls.__name__
        for cls in _output_serializers()
        if cls.__name__.removesuffix("Serializer") in reachable
        and _model_of(cls) is None
        and cls not in NOT_A_ROW
    ]
    assert unknown == []


def test_no_response_object_is_untyped(schema):
    components = schema["components"]["schemas"]
    untyped = []
    for name in sorted(response_components(schema)):
        for where, node in _walk(components[name], name):
            if not _typed(node):
                untyped.append(where)
            elif node.get("enum") == [None]:
                continue  # the null alternative of a nullable nested object
            elif node.get("type") == "object" and not node.get("properties"):
                extra = node.get("additionalProperties")
                if not (isinstance(extra, dict) and _typed(extra)):
                    untyped.append(where)
    assert untyped == []


def test_a_closed_set_in_a_response_is_an_enum(schema):
    components = schema["components"]["schemas"]
    plain = []
    for component, name, model_field, _nullable_link in _properties(schema):
        if not model_field.choices:
            continue
        node = components[component]["properties"][name]
        if not _is_enum(node, components):
            plain.append(f"{component}.{name}")
    assert plain == []


def test_what_can_be_null_is_nullable(schema):
    components = schema["components"]["schemas"]
    wrong = []
    for component, name, _model_field, may_be_null in _properties(schema):
        node = components[component]["properties"][name]
        if may_be_null and not _nullable(node, components):
            wrong.append(f"{component}.{name}")
    assert wrong == []


TIME_SUFFIXES = ("_at", "_since", "date", "_on", "deadline")
TIME_NAMES = {"confirm_by"}


def test_every_date_and_time_has_its_format(schema):
    components = schema["components"]["schemas"]
    missing = []
    for name in sorted(response_components(schema)):
        for prop, node in components[name].get("properties", {}).items():
            if not (prop.endswith(TIME_SUFFIXES) or prop in TIME_NAMES):
                continue
            if node.get("format") not in ("date", "date-time"):
                missing.append(f"{name}.{prop}")
    assert missing == []


# --- the fields issue 15 named -------------------------------------------------------


def _prop(schema, component, name):
    return schema["components"]["schemas"][component]["properties"][name]


def _enum_values(schema, node) -> set:
    components = schema["components"]["schemas"]
    if "enum" in node:
        return set(node["enum"])
    if "$ref" in node:
        return _enum_values(schema, components[_component(node["$ref"])])
    values: set = set()
    for option in node.get("oneOf", []) + node.get("allOf", []):
        values |= _enum_values(schema, option)
    return values


@pytest.mark.parametrize(
    ("component", "name", "values"),
    [
        ("Measure", "status", {"drafting", "adopted", None}),
        ("Receipt", "position", {"support", "objection", None}),
        ("Event", "from_status", {"", "drafting", "circulated"}),
        ("Event", "to_status", {"drafting", "adopted"}),
        ("Event", "action", {"declare_interest", "silence_closed"}),
        ("CirculationBrief", "audience", {"members", "members_and_observers"}),
        ("DecisionBrief", "body", {"swg", "soc"}),
        ("Paper", "kind", {"concept_paper", "working_paper"}),
        ("AdoptedPaper", "kind", {"concept_paper"}),
        ("OfferBrief", "scope", {"measure", "area"}),
        ("EventDetails", "outcome", {"approved", "returned"}),
    ],
)
def test_the_named_closed_sets_are_enums(schema, component, name, values):
    assert values <= _enum_values(schema, _prop(schema, component, name))


@pytest.mark.parametrize(
    ("component", "name", "nested"),
    [
        ("Measure", "coordinators", "Coordinator"),
        ("Measure", "coordinator_offers", "OfferBrief"),
        ("Measure", "adopted_papers", "AdoptedPaper"),
        ("InitiativeDetail", "papers", "Paper"),
        ("InitiativeDetail", "responsible_experts", "ResponsibleExpert"),
    ],
)
def test_the_named_nested_lists_have_components(schema, component, name, nested):
    node = _prop(schema, component, name)
    assert node["type"] == "array"
    assert node["items"] == {"$ref": f"#/components/schemas/{nested}"}


def test_event_details_name_what_each_action_records(schema):
    details = _prop(schema, "Event", "details")
    assert _component(details["allOf"][0]["$ref"] if "allOf" in details else details["$ref"]) == (
        "EventDetails"
    )
    properties = schema["components"]["schemas"]["EventDetails"]["properties"]
    assert {"participant", "designations", "paper", "circulation", "decision"} <= set(properties)
    assert properties["deadline"]["format"] == "date"
    assert properties["designations"]["items"] == {"$ref": "#/components/schemas/Coordinator"}
    assert "required" not in schema["components"]["schemas"]["EventDetails"]


def test_position_at_is_a_date_time_and_initiative_may_be_null(schema):
    assert _prop(schema, "Receipt", "position_at")["format"] == "date-time"
    assert _prop(schema, "Receipt", "position_at")["nullable"] is True
    for component in ("Circulation", "CirculationDetail"):
        assert _prop(schema, component, "initiative")["nullable"] is True


# --- real responses say what the schema says -------------------------------------------


@pytest.mark.django_db
def test_responses_hold_the_documented_values(schema, as_user, people, drafting, deadline):
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    paper_circulation = drafting.circulations.get()
    receipt_answer(
        actor=people["delegate-kaz"],
        circulation=paper_circulation,
        position="objection",
        text="Not yet.",
    )
    submission = information_submit(
        actor=people["delegate-kaz"],
        title="Views",
        text="text",
        kind="views",
        language="en",
        visibility="public",
        measures=[Measure.objects.get(code="NCT-1")],
    )
    information = information_disseminate(actor=people.secretariat, submission=submission)
    staff = as_user("secretariat")

    listed = staff.get("/api/v1/circulations/").json()["results"]
    by_id = {row["id"]: row for row in listed}
    assert by_id[information.pk]["initiative"] is None
    assert by_id[paper_circulation.pk]["initiative"] == drafting.pk

    detail = staff.get(f"/api/v1/circulations/{paper_circulation.pk}/").json()
    kaz = next(r for r in detail["receipts"] if r["participant"] == "KAZ")
    assert kaz["position"] == "objection"
    assert kaz["position"] in _enum_values(schema, _prop(schema, "Receipt", "position"))
    # A date-time as the schema says: one that parses, with its offset.
    assert datetime.datetime.fromisoformat(kaz["position_at"]).utcoffset() is not None
    assert all(r["position"] is None for r in detail["receipts"] if r["participant"] != "KAZ")

    measure = staff.get(f"/api/v1/measures/{drafting.measure.code}/").json()
    assert measure["status"] == "circulated"
    assert measure["status"] in _enum_values(schema, _prop(schema, "Measure", "status"))
    assert set(measure["coordinators"][0]) == set(
        schema["components"]["schemas"]["Coordinator"]["properties"]
    )

    timeline = staff.get(f"/api/v1/initiatives/{drafting.pk}/").json()["timeline"]
    circulated = next(e for e in timeline if e["action"] == "circulate")
    assert circulated["to_status"] in _enum_values(schema, _prop(schema, "Event", "to_status"))
    details_properties = schema["components"]["schemas"]["EventDetails"]["properties"]
    assert set(circulated["details"]) <= set(details_properties)
    assert circulated["details"]["deadline"] == deadline.isoformat()
    assert timezone.is_aware(datetime.datetime.fromisoformat(circulated["created_at"]))


# --- every body of those responses, against its component ---------------------------


def _json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` becomes a null type."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
            if "enum" in converted:
                converted["enum"] = [*converted["enum"], None]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(schema: dict[str, Any], component: str) -> jsonschema.Validator:
    document = _json_schema(schema)
    document["$ref"] = f"#/components/schemas/{component}"
    return jsonschema.Draft7Validator(document)


@pytest.mark.django_db
def test_the_bodies_match_their_components(schema, as_user, people, drafting, deadline):
    """Every property of these bodies, nested ones included, is what the
    schema says: the type, the enum, null only where nullable, and nothing
    required missing."""
    initiative_circulate(actor=people.secretariat, initiative=drafting, deadline=deadline)
    circulation = drafting.circulations.get()
    receipt_answer(
        actor=people["delegate-chn"], circulation=circulation, position="objection", text="No."
    )
    Initiative.objects.filter(pk=drafting.pk).update(status="swg_review")
    meeting = meeting_create(
        actor=people.secretariat,
        body="swg",
        date=timezone.localdate(),
        present=Participant.objects.filter(code__in=["KAZ", "MNG", "CHN"]),
    )
    initiative_record_decision(
        actor=people.secretariat,
        initiative=drafting,
        body="swg",
        meeting=meeting,
        outcome="no_consensus",
        objecting=[Participant.objects.get(code="CHN")],
    )
    submission = information_submit(
        actor=people["delegate-kaz"],
        title="Views",
        text="text",
        kind="views",
        language="en",
        visibility="public",
        measures=[Measure.objects.get(code="NCT-1")],
    )
    information_disseminate(actor=people.secretariat, submission=submission)
    kaz, staff, public = as_user("delegate-kaz"), as_user("secretariat"), as_user("")
    declared = kaz.post("/api/v1/initiatives/", {"measure": "ECO-9"}, format="json")
    assert declared.status_code in (200, 201), declared.content

    bodies = [
        ("InitiativeDetail", staff.get(f"/api/v1/initiatives/{drafting.pk}/")),
        ("InitiativeDetail", public.get(f"/api/v1/initiatives/{drafting.pk}/")),
        ("InitiativeDetail", declared),
        ("Measure", public.get(f"/api/v1/measures/{drafting.measure.code}/")),
        ("CirculationDetail", staff.get(f"/api/v1/circulations/{circulation.pk}/")),
        ("CirculationDetail", kaz.get(f"/api/v1/circulations/{circulation.pk}/")),
    ]
    for row in staff.get("/api/v1/measures/?page_size=100").json()["results"]:
        bodies.append(("Measure", row))
    for row in staff.get("/api/v1/circulations/").json()["results"]:
        bodies.append(("Circulation", row))
    for row in staff.get("/api/v1/decisions/").json()["results"]:
        bodies.append(("Decision", row))
    errors = []
    for component, response in bodies:
        body = response if isinstance(response, dict) else response.json()
        for error in _validator(schema, component).iter_errors(body):
            errors.append(f"{component} {list(error.absolute_path)}: {error.message}")
    assert errors == []

    timeline = staff.get(f"/api/v1/initiatives/{drafting.pk}/").json()["timeline"]
    assert {"submit_paper", "circulate", "record_swg_decision"} <= {e["action"] for e in timeline}
    assert declared.json()["timeline"][0]["from_status"] == ""


def test_enum_names_are_chosen_not_generated(schema):
    """A name with a hash (``Kind31aEnum``) is what drf-spectacular makes of a
    collision: ENUM_NAME_OVERRIDES names every shared set instead."""
    names = [n for n, c in schema["components"]["schemas"].items() if "enum" in c]
    assert "InitiativeStatusEnum" in names
    assert [n for n in names if re.search(r"\d", n)] == []  # no hash in a name


@pytest.mark.django_db
def test_an_offer_without_its_french_description_matches_its_component(schema, api):
    """Only English is required of an offer's description: the admin stores
    an empty French one as NULL, and the schema says it may be null."""
    offer = CoordinatorOffer.objects.filter(scope="measure").first()
    assert offer is not None
    CoordinatorOffer.objects.filter(pk=offer.pk).update(description_fr=None)
    body = api.get(f"/api/v1/coordinator-offers/{offer.pk}/").json()
    assert body["descriptions"]["fr"] is None
    assert list(_validator(schema, "Offer").iter_errors(body)) == []


def test_a_nullable_nested_object_admits_null_by_openapi_3_0_3(schema):
    """drf-spectacular's ``allOf`` + ``nullable`` admits no null for a strict
    OpenAPI 3.0.3 validator; the hook writes one of the object or null."""
    prop = schema["components"]["schemas"]["Decision"]["properties"]["silence_circulation"]
    assert "allOf" not in prop
    assert prop["oneOf"][0] == {"$ref": "#/components/schemas/SilenceCirculation"}
    assert prop["oneOf"][1] == {"type": "object", "nullable": True, "enum": [None]}


def test_a_stored_documents_media_type_is_an_enum(schema):
    """A paper's or an attachment's ``content_type`` is one of the document
    types an upload may be (cica.uploads.DOCUMENT_MEDIA_TYPES)."""
    components = schema["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/DocumentMediaTypeEnum"}
    assert components["Paper"]["properties"]["content_type"] == ref
    assert components["Attachment"]["properties"]["content_type"] == ref
    assert components["DocumentMediaTypeEnum"]["enum"] == list(DOCUMENT_MEDIA_TYPES)
