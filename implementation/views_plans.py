"""Pages of action plans (issue 17 item 1): a plan with its coordinators,
planned activities, decisions and history; its coordinators submit or amend
it from there (a POST, restated and confirmed, then the service)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cica.errors import DomainError
from cica.pages import refused
from measures.selectors import can_see_internals

from . import selectors
from .services import plans as services
from .services.plans import PlanAction

# The actions taken on the plan's page; the secretariat records decisions in
# the admin or through the API.
PAGE_ACTIONS = (PlanAction.SUBMIT, PlanAction.AMEND)


def _visible(request, pk: int):
    return (
        selectors.plan_detail()
        .filter(pk__in=selectors.plans_visible(request.user).values("pk"), pk=pk)
        .first()
    )


def plan_page(request, pk: int):
    plan = _visible(request, pk)
    if plan is None:
        return refused(request, _("No action plan with id %(id)s.") % {"id": pk}, 404)
    offered = [
        row
        for row in services.plan_available_actions(user=request.user, plan=plan)
        if row["available"] and row["action"] in PAGE_ACTIONS
    ]
    context = {
        "plan": plan,
        "actions": offered,
        "internals": can_see_internals(request.user),
        "decisions": plan.decisions.all(),
    }
    return render(request, "implementation/plan.html", context)


def _restatement(action: str, symbol: str) -> str:
    if action == PlanAction.SUBMIT:
        return _("%(symbol)s will be submitted to the Special Working Group.") % {"symbol": symbol}
    return _("A draft amendment of %(symbol)s will be started.") % {"symbol": symbol}


@login_required
def plan_act(request, pk: int, action: str):
    """Submit or amend a plan: the refusal at once, else a confirmation, then
    the service (on a POST with confirm=1)."""
    plan = _visible(request, pk)
    if plan is None:
        return refused(request, _("No action plan with id %(id)s.") % {"id": pk}, 404)
    if action not in PAGE_ACTIONS:
        return refused(request, _("This action is not taken on these pages."), 404)
    url = reverse("action-plan", args=[plan.pk])
    refusal = services.plan_refusal(actor=request.user, plan=plan, action=action)
    if refusal is not None:
        return refused(request, refusal.message, refusal.status_code)
    label = str(services.TABLE[action].label)
    if request.method == "POST" and "cancel" in request.POST:
        messages.info(request, _("Nothing was changed."))
        return redirect(url)
    if request.method != "POST" or request.POST.get("confirm") != "1":
        return render(
            request,
            "cica/confirm.html",
            {
                "title": f"{label}: {plan.symbol}",
                "form": forms.Form(),
                "restatement": _restatement(action, plan.symbol),
                "confirm_label": _("Confirm"),
                "cancel_label": _("Cancel"),
            },
        )
    try:
        if action == PlanAction.SUBMIT:
            result = services.plan_submit(actor=request.user, plan=plan)
        else:
            result = services.plan_amend(actor=request.user, plan=plan)
    except DomainError as error:
        return refused(request, error.message, error.status_code)
    messages.success(request, _("%(action)s: done.") % {"action": label})
    return redirect(reverse("action-plan", args=[result.pk]))


def measure_plan_context(measure) -> dict:
    """What the measure's page shows of its implementation: the plan in force."""
    return {"plan_in_force": selectors.plan_in_force(measure)}
