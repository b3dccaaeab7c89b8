"""Delegate pages of the Catalogue and of initiatives. Thin: reads come from
the selectors, every action from ``measures.services``."""

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cica.errors import DomainError
from cica.pages import form_page, refused
from cica.uploads import refused_before_upload, stored_download
from members.rules import acting_for

from . import actions, selectors, services
from .forms import form_for_input
from .inputs import JoinInput
from .models import Initiative, Paper, PriorityArea
from .progress import progress_of
from .workflow import OPEN_STATUSES, Action

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .selectors import AnnotatedPaper


def _papers(initiative: Initiative) -> "Iterable[AnnotatedPaper]":
    """The initiative's papers as :func:`selectors.initiative_detail` prefetched
    them, with :func:`selectors.paper_annotated`'s flags (the related manager's
    type cannot say so)."""
    return cast("Iterable[AnnotatedPaper]", initiative.papers.all())


def catalogue(request):
    measures = list(selectors.measure_list_with_status())
    areas = []
    for area in PriorityArea.objects.order_by("order"):
        rows = []
        for measure in measures:
            if measure.area_id == area.pk:
                lead = selectors.measure_lead_initiative(measure)
                rows.append({"measure": measure, "lead": lead})
        areas.append({"area": area, "rows": rows})
    return render(request, "cica/catalogue.html", {"areas": areas})


def _already_in(participant, initiatives) -> bool:
    """Whether the state has declared interest in, or coordinates, one of
    these initiatives: declaring interest is then not offered again."""
    if participant is None:
        return False
    for initiative in initiatives:
        if initiative.declarations.filter(participant=participant).exists():
            return True
        if initiative.designations.filter(participant=participant, ended_on__isnull=True).exists():
            return True
    return False


def measure_page(request, code: str):
    measure = get_object_or_404(selectors.measure_list_with_status(), code=code.upper())
    initiatives = list(
        selectors.initiative_detail().filter(measure=measure).order_by("modality", "sequence")
    )
    context = {
        "measure": measure,
        "lead": selectors.measure_lead_initiative(measure),
        "initiatives": initiatives,
        "offers": selectors.measure_offers(measure),
        "adopted": selectors.measure_adopted_papers(measure),
        "internals": selectors.can_see_internals(request.user),
        "can_declare": request.user.has_perm("measures.declare_interest")
        and not _already_in(
            acting_for(request.user),
            [i for i in initiatives if i.status in OPEN_STATUSES],
        ),
    }
    return render(request, "cica/measure.html", context)


def initiative_page(request, pk: int):
    initiative = get_object_or_404(selectors.initiative_detail(), pk=pk)
    declared = _already_in(acting_for(request.user), [initiative])
    offered = [
        row
        for row in services.initiative_available_actions(user=request.user, initiative=initiative)
        if row["available"]
        and row["action"] in actions.delegate_actions()
        and not (declared and row["action"] == Action.DECLARE_INTEREST)
    ]
    context = {
        "initiative": initiative,
        "papers": selectors.papers_visible(request.user, initiative, _papers(initiative)),
        "internals": selectors.can_see_internals(request.user),
        "actions": offered,
        "progress": progress_of(initiative),
    }
    return render(request, "cica/initiative.html", context)


def _act_gate(request, pk: int, action: str):
    """Who may not take ``action`` on the initiative now is refused before
    the form is shown or its file read (issue 16 item 5): the service's own
    check of the action's preconditions, which reads no input."""
    initiative = Initiative.objects.select_related("measure").filter(pk=pk).first()
    if initiative is None or action not in actions.delegate_actions():
        return None  # the view's own 404
    refusal = services.initiative_refusal(actor=request.user, initiative=initiative, action=action)
    if refusal is None:
        return None
    return refused(request, refusal.message, refusal.status_code)


@login_required
@refused_before_upload(_act_gate)
def initiative_act(request, pk: int, action: str):
    """One delegate action on an initiative: its form, the service, the outcome."""
    initiative = get_object_or_404(Initiative.objects.select_related("measure"), pk=pk)
    if action not in actions.delegate_actions():
        return refused(request, _("This action is not taken on these pages."), 404)
    entry = actions.entry_for(action)
    label = entry.label(initiative.modality)
    form = entry.make_form(request.POST or None, request.FILES or None, initiative=initiative)
    url = reverse("initiative", args=[pk])
    if action == Action.WITHDRAW and request.method == "POST":
        # A withdrawal is restated and confirmed (a second POST with
        # confirm=1, validated again) before the service is called.
        if "cancel" in request.POST:
            messages.info(request, _("Nothing was withdrawn."))
            return redirect(url)
        # Someone who may not withdraw is refused at once (by the service),
        # not asked to confirm.
        may = services.initiative_refusal(actor=request.user, initiative=initiative, action=action)
        if request.POST.get("confirm") != "1" and may is None and form.is_valid():
            own = acting_for(request.user)
            return render(
                request,
                "cica/confirm.html",
                {
                    "title": label,
                    "form": form,
                    "restatement": _("%(state)s will withdraw from %(ref)s")
                    % {
                        "state": own.name if own else _("The secretariat"),
                        "ref": initiative.reference,
                    },
                    "confirm_label": _("Confirm"),
                    "cancel_label": _("Cancel"),
                },
            )
    return form_page(
        request,
        form=form,
        title=f"{label}: {initiative.measure.code} {initiative.measure.title}",
        on_valid=lambda f: services.initiative_act(
            actor=request.user, initiative=initiative, action=action, **f.service_kwargs()
        ),
        success_url=url,
        success_message=_("%(action)s: done.") % {"action": label},
        back_url=url,
    )


@login_required
def declare_interest(request, code: str):
    """Declare interest in a measure: creates its initiative or joins the open one."""
    measure = get_object_or_404(selectors.measure_list(), code=code.upper())
    # Whoever may not declare is told why instead of being shown the form.
    refusal = services.declaration_refusal(actor=request.user, measure=measure)
    if refusal is not None:
        return refused(request, refusal.message, refusal.status_code)
    # A declaration on the measure reads what joining an initiative reads.
    form = form_for_input(JoinInput)(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Declare interest in %(code)s") % {"code": measure.code},
        intro=measure.text,
        on_valid=lambda f: services.initiative_declare_interest(
            actor=request.user, measure=measure, **f.service_kwargs()
        ),
        success_url=reverse("measure", args=[measure.code]),
        success_message=_("Your state's interest in %(code)s is recorded.")
        % {"code": measure.code},
        back_url=reverse("measure", args=[measure.code]),
    )


def paper_download(request, pk: int):
    """A paper's file, for those who may read it, as a download (never inline)."""
    paper = Paper.objects.select_related("initiative").filter(pk=pk).first()
    if paper is None or not selectors.paper_visible_to(request.user, paper):
        # As if it did not exist: nobody learns that a draft does.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return refused(request, _("No paper with id %(id)s.") % {"id": pk}, 404)
    assert paper.file.name is not None  # a paper is saved with its file
    try:
        return stored_download(
            paper.file,
            filename=paper.symbol.replace("/", "_") + "." + paper.file.name.rsplit(".", 1)[-1],
            content_type=paper.content_type,
        )
    except DomainError as refusal:
        return refused(request, refusal.message, refusal.status_code)
