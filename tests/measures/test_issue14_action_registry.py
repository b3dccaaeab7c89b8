"""Issue 14 item 1: one registry of actions (``measures.actions``).

The test below walks the registry and proves every action is wired all the
way: a service, an input class, a label, a role rule, an admin form that
posts successfully for a user allowed to act, an API route in the URLconf and
the schema, and — for the actions delegates take — a page form that works.
A new action without its situation below fails here, by name.
"""

import dataclasses
import inspect
from collections.abc import Callable
from functools import partial
from types import MappingProxyType

import pytest
from django.core import checks
from django.http import QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from cica.errors import DomainError
from measures import actions, services
from measures.forms import ActionForm
from measures.inputs import ActionInput
from measures.models import Expert, Initiative, InitiativeEvent
from measures.workflow import TABLES, Action
from secretariat.models import Meeting
from tests.conftest import DEMO_PASSWORD
from tests.files import pdf
from tests.measures.test_issue13_admin_actions import CASES
from tests.measures.test_issue13_admin_actions import _data as staff_data
from tests.measures.test_issue13_available_actions import build

pytestmark = pytest.mark.django_db

# For each action: (user allowed to act, modality, status, what the initiative
# has, the form's input, the status after). Staff actions reuse the first
# admin case of issue 13 item 7; delegates' actions are below.
Situation = tuple[str, str, str, set[str], Callable[[], dict[str, object]], str]
SITUATIONS: dict[str, Situation] = {
    **{
        action: (user, modality, status, has, partial(staff_data, action), after)
        for user, action, modality, status, has, after in reversed(CASES)
    },
    Action.DECLARE_INTEREST: (
        "delegate-kaz",
        "a",
        "drafting",
        set(),
        lambda: {"statement": "Kazakhstan joins.", "volunteers_as_coordinator": ""},
        "drafting",
    ),
    Action.SUBMIT_PAPER: (
        "delegate-tjk",
        "a",
        "drafting",
        set(),
        lambda: {"file": pdf(), "language": "en", "note": ""},
        "drafting",
    ),
    Action.WITHDRAW: (
        "delegate-tjk",
        "a",
        "drafting",
        set(),
        lambda: {"reason": "Our experts moved on."},
        "withdrawn",
    ),
}


def _situation(entry):
    assert entry.action in SITUATIONS, f"give {entry.action!r} a situation in SITUATIONS"
    user, modality, status, has, data, after = SITUATIONS[entry.action]
    return user, build(modality, status, has), data, after


def _events(initiative):
    return InitiativeEvent.objects.filter(initiative=initiative)


def test_item1_the_registry_holds_exactly_the_workflow_actions():
    """issue 14 item 1: one entry per workflow action, every table's action included."""
    assert [e.action for e in actions.entries()] == list(Action.values)
    assert set(actions.REGISTRY) == set(Action.values)
    assert {a for table in TABLES.values() for a in table} <= set(actions.REGISTRY)


@pytest.mark.parametrize("entry", actions.entries(), ids=[e.action for e in actions.entries()])
def test_item1_every_action_is_wired_everywhere(client, people, entry):
    """issue 14 item 1: service, input, label, rule, admin form, API route, page form."""
    # Its parts.
    service = entry.service_function()
    assert callable(service)
    assert {"actor", "initiative"} <= set(inspect.signature(service).parameters)
    assert issubclass(entry.input, serializers.Serializer)
    assert issubclass(entry.form_class(), ActionForm)
    for modality in ("a", "b"):
        assert entry.label(modality)
        assert entry.label(modality) != entry.action
        assert entry.rule_for(modality).endswith(".")

    # The admin's form posts successfully for a user allowed to act.
    username, initiative, data, after = _situation(entry)
    user = people[username]
    if not user.is_staff:  # a delegate who is also an officer of the secretariat
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    assert client.login(username=username, password=DEMO_PASSWORD)
    act = reverse("admin:measures_initiative_act", args=[initiative.pk, entry.action])
    assert client.get(act).status_code == 200
    before = _events(initiative).count()
    response = client.post(act, data())
    assert response.status_code == 302, response.context and response.context["form"].errors
    initiative.refresh_from_db()
    assert initiative.status == after
    assert _events(initiative).count() == before + 1
    assert _events(initiative).latest("pk").action == entry.action

    # The API route is in the URLconf and in the schema, with the entry's input
    # (split into a request component by COMPONENT_SPLIT_REQUEST).
    path = f"/api/v1/initiatives/{initiative.pk}/{entry.route}/"
    route_name = f"api:initiative-{entry.action.replace('_', '-')}"
    assert reverse(route_name, args=[initiative.pk]) == path
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"][f"/api/v1/initiatives/{{id}}/{entry.route}/"]["post"]
    assert operation["summary"] == entry.summary
    bodies = operation["requestBody"]["content"].values()
    assert {b["schema"]["$ref"].rsplit("/", 1)[-1] for b in bodies} == {
        f"{entry.input.__name__}Request"
    }

    # A page form where delegates act; no page for the others.
    page = reverse("initiative-act", args=[initiative.pk, entry.action])
    if not entry.delegate:
        assert client.get(page).status_code == 404
        return
    client.logout()
    # A fresh initiative, the only open one on its measure (a declaration joins that one).
    Initiative.objects.filter(pk=initiative.pk).update(status="withdrawn")
    fresh_user, fresh, data, after = _situation(entry)
    assert client.login(username=fresh_user, password=DEMO_PASSWORD)
    form = client.get(reverse("initiative-act", args=[fresh.pk, entry.action]))
    assert form.status_code == 200
    assert b"<form" in form.content
    before = _events(fresh).count()
    # confirm=1: the page's confirmation step (a withdrawal asks for one, issue 16).
    response = client.post(
        reverse("initiative-act", args=[fresh.pk, entry.action]), {**data(), "confirm": "1"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh.refresh_from_db()
    assert fresh.status == after
    assert _events(fresh).count() == before + 1


def test_item1_the_delegate_pages_take_the_registrys_delegate_actions():
    """issue 14 item 1: the pages' action set is derived from the registry."""
    assert {
        Action.DECLARE_INTEREST,
        Action.SUBMIT_PAPER,
        Action.WITHDRAW,
    } == actions.delegate_actions()


def test_item1_the_role_refusal_quotes_the_registrys_rule(people):
    """issue 14 item 1: the refusal's text is the entry's rule, per modality."""
    entry = actions.REGISTRY[Action.SUBMIT_PAPER]
    for modality in ("a", "b"):
        initiative = build(modality, "drafting", {"charged"} if modality == "b" else set())
        refused = services.initiative_refusal(
            actor=people["delegate-chn"], initiative=initiative, action=Action.SUBMIT_PAPER
        )
        assert refused is not None
        assert refused.status_code == 403
        assert refused.message.endswith(entry.rule_for(modality))
    assert entry.rule_for("a") != entry.rule_for("b")


def test_item1_the_system_check_passes_on_the_registry():
    """issue 14 item 1: the project starts: no registry error."""
    found = [m for m in checks.run_checks() if m.id and m.id.startswith("measures.E")]
    assert found == []


def _broken(**changes):
    registry = dict(actions.REGISTRY)
    for action, change in changes.items():
        if change is None:
            del registry[action]
        else:
            registry[action] = dataclasses.replace(actions.REGISTRY.get(action, change), **change)
    return MappingProxyType(registry)


def test_item1_the_system_check_fails_on_an_unwired_action():
    """issue 14 item 1: a workflow action without an entry is an error at start-up."""
    errors = actions.registry_errors(_broken(circulate=None))
    assert [(e.id, e.obj) for e in errors] == [("measures.E001", "circulate")]
    assert isinstance(errors[0], checks.Error)


class _Underivable(ActionInput):
    """An input no form can be derived from (no form field for free JSON)."""

    payload = serializers.JSONField()


@pytest.mark.parametrize(
    ("change", "lacks"),
    [
        ({"service": "measures.services.initiative_fly_to_the_moon"}, "service"),
        ({"input": None}, "input"),
        ({"input": serializers.Serializer}, "input"),
        ({"input": _Underivable}, "form"),
        ({"rule": ""}, "rule"),
        ({"route": ""}, "route"),
    ],
)
def test_item1_the_system_check_fails_on_an_incomplete_entry(change, lacks):
    """issue 14 item 1: an entry missing a part is an error at start-up."""
    errors = actions.registry_errors(_broken(withdraw=change))
    assert [(e.id, e.obj) for e in errors] == [("measures.E002", "withdraw")]
    assert errors[0].msg.endswith(f"lacks: {lacks}.")


def test_item1_the_system_check_fails_on_an_entry_for_no_action():
    """issue 14 item 1: an entry for an action the workflow does not know is an error."""
    stray = dataclasses.replace(actions.REGISTRY[Action.WITHDRAW], action="fly_to_the_moon")
    registry = MappingProxyType({**actions.REGISTRY, "fly_to_the_moon": stray})
    assert [(e.id, e.obj) for e in actions.registry_errors(registry)] == [
        ("measures.E003", "fly_to_the_moon")
    ]


def test_item1_an_unknown_action_is_refused_at_the_single_door(people):
    """issue 14 item 1: the dispatch knows only the registry's actions."""
    initiative = build("a", "drafting", set())
    with pytest.raises(DomainError):
        services.initiative_act(
            actor=people["secretariat"], initiative=initiative, action="fly_to_the_moon"
        )
    with pytest.raises(LookupError):
        actions.form_for("fly_to_the_moon")


def _api_input(action: str) -> dict[str, object]:
    """What an API client sends for ``action`` (as issue 13 item 5's tests do)."""
    if action == Action.SUBMIT_PAPER:
        return {"file": pdf(), "language": "en"}
    meeting = {
        body: Meeting.objects.filter(body=body).order_by("-pk").values_list("pk", flat=True).first()
        for body in ("specialised", "swg", "soc")
    }
    inputs: dict[str, dict[str, object]] = {
        Action.DECLARE_INTEREST: {},
        Action.OPEN_CONSULTATION: {},
        Action.DESIGNATE_COORDINATORS: {"coordinators": ["KAZ"]},
        Action.CHARGE_EXPERTS: {
            "meeting": meeting["specialised"],
            "experts": list(Expert.objects.values_list("pk", flat=True)),
        },
        Action.CIRCULATE: {"deadline": "2099-01-31"},
        Action.REFER_TO_SWG: {},
        Action.RECORD_SWG_DECISION: {"meeting": meeting["swg"], "outcome": "approved"},
        Action.RECORD_SOC_DECISION: {"meeting": meeting["soc"], "outcome": "approved"},
        Action.WITHDRAW: {"reason": "test"},
    }
    return inputs[action]


def _posted(data: dict[str, object]) -> tuple[QueryDict, MultiValueDict[str, object]]:
    """``data`` as a browser posts it (and an API client posting multipart)."""
    fields = QueryDict(mutable=True)
    files: MultiValueDict[str, object] = MultiValueDict()
    for name, value in data.items():
        if hasattr(value, "read"):
            files[name] = value
        elif isinstance(value, list):
            fields.setlist(name, [str(v) for v in value])
        else:
            fields[name] = str(value)
    return fields, files


@pytest.mark.parametrize("entry", actions.entries(), ids=[e.action for e in actions.entries()])
def test_item1_every_actions_form_is_derived_from_its_input(entry):
    """issue 14 item 1: an action has one input class. The admin's and the
    pages' form is derived from it: the same fields in the same order, the
    same labels and required flags, and for the same valid data (what the
    admin's form posts) the same service arguments as the API's input; the
    service takes every one of them."""
    assert not hasattr(entry, "form")
    _user, initiative, data, _after = _situation(entry)
    form = entry.make_form(*_posted(data()), initiative=initiative)
    assert isinstance(form, ActionForm)
    assert form.input_class is entry.input
    declared = entry.input().fields
    assert list(form.fields) == list(declared)
    for name, field in declared.items():
        required = field.required or getattr(field, "allow_empty", True) is False
        if isinstance(field, serializers.BooleanField):
            required = False  # an unticked box is "no"
        assert form.fields[name].required == required, name
        assert form.fields[name].label == field.label, name
        assert field.label, f"give {entry.input.__name__}.{name} a label"
    assert form.is_valid(), form.errors
    fields, files = _posted(data())
    merged = fields.copy()  # as DRF's request.data merges a multipart body's files
    merged.update(files)  # type: ignore[arg-type]  # the stubs take a QueryDict's values as text
    serializer = entry.input(data=merged)
    assert serializer.is_valid(), serializer.errors
    from_form, from_api = form.service_kwargs(), serializer.service_kwargs()
    assert _comparable(from_form) == _comparable(from_api)
    parameters = set(inspect.signature(entry.service_function()).parameters)
    assert set(from_form) | set(entry.fixed) <= parameters


def _comparable(kwargs: dict[str, object]) -> dict[str, object]:
    """Service arguments with uploads compared by content."""
    return {k: v.read() if hasattr(v, "read") else v for k, v in kwargs.items()}


@pytest.mark.parametrize("entry", actions.entries(), ids=[e.action for e in actions.entries()])
def test_item1_the_api_takes_the_actions_input(entry):
    """issue 14 item 1: what an API client sends for each action is valid for
    the entry's input and gives the service arguments it takes."""
    _situation(entry)  # the meetings and experts the input names
    serializer = entry.input(data=_api_input(entry.action))
    assert serializer.is_valid(), serializer.errors
    parameters = set(inspect.signature(entry.service_function()).parameters)
    assert set(serializer.service_kwargs()) | set(entry.fixed) <= parameters
