"""The delegate's reporting pages (issue 17 items 3 and 6): my state's
returns due, a cycle's areas each with its nil-return button, the national
report and the progress report forms, a return with its versions and its
correction. Thin: what is owed is read from
``implementation.services.reporting_pages``, every write is a service of
``implementation.services.reporting``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cica.errors import Conflict, DomainError, Forbidden, NotFound
from cica.pages import refused
from cica.uploads import refused_before_upload
from measures.forms import document_field_check
from measures.models import Measure
from members.models import ParticipationStatus
from members.rules import acting_for, is_chair_office, is_secretariat

from .models import Activity, ReportingCycle, Return, ReturnKind, ReturnStatus, Visibility
from .selectors import activities_visible, coordinator_ids, returns_visible
from .services import reporting as services
from .services import reporting_pages as pages

# A report's text: room for a real report, not for a flood.
REPORT_TEXT_LIMIT = 50000
NOTE_LIMIT = 2000


def in_words(moment) -> str:
    """A date in words in the reader's language: "3 March 2028", "3 марта 2028"."""
    if moment is None:
        return ""
    if hasattr(moment, "hour"):
        moment = timezone.localtime(moment).date()
    return dateformat.format(moment, "j E Y")


def _url(name: str, *args) -> str:
    """A page of another part of issue 17, if it is there (linked, not required)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _public_links(cycles) -> list[dict]:
    return [
        {
            "cycle": c,
            "report": _url("consolidated-report", c.year),
            "participation": _url("participation", c.year),
        }
        for c in cycles
    ]


def _refusal_page(request, error: DomainError):
    return refused(request, error.message, error.status_code)


# --- my state's returns ---------------------------------------------------------------


@login_required
def reporting(request):
    """What my state owes in the open cycles and filed in the past ones; the
    secretariat and the Chair get the cycles' pages; an observer is told it
    owes nothing."""
    participant = acting_for(request.user)
    cycles = list(ReportingCycle.objects.order_by("-year"))
    context: dict = {"participant": participant, "links": _public_links(cycles)}
    if participant is None:
        context["staff"] = is_secretariat(request.user) or is_chair_office(request.user)
        return render(request, "implementation/reporting_staff.html", context)
    if participant.status_on() != ParticipationStatus.MEMBER:
        return render(request, "implementation/reporting_observer.html", context)
    context["due"] = pages.owed_by(participant)
    context["past"] = pages.past_cycles(participant)
    return render(request, "implementation/reporting.html", context)


@login_required
def reporting_cycle(request, year: int):
    """One cycle for my state: a card per area owed with its status, the
    nil-return button and the report's form; the progress reports owed."""
    try:
        cycle = pages.cycle_of(year)
    except NotFound as error:
        return _refusal_page(request, error)
    participant = acting_for(request.user)
    links = _public_links([cycle])[0]
    if participant is None:
        context = {"participant": None, "links": [links], "cycle": cycle}
        context["staff"] = is_secretariat(request.user) or is_chair_office(request.user)
        return render(request, "implementation/reporting_staff.html", context)
    owed = next(
        (
            o
            for o in pages.owed_by(participant, closed=cycle.closed_at is not None)
            if o.cycle.pk == cycle.pk
        ),
        None,
    )
    if owed is None or (not owed.member and not owed.progress):
        return render(
            request,
            "implementation/reporting_observer.html",
            {"participant": participant, "links": [links], "cycle": cycle},
        )
    return render(
        request,
        "implementation/reporting_cycle.html",
        {"participant": participant, "owed": owed, "cycle": cycle, "links": links},
    )


# --- the nil return ---------------------------------------------------------------


def _area_gate(request, year: int, area: str, kind: str = ReturnKind.NIL_RETURN):
    """Who may not file for the area now is refused before the body is read
    (issue 16 item 5): the cycle and the area, then the service's refusal."""
    try:
        cycle = pages.cycle_of(year)
        subject = pages.area_of(cycle, area)
    except NotFound as error:
        return _refusal_page(request, error)
    _participant, refusal = pages.filer_refusal(
        actor=request.user, cycle=cycle, kind=kind, area=subject
    )
    return None if refusal is None else _refusal_page(request, refusal)


@login_required
@refused_before_upload(_area_gate)
@require_POST
def return_nil(request, year: int, area: str):
    """ "Nothing to report for this period": the first POST restates what
    will be recorded; the second (``confirm=1``) records it."""
    cycle = pages.cycle_of(year)
    subject = pages.area_of(cycle, area)
    participant = acting_for(request.user)
    assert participant is not None  # the gate let only a state's delegate through
    back = reverse("reporting-cycle", args=[year])
    if "cancel" in request.POST:
        messages.info(request, _("Nothing was recorded."))
        return redirect(back)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "implementation/confirm.html",
            {
                "title": _("Nil return"),
                "restatement": _("%(state)s will record a nil return for %(area)s, %(year)s cycle")
                % {"state": participant.name, "area": subject.name, "year": cycle.year},
                "action": reverse("return-nil", args=[year, subject.code]),
                "confirm_label": _("Confirm"),
                "back": back,
            },
        )
    try:
        ret = services.return_nil(
            actor=request.user, cycle=cycle, participant=participant, area=subject
        )
    except DomainError as error:
        return _refusal_page(request, error)
    messages.success(
        request, _("Nil return recorded on %(date)s.") % {"date": in_words(ret.submitted_at)}
    )
    return redirect("return", pk=ret.pk)


# --- the national report and the progress report --------------------------------------


class ReportForm(forms.Form):
    measures: forms.ModelMultipleChoiceField[Measure] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Measures concerned"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    activities: forms.ModelMultipleChoiceField[Activity] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Activities we took part in or hosted"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("From the activities register, in this area and year."),
    )
    text = forms.CharField(
        label=gettext_lazy("Text of the report"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        max_length=REPORT_TEXT_LIMIT,
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Visible to"), choices=Visibility.choices)
    attachment = forms.FileField(
        label=gettext_lazy("Attachment (PDF, DOCX or ODT)"), required=False
    )

    def __init__(self, *args, measures, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = measures  # type: ignore[attr-defined]
        self.fields["activities"].queryset = activities  # type: ignore[attr-defined]
        if not measures.exists():
            del self.fields["measures"]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return document_field_check(upload) if upload else None


def _report(request, *, cycle: ReportingCycle, kind: str, area=None, measure=None):
    """The report's form: "Save draft" keeps it; "Submit" saves it and
    restates what will be submitted; "Confirm" submits it."""
    participant = acting_for(request.user)
    assert participant is not None  # the gate let only a state's delegate through
    slot = {"area": area} if area is not None else {"measure": measure}
    draft = Return.objects.filter(cycle=cycle, participant=participant, **slot).first()
    here = request.get_full_path()
    if area is not None:
        subject_name = area.name
        concerned = Measure.objects.filter(area=area).order_by("sort_key")
        activities = activities_visible(request.user).filter(measure__area=area)
    else:
        subject_name = f"{measure.code} {measure.title}"
        concerned = Measure.objects.none()
        activities = activities_visible(request.user).filter(measure=measure)
    activities = activities.filter(starts_on__year=cycle.year).order_by("starts_on", "pk")
    if request.method == "POST" and request.POST.get("confirm") == "1":
        if draft is None:
            return _refusal_page(request, NotFound(_("There is no draft to submit.")))
        try:
            ret = services.return_submit(actor=request.user, ret=draft)
        except DomainError as error:
            return _refusal_page(request, error)
        messages.success(
            request, _("Report submitted on %(date)s.") % {"date": in_words(ret.submitted_at)}
        )
        return redirect("return", pk=ret.pk)
    if request.method == "POST" and "cancel" in request.POST:
        return redirect(here)
    initial = {}
    if draft is not None:
        initial = {
            "text": draft.text,
            "visibility": draft.visibility,
            "measures": list(draft.measures.all()),
            "activities": list(draft.activities.all()),
        }
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial=initial or {"visibility": Visibility.MEMBERS_AND_OBSERVERS},
        measures=concerned,
        activities=activities,
    )
    refusal, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ret = services.return_save(
                    actor=request.user,
                    cycle=cycle,
                    participant=participant,
                    kind=kind,
                    area=area,
                    measure=measure,
                    text=data["text"],
                    measures=data.get("measures", []),
                    activities=data["activities"],
                    visibility=data["visibility"],
                )
                if data.get("attachment"):
                    services.return_attach(actor=request.user, ret=ret, file=data["attachment"])
            except DomainError as error:
                refusal, status = str(error.message), error.status_code
            else:
                if "submit" in request.POST:
                    submit_refusal = services.return_submit_refusal(ret)
                    if submit_refusal is not None:
                        refusal = str(submit_refusal.message)
                        status = submit_refusal.status_code
                    else:
                        return render(
                            request,
                            "implementation/confirm.html",
                            {
                                "title": _("Submit the report"),
                                "restatement": _(
                                    "%(state)s will submit its report for %(subject)s, "
                                    "%(year)s cycle"
                                )
                                % {
                                    "state": participant.name,
                                    "subject": subject_name,
                                    "year": cycle.year,
                                },
                                "action": here,
                                "confirm_label": _("Confirm"),
                                "back": here,
                            },
                        )
                else:
                    messages.success(request, _("Draft saved."))
                    return redirect(here)
        else:
            status = 400
    title = (
        _("Progress report on %(subject)s, %(year)s cycle")
        if kind == ReturnKind.PROGRESS_REPORT
        else _("National report for %(subject)s, %(year)s cycle")
    ) % {"subject": subject_name, "year": cycle.year}
    return render(
        request,
        "implementation/return_edit.html",
        {
            "title": title,
            "form": form,
            "draft": draft,
            "refusal": refusal,
            "cycle": cycle,
            "back": reverse("reporting-cycle", args=[cycle.year]),
        },
        status=status,
    )


@login_required
@refused_before_upload(lambda request, year, area: _area_gate(request, year, area, "report"))
def return_edit(request, year: int, area: str):
    cycle = pages.cycle_of(year)
    return _report(
        request,
        cycle=cycle,
        kind=ReturnKind.NATIONAL_REPORT,
        area=pages.area_of(cycle, area),
    )


def _progress_subject(year: int, code: str):
    cycle = pages.cycle_of(year)
    measure = next((m for m in services.cycle_measures(cycle) if m.code == code.upper()), None)
    if measure is None:
        raise NotFound(
            _("The %(year)s cycle does not cover %(code)s.")
            % {"year": cycle.year, "code": code[:16]}
        )
    return cycle, measure


def _progress_gate(request, year: int, code: str):
    try:
        cycle, measure = _progress_subject(year, code)
    except NotFound as error:
        return _refusal_page(request, error)
    participant, refusal = pages.filer_refusal(
        actor=request.user, cycle=cycle, kind=ReturnKind.PROGRESS_REPORT
    )
    if refusal is None and participant is not None:
        if participant.pk not in coordinator_ids(measure):
            refusal = Forbidden(
                _("Only the coordinators of %(code)s file its progress report.")
                % {"code": measure.code}
            )
        elif Return.objects.filter(
            cycle=cycle, participant=participant, measure=measure, status=ReturnStatus.SUBMITTED
        ).exists():
            refusal = Conflict(_("This return was submitted: correct it to change it."))
    return None if refusal is None else _refusal_page(request, refusal)


@login_required
@refused_before_upload(_progress_gate)
def progress_edit(request, year: int, code: str):
    cycle, measure = _progress_subject(year, code)
    return _report(request, cycle=cycle, kind=ReturnKind.PROGRESS_REPORT, measure=measure)


# --- a return, its versions and its correction -----------------------------------------


def _visible_return(request, pk: int):
    return returns_visible(request.user).filter(pk=pk).first()


def _not_visible(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return refused(request, _("This return is not visible to you."), 404)


def return_page(request, pk: int):
    """A return as filed, its versions with dates and correction notes; its
    state's delegates may correct it while the cycle is open."""
    ret = _visible_return(request, pk)
    if ret is None:
        return _not_visible(request)
    own = acting_for(request.user)
    may_correct = (
        ret.status == ReturnStatus.SUBMITTED
        and own is not None
        and own.pk == ret.participant_id
        and services.return_refusal(actor=request.user, cycle=ret.cycle, participant=own) is None
    )
    may_edit = ret.status == ReturnStatus.DRAFT and own is not None and own.pk == ret.participant_id
    edit_url = ""
    if may_edit:
        edit_url = (
            reverse("progress-edit", args=[ret.cycle.year, ret.measure.code])
            if ret.measure is not None
            else reverse("return-edit", args=[ret.cycle.year, ret.area.code])
        )
    versions = list(ret.versions.select_related("submitted_by").order_by("-version"))
    return render(
        request,
        "implementation/return.html",
        {
            "ret": ret,
            "state": pages.return_state(ret),
            "state_label": pages.STATES[pages.return_state(ret)],
            "versions": versions,
            "attachments": list(ret.attachments.all()),
            "measures": list(ret.measures.all()),
            "activities": list(ret.activities.all()),
            "may_correct": may_correct,
            "edit_url": edit_url,
            "recorded_on": in_words(ret.first_submitted_at),
            "own": own is not None and own.pk == ret.participant_id,
        },
    )


class CorrectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What the correction changes"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of return"),
        choices=[
            (ReturnKind.NATIONAL_REPORT, ReturnKind.NATIONAL_REPORT.label),
            (ReturnKind.NIL_RETURN, ReturnKind.NIL_RETURN.label),
        ],
    )
    text = forms.CharField(
        label=gettext_lazy("Text of the report"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=REPORT_TEXT_LIMIT,
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, progress: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if progress:
            del self.fields["kind"]


def _correct_gate(request, pk: int):
    ret = _visible_return(request, pk)
    if ret is None:
        return refused(request, _("This return is not visible to you."), 404)
    own = acting_for(request.user)
    if own is None or own.pk != ret.participant_id:
        return refused(request, _("Only the state's own delegates correct its returns."), 403)
    refusal = services.return_refusal(actor=request.user, cycle=ret.cycle, participant=own)
    if refusal is None and ret.status != ReturnStatus.SUBMITTED:
        refusal = Conflict(_("A draft is edited, not corrected."))
    return None if refusal is None else _refusal_page(request, refusal)


@login_required
@refused_before_upload(_correct_gate)
def return_correct(request, pk: int):
    """Correct a submitted return: a new version with a note; the earlier kept."""
    ret = _visible_return(request, pk)
    assert ret is not None  # the gate
    progress = ret.kind == ReturnKind.PROGRESS_REPORT
    form = CorrectForm(
        request.POST or None,
        initial={"kind": ret.kind, "text": ret.text, "visibility": ret.visibility},
        progress=progress,
    )
    refusal, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.return_correct(
                    actor=request.user,
                    ret=ret,
                    note=data["note"],
                    kind=data.get("kind"),
                    text=data["text"],
                    visibility=data["visibility"],
                )
            except DomainError as error:
                refusal, status = str(error.message), error.status_code
            else:
                messages.success(request, _("Correction recorded."))
                return redirect("return", pk=ret.pk)
        else:
            status = 400
    return render(
        request,
        "implementation/return_correct.html",
        {"ret": ret, "form": form, "refusal": refusal},
        status=status,
    )
