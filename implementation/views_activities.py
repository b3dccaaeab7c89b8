"""Delegate pages of the activities register (issue 17 item 2): the list
(the activities of the measures we coordinate first), one page per activity
with its documents, history and status buttons, and the forms to enter and
change one. Thin: the services decide, the pages say why they refuse."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import validators
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cica.errors import DomainError
from cica.pages import form_page, refused
from cica.uploads import refused_before_upload, stored_download
from measures.forms import document_field_check
from measures.models import Measure
from measures.workflow import Status
from members.models import Participant, ParticipantKind, ParticipationStatus
from members.rules import acting_for, is_secretariat

from .api_activities import activity_document
from .models import Activity, ActivityKind, ActivityStatus, DocumentKind, Visibility
from .selectors import activities_visible, measures_coordinated_by
from .services import activities as services

NOT_VISIBLE = gettext_lazy("No activity %(id)s visible to you.")


def _visible(request, pk: int) -> Activity | None:
    return (
        activities_visible(request.user)
        .select_related("measure", "host", "plan", "planned")
        .prefetch_related("co_organisers", "participants", "documents", "events")
        .filter(pk=pk)
        .first()
    )


def activity_list(request):
    """The activities visible to the reader; for a delegate whose state
    coordinates measures, theirs first, with "New activity"."""
    visible = activities_visible(request.user).select_related("measure", "host")
    own = acting_for(request.user)
    ours: list[Activity] = []
    if own is not None:
        coordinated = measures_coordinated_by(own)
        ours = list(visible.filter(measure__in=coordinated).order_by("-starts_on", "pk")[:200])
    others = visible.exclude(pk__in=[a.pk for a in ours]).order_by("-starts_on", "pk")[:200]
    can_enter = (
        request.user.is_authenticated and services.activity_refusal(actor=request.user) is None
    )
    return render(
        request,
        "implementation/activities.html",
        {"ours": ours, "activities": list(others), "can_enter": can_enter, "own": own},
    )


def activity_page(request, pk: int):
    activity = _visible(request, pk)
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    may_edit = (
        request.user.is_authenticated
        and services.activity_refusal(actor=request.user, activity=activity) is None
    )
    statuses = services.activity_available_statuses(actor=request.user, activity=activity)
    return render(
        request,
        "implementation/activity.html",
        {
            "activity": activity,
            "may_edit": may_edit,
            "moves": [(s, ActivityStatus(s).label) for s in statuses],
            "needs_reason": sorted(services.NEEDS_REASON),
            "document_form": DocumentForm() if may_edit else None,
            "organisations": [o for o in activity.organisations.splitlines() if o],
        },
    )


# --- forms ------------------------------------------------------------------------------


def _states():
    return Participant.objects.filter(kind=ParticipantKind.STATE).order_by("code")


class ActivityForm(forms.Form):
    measure: forms.ModelChoiceField[Measure] = forms.ModelChoiceField(
        label=gettext_lazy("Measure"), queryset=Measure.objects.none()
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ActivityKind.choices)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), required=False)
    title_fr = forms.CharField(label=gettext_lazy("Title (French)"), required=False)
    title_ru = forms.CharField(label=gettext_lazy("Title (Russian)"), required=False)
    host: forms.ModelChoiceField[Participant] = forms.ModelChoiceField(
        label=gettext_lazy("Host"), queryset=Participant.objects.none()
    )
    co_organisers: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Co-organisers"), queryset=Participant.objects.none(), required=False
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    venue = forms.CharField(label=gettext_lazy("Venue"), required=False)
    time_zone = forms.CharField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("An IANA name (Asia/Almaty, Asia/Bangkok...)."),
    )
    participants: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participating states"),
        queryset=Participant.objects.none(),
        required=False,
    )
    organisations = forms.CharField(
        label=gettext_lazy("Participating organisations"),
        help_text=gettext_lazy("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Visible to"), choices=Visibility.choices)

    def __init__(self, *args, user=None, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Input the services refuse is refused here first, with its field.
        for name in ("title_en", "title_fr", "title_ru"):
            title = self.fields[name]
            assert isinstance(title, forms.CharField)
            title.max_length = services.TITLE_MAX
            title.validators.append(validators.MaxLengthValidator(services.TITLE_MAX))
            title.widget.attrs["maxlength"] = str(services.TITLE_MAX)
        self.fields["venue"].widget.attrs["maxlength"] = str(services.VENUE_MAX)
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        own = acting_for(user) if user is not None else None
        adopted = Measure.objects.filter(initiatives__status=Status.ADOPTED).distinct()
        measure.queryset = adopted.order_by("code")
        if activity is not None:
            del self.fields["measure"]
        for name in ("host", "co_organisers", "participants"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _states()
        host = self.fields["host"]
        assert isinstance(host, forms.ModelChoiceField)
        host.queryset = (
            Participant.objects.with_status_in(ParticipationStatus.MEMBER)
            | Participant.objects.with_status_in(ParticipationStatus.OBSERVER)
        ).order_by("code")
        if own is not None and activity is None and not is_secretariat(user):
            self.initial.setdefault("host", own.pk)
        self.initial.setdefault("time_zone", timezone.get_default_timezone_name())

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def _initial(activity: Activity) -> dict:
    return {
        "kind": activity.kind,
        "title_en": activity.title_en,
        "title_fr": activity.title_fr,
        "title_ru": activity.title_ru,
        "host": activity.host_id,
        "co_organisers": [p.pk for p in activity.co_organisers.all()],
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "venue": activity.venue,
        "time_zone": activity.time_zone,
        "participants": [p.pk for p in activity.participants.all()],
        "organisations": activity.organisations,
        "visibility": activity.visibility,
    }


@login_required
def activity_new(request):
    refusal = services.activity_refusal(actor=request.user)
    if refusal is not None:
        return refused(request, refusal.message, refusal.status_code)
    form = ActivityForm(request.POST or None, user=request.user)
    created: list[Activity] = []

    def create(f):
        created.append(services.activity_create(actor=request.user, **f.service_kwargs()))

    response = form_page(
        request,
        form=form,
        title=_("New activity"),
        on_valid=create,
        success_url=reverse("activity-list"),
        success_message=_("The activity is entered in the register."),
        back_url=reverse("activity-list"),
    )
    if created:
        return redirect("activity", pk=created[0].pk)
    return response


@login_required
def activity_edit(request, pk: int):
    activity = _visible(request, pk)
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    refusal = services.activity_refusal(actor=request.user, activity=activity)
    if refusal is not None:
        return refused(request, refusal.message, refusal.status_code)
    form = ActivityForm(
        request.POST or None, user=request.user, activity=activity, initial=_initial(activity)
    )
    url = reverse("activity", args=[pk])
    return form_page(
        request,
        form=form,
        title=_("Change the activity: %(title)s") % {"title": activity.title},
        on_valid=lambda f: services.activity_update(
            actor=request.user, activity=activity, **f.service_kwargs()
        ),
        success_url=url,
        success_message=_("The activity is changed."),
        back_url=url,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActivityStatus.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
@require_POST
def activity_status(request, pk: int):
    """Move the status from the activity's page. Cancelling and postponing
    are restated and confirmed (a second POST with confirm=1) before the
    service is called; the reason is required (the service says so)."""
    activity = _visible(request, pk)
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    url = reverse("activity", args=[pk])
    refusal = services.activity_refusal(actor=request.user, activity=activity)
    if refusal is not None:
        return refused(request, refusal.message, refusal.status_code)
    if "cancel" in request.POST:
        messages.info(request, _("Nothing was changed."))
        return redirect(url)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return refused(request, _("Choose a status (and give a reason)."), 400)
    status, reason = form.cleaned_data["status"], form.cleaned_data["reason"]
    if status in services.NEEDS_REASON and request.POST.get("confirm") != "1":
        refusal = services.activity_reason_refusal(status=status, reason=reason)
        if refusal is not None:
            return refused(request, str(refusal.message), refusal.status_code)
        return render(
            request,
            "cica/confirm.html",
            {
                "title": activity.title,
                "form": form,
                "restatement": _("%(title)s will be %(status)s.")
                % {"title": activity.title, "status": ActivityStatus(status).label.lower()},
                "confirm_label": _("Confirm"),
                "cancel_label": _("Cancel"),
            },
        )
    try:
        services.activity_set_status(
            actor=request.user, activity=activity, status=status, reason=reason
        )
    except DomainError as refusal_:
        return refused(request, refusal_.message, refusal_.status_code)
    messages.success(
        request, _("The activity is %(status)s.") % {"status": ActivityStatus(status).label.lower()}
    )
    return redirect(url)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=gettext_lazy("File (PDF, DOCX or ODT)"))

    def clean_file(self):
        return document_field_check(self.cleaned_data["file"])


def _document_gate(request, pk: int):
    activity = activities_visible(request.user).filter(pk=pk).first()
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    refusal = services.activity_refusal(actor=request.user, activity=activity)
    return None if refusal is None else refused(request, refusal.message, refusal.status_code)


@login_required
@require_POST
@refused_before_upload(_document_gate)
def activity_document_upload(request, pk: int):
    activity = _visible(request, pk)
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return refused(request, errors, 400)
    try:
        services.activity_document_add(actor=request.user, activity=activity, **form.cleaned_data)
    except DomainError as refusal:
        return refused(request, refusal.message, refusal.status_code)
    messages.success(request, _("The document is attached."))
    return redirect("activity", pk=pk)


def activity_document_download(request, pk: int, document_id: int):
    """A document, to those who may read the activity, as a download."""
    activity = _visible(request, pk)
    if activity is None:
        return refused(request, NOT_VISIBLE % {"id": pk}, 404)
    try:
        document = activity_document(activity, document_id)
        return stored_download(
            document.file, filename=document.original_name, content_type=document.content_type
        )
    except DomainError as refusal:
        return refused(request, refusal.message, refusal.status_code)
