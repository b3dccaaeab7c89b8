"""The registry of workflow actions: one entry per action of the table.

:mod:`measures.workflow` says when an action is allowed and where it leads;
this module says how each action is wired: the service that takes it, the
input it reads (one serializer: the API reads it, and the admin's and the
pages' form is derived from it), the rule quoted when a role may not take
it, whether delegates take it on the pages, and its API route. Everything
that offers an action reads it from here: the role-refusal text and the
dispatch in ``measures.services``, the admin's buttons and forms, the
delegate pages, the API's routes and ``actions/``. Adding an action is one
entry plus its service. measures registers the entries of the actions it
carries out (below); the secretariat registers those of meetings,
circulations and decisions (charge experts, circulate, refer to the SWG,
record a decision) from ``secretariat/actions.py``, with their
preconditions, so that measures never imports the app above it.

A workflow action without an entry, or an entry missing one of its parts, is
an error when the project starts (the system check :func:`registry_check`).

Services are named by dotted path, not imported: ``measures.services`` reads
this registry (the refusal text, the dispatch), so importing it here would be
a cycle. The check resolves every path at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.contrib.auth.models import User
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import forms, inputs
from .models import Initiative, InitiativeEvent
from .workflow import Action, action_label

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from cica.errors import DomainError

# What an action's service returns: the initiative as saved and the timeline
# event written (a declaration of interest: whether it created the initiative).
ActionResult = tuple[Initiative, InitiativeEvent | bool]
ActionService = Callable[..., ActionResult]
Precondition = Callable[..., "DomainError | None"]


@dataclass(frozen=True)
class ActionEntry:
    action: str
    # Dotted path of the service; it takes ``actor``, ``initiative`` and the
    # input's ``service_kwargs()`` (plus ``fixed``).
    service: str
    # The action's one input: the API's serializer, from which the admin's and
    # the pages' form is derived (:meth:`make_form`).
    input: type[inputs.ActionInput]
    # Why a role may not take the action, in modality (a) and, where it reads
    # differently, in modality (b).
    rule: str | StrPromise
    rule_b: str | StrPromise = ""
    # Delegates take it on the initiative's page (staff act in the admin).
    delegate: bool = False
    # ``POST /api/v1/initiatives/{id}/<route>/`` and its schema summary.
    route: str = ""
    summary: str = ""
    # Keyword arguments this action always gives its service and its form.
    fixed: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    # Dotted path of the action's own preconditions, beyond the table and the
    # role: called by ``initiative_refusal`` with ``initiative`` and
    # ``by_silence``; returns the refusal or ``None``.
    precondition: str = ""

    def label(self, modality: str = "a") -> str:
        """The workflow's name of the action, as a user of this modality reads it."""
        return action_label(self.action, modality)

    def rule_for(self, modality: str = "a") -> str:
        return str(self.rule_b or self.rule) if modality == "b" else str(self.rule)

    def service_function(self) -> ActionService:
        service: ActionService = import_string(self.service)
        return service

    def precondition_function(self) -> Precondition:
        check: Precondition = import_string(self.precondition)
        return check

    def run(self, *, actor: User, initiative: Initiative, **kwargs: object) -> ActionResult:
        return self.service_function()(actor=actor, initiative=initiative, **self.fixed, **kwargs)

    def form_class(self) -> type[forms.ActionForm]:
        """The admin's and the pages' form, derived from the input."""
        return forms.form_for_input(self.input)

    def make_form(
        self, *args: Any, initiative: Initiative | None = None, **kwargs: Any
    ) -> forms.ActionForm:
        return self.form_class()(*args, initiative=initiative, fixed=self.fixed, **kwargs)


_SERVICES = "measures.services."

_MEASURES_ACTIONS: tuple[ActionEntry, ...] = (
    ActionEntry(
        action=Action.DECLARE_INTEREST,
        service=_SERVICES + "initiative_join",
        input=inputs.JoinInput,
        rule=_("only a delegate of a member state declares interest."),
        delegate=True,
        route="declare-interest",
        summary="Declare interest in this initiative's measure",
    ),
    ActionEntry(
        action=Action.OPEN_CONSULTATION,
        service=_SERVICES + "initiative_open_consultation",
        input=inputs.ReasonInput,
        rule=_("the Chair or the secretariat opens the consultation."),
        route="open-consultation",
        summary="Open the Chair's consultation on coordinators",
    ),
    ActionEntry(
        action=Action.DESIGNATE_COORDINATORS,
        service=_SERVICES + "initiative_designate_coordinators",
        input=inputs.DesignateInput,
        rule=_("the Chair or the secretariat designates coordinators."),
        route="designate-coordinators",
        summary="Designate coordinator and co-coordinator states",
    ),
    ActionEntry(
        action=Action.SUBMIT_PAPER,
        service=_SERVICES + "initiative_submit_paper",
        input=inputs.SubmitPaperInput,
        rule=_("only a delegate of a coordinator state submits the concept paper."),
        # Modality (b): no coordinators; the states whose experts are
        # responsible for the working paper take their place.
        rule_b=_(
            "only a delegate of a state whose expert is responsible for the working paper "
            "submits it."
        ),
        delegate=True,
        route="submit-paper",
        summary="Submit a concept or working paper (a new version); multipart",
    ),
    ActionEntry(
        action=Action.WITHDRAW,
        service=_SERVICES + "initiative_withdraw",
        input=inputs.WithdrawInput,
        rule=_("the secretariat or a coordinator state's delegate withdraws."),
        rule_b=_(
            "the secretariat or a delegate of a state whose expert is responsible for the "
            "working paper withdraws."
        ),
        delegate=True,
        route="withdraw",
        summary="Withdraw the initiative",
    ),
)

_ENTRIES: dict[str, ActionEntry] = {}
# Every registered entry by action (a live, read-only view).
REGISTRY: Mapping[str, ActionEntry] = MappingProxyType(_ENTRIES)


def register(*entries: ActionEntry) -> None:
    """Declare the entries of the actions an app carries out. measures
    registers its own below; an app above it registers the actions it carries
    out from its ``AppConfig.ready()`` (secretariat: ``secretariat/actions.py``).
    Two entries for one action are a programming error."""
    for entry in entries:
        if entry.action in _ENTRIES and _ENTRIES[entry.action] is not entry:
            raise ImproperlyConfigured(f"Two registry entries for the action {entry.action!r}.")
        _ENTRIES[entry.action] = entry


@dataclass(frozen=True)
class InitiativeRoute:
    """Another ``POST /api/v1/initiatives/{id}/<route>/`` that an app above
    measures carries out and that is not a workflow action of the table (the
    secretariat's silence procedure). ``handler`` is the dotted path of a
    function taking ``actor``, ``initiative`` and the input's validated data;
    ``description`` is the operation's description in the schema."""

    name: str
    route: str
    summary: str
    description: str
    input: type[serializers.Serializer[Any]]
    handler: str


_ROUTES: dict[str, InitiativeRoute] = {}


def register_route(route: InitiativeRoute) -> None:
    """Declare an initiative route (from the app's ``AppConfig.ready()``)."""
    if route.name in _ROUTES and _ROUTES[route.name] is not route:
        raise ImproperlyConfigured(f"Two initiative routes named {route.name!r}.")
    _ROUTES[route.name] = route


def initiative_routes() -> tuple[InitiativeRoute, ...]:
    return tuple(_ROUTES[name] for name in sorted(_ROUTES))


def entries() -> tuple[ActionEntry, ...]:
    """The registered entries in the workflow's order of actions."""
    return tuple(_ENTRIES[action] for action in Action.values if action in _ENTRIES)


def delegate_actions() -> frozenset[str]:
    """The actions a delegate takes on the initiative's page."""
    return frozenset(entry.action for entry in _ENTRIES.values() if entry.delegate)


register(*_MEASURES_ACTIONS)


def entry_for(action: str) -> ActionEntry:
    """The registry's entry, or :class:`LookupError` for an action it does not know."""
    try:
        return REGISTRY[action]
    except KeyError:
        raise LookupError(f"No registry entry for the workflow action {action!r}.") from None


def form_for(
    action: str, *args: Any, initiative: Initiative | None = None, **kwargs: Any
) -> forms.ActionForm:
    """The admin's form for one workflow action. An action without an entry is
    a programming error, never a silent fallback to a form that lacks the
    action's input (issue 13 item 7)."""
    return entry_for(action).make_form(*args, initiative=initiative, **kwargs)


def registry_errors(registry: Mapping[str, ActionEntry]) -> list[checks.CheckMessage]:
    """What is missing from ``registry`` for the workflow to run: an entry for
    every workflow action, and in each its service, input (an
    :class:`~measures.inputs.ActionInput` a form can be derived from), label
    and role rule."""
    errors: list[checks.CheckMessage] = []
    for action in Action.values:
        entry = registry.get(action)
        if entry is None:
            errors.append(
                checks.Error(
                    f"The workflow action {action!r} has no entry in the action registry.",
                    hint="Register an ActionEntry for it (measures.actions.register).",
                    obj=action,
                    id="measures.E001",
                )
            )
            continue
        missing: list[str] = []
        try:
            if not callable(entry.service_function()):
                missing.append("service")
        except ImportError:
            missing.append("service")
        if not (isinstance(entry.input, type) and issubclass(entry.input, inputs.ActionInput)):
            missing.append("input")
        else:
            try:
                entry.form_class()
            except TypeError:
                missing.append("form")
        if not all(entry.label(modality) for modality in ("a", "b")):
            missing.append("label")
        if not all(entry.rule_for(modality) for modality in ("a", "b")):
            missing.append("rule")
        if not (entry.route and entry.summary):
            missing.append("route")
        if missing:
            errors.append(
                checks.Error(
                    f"The action registry's entry for {action!r} lacks: {', '.join(missing)}.",
                    obj=action,
                    id="measures.E002",
                )
            )
    for action in set(registry) - set(Action.values):
        errors.append(
            checks.Error(
                f"The action registry has an entry for {action!r}, which is no workflow action.",
                obj=action,
                id="measures.E003",
            )
        )
    return errors


@checks.register()
def registry_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    return registry_errors(REGISTRY)
