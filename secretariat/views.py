"""Delegate pages of the secretariat (circulations, information, notifications) and
the meeting calendar as iCalendar feeds. Thin: every action calls a service."""

from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from cica.errors import DomainError
from cica.pages import form_page, refused
from cica.uploads import refused_before_upload
from implementation.calendar import add_activities
from measures.forms import TEXT_LIMIT, document_field_check
from measures.models import Measure
from members.models import Participant
from members.rules import acting_for

from . import selectors, services
from .models import InformationKind, Position, Visibility


def meetings_ics(request, code: str | None = None):
    """SWG, SOC, specialised and other meetings as iCalendar events; with a
    participant code, those it hosts or attends.

    The feed behaves as calendar apps expect (issue 15 item 6): UIDs from
    ``CICA_CALENDAR_DOMAIN``, never the request's Host (a feed subscribed
    under two names would double every event); DTSTAMP and LAST-MODIFIED are
    the meeting's last change and SEQUENCE its revision, so the same data
    gives the same bytes and ConditionalGetMiddleware's ETag gives a 304 on
    a repeat; a cancelled meeting stays, as STATUS:CANCELLED; a meeting with
    a start time starts at that time in the venue's zone (with its
    VTIMEZONE), one without is an all-day event."""
    participant = None
    if code is not None:
        participant = get_object_or_404(Participant, code=code.upper())
    meetings = selectors.meetings_for_calendar(participant=participant)
    calendar = Calendar()
    calendar.add("prodid", "-//CICA secretariat//cica//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CICA meetings{f' — {participant.code}' if participant else ''}")
    domain = settings.CICA_CALENDAR_DOMAIN
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{domain}")
        changed = meeting.updated_at.astimezone(datetime.UTC).replace(microsecond=0)
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("sequence", meeting.sequence)
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        if meeting.start_time is not None:
            zone = _zone(meeting.time_zone)
            event.add("dtstart", datetime.datetime.combine(meeting.date, meeting.start_time, zone))
            if meeting.end_time is not None:
                event.add("dtend", datetime.datetime.combine(meeting.date, meeting.end_time, zone))
        else:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + datetime.timedelta(days=1))
        summary = meeting.get_body_display()
        if meeting.title:
            summary = f"{summary}: {meeting.title}"
        if meeting.measure is not None:
            summary = f"{summary} ({meeting.measure.code})"
        event.add("summary", summary)
        where = ", ".join(
            filter(None, [meeting.place, meeting.host.name if meeting.host else None])
        )
        if where:
            event.add("location", where)
        present = ", ".join(p.code for p in meeting.present.all())
        if present:
            event.add("description", f"Present: {present}")
        event.add("categories", [meeting.body.upper()])
        calendar.add_component(event)
    # Beside the meetings, the activities the reader may see (issue 17).
    add_activities(calendar, user=request.user, participant=participant)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    filename = f"cica-meetings{'-' + participant.code.lower() if participant else ''}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _zone(name: str) -> zoneinfo.ZoneInfo:
    """The venue's zone; the configured one if the stored name is unknown
    (the services refuse one, but a row may predate a tzdata update)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- delegate pages -----------------------------------------------------------------


@login_required
def circulation_list(request):
    circulations = selectors.circulations_visible(request.user).distinct()
    return render(request, "cica/circulations.html", {"circulations": circulations[:200]})


class AnswerForm(forms.Form):
    # No position is chosen for the delegate: the first option is empty and
    # refused, so a state's position is always an explicit choice.
    position = forms.ChoiceField(
        label=gettext_lazy("Position of my state"),
        choices=[("", gettext_lazy("— choose —")), *Position.choices],
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=gettext_lazy("Required for a comment, an objection or a reservation."),
    )

    def clean(self):
        # The service's rule, checked before the restatement so that the
        # delegate is not asked to confirm what would then be refused.
        data = super().clean() or {}
        position = data.get("position")
        if position:
            try:
                services.receipt_answer_check(position=position, text=data.get("text") or "")
            except DomainError as error:
                self.add_error("text", str(error.message))
        return data


@login_required
def circulation_page(request, pk: int):
    """A circulation for a delegate. Giving a position takes two steps without
    JavaScript: the first POST validates the choice and restates it (nothing
    is recorded); the second, with ``confirm=1`` and the same position and
    text in hidden fields, is validated again and calls the service. "Change"
    returns to the form with the choice kept."""
    circulation = selectors.circulation_detail(request.user).filter(pk=pk).distinct().first()
    if circulation is None:
        return refused(request, _("This circulation was not addressed to your state."), 404)
    refusal, status = "", 200
    form = AnswerForm(request.POST or None)
    confirming = False
    own = acting_for(request.user)

    def own_receipt():
        receipts = list(circulation.receipts.all())
        return receipts, next((r for r in receipts if own and r.participant_id == own.pk), None)

    receipts, mine = own_receipt()
    open_for_positions = not (circulation.deadline and timezone.localdate() > circulation.deadline)
    can_answer = bool(
        mine
        and own
        and own.status_on() == "member"
        and circulation.kind != "information"
        and open_for_positions
    )
    if request.method == "POST":
        try:
            if "acknowledge" in request.POST:
                services.receipt_acknowledge(actor=request.user, circulation=circulation)
                messages.success(request, _("Receipt acknowledged."))
                return redirect("circulation", pk=pk)
            if "change" in request.POST:
                # Back to the form, the choice kept, nothing recorded.
                form = AnswerForm(initial=request.POST.dict())
            elif form.is_valid():
                # Who may not answer (now) is refused by the service at once,
                # not asked to confirm.
                if request.POST.get("confirm") == "1" or not can_answer:
                    services.receipt_answer(
                        actor=request.user, circulation=circulation, **form.cleaned_data
                    )
                    messages.success(request, _("Your state's position is recorded."))
                    return redirect("circulation", pk=pk)
                confirming = True
            else:
                status = 400
        except DomainError as error:
            refusal, status = str(error.message), error.status_code
    else:
        services.receipt_mark_read(actor=request.user, circulation=circulation)
        receipts, mine = own_receipt()
    context = {
        "circulation": circulation,
        "receipts": receipts,
        "ledger": selectors.circulation_ledger(circulation, receipts),
        "mine": mine,
        "own": own,
        "positions": selectors.can_see_positions(request.user),
        "can_answer": can_answer,
        "form": form,
        "confirming": confirming and not refusal,
        "chosen_label": (Position(form.cleaned_data["position"]).label if confirming else ""),
        "refusal": refusal,
    }
    return render(request, "cica/circulation.html", context, status=status)


def information_list(request):
    submissions = selectors.information_visible(request.user)
    query = request.GET.get("q", "")[:200]
    if query:
        submissions = selectors.information_search(submissions, query)
    own = acting_for(request.user)
    return render(
        request,
        "cica/information_list.html",
        {
            "submissions": submissions[:100],
            "q": query,
            "can_submit": bool(own and own.status_on() == "member"),
        },
    )


class InformationForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea, max_length=50000)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InformationKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    visibility = forms.ChoiceField(label=gettext_lazy("Visible to"), choices=Visibility.choices)
    measures: forms.ModelMultipleChoiceField[Measure] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Measures concerned"), queryset=Measure.objects.all()
    )
    co_submitters: forms.ModelMultipleChoiceField[Participant] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Submitted together with"),
        queryset=Participant.objects.none(),
        required=False,
        help_text=gettext_lazy("Each state named confirms through its own delegate."),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Attachment (PDF, DOCX or ODT)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        co_submitters = self.fields["co_submitters"]
        assert isinstance(co_submitters, forms.ModelMultipleChoiceField)
        co_submitters.queryset = Participant.objects.with_status_in("member").order_by("code")

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return document_field_check(upload) if upload else None

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        upload = data.pop("attachment")
        data["attachments"] = [upload] if upload else []
        return data


def _information_gate(request):
    refusal = services.information_submit_refusal(actor=request.user)
    return None if refusal is None else refused(request, refusal.message, refusal.status_code)


@login_required
@refused_before_upload(_information_gate)
def information_new(request):
    form = InformationForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form=form,
        title=_("Submit information for dissemination"),
        on_valid=lambda f: services.information_submit(actor=request.user, **f.service_kwargs()),
        success_url=reverse("information-list"),
        success_message=_("Submitted to the secretariat."),
        back_url=reverse("information-list"),
    )


def information_page(request, pk: int):
    submission = selectors.information_visible(request.user).filter(pk=pk).first()
    if submission is None:
        return refused(request, _("This information is not visible to you."), 404)
    own = acting_for(request.user)
    rows = list(submission.co_submitters.all())
    mine = next((c for c in rows if own and c.participant_id == own.pk), None)
    is_open = submission.status == "submitted"
    return render(
        request,
        "cica/information.html",
        {
            "submission": submission,
            "submitters": services.information_submitters(submission),
            "co_submitters": rows,
            "confirm_by": services.information_confirm_by(submission) if rows else None,
            "to_confirm": bool(is_open and mine and mine.confirmed_at is None),
            "to_decline": bool(is_open and mine and mine.answer == "awaited"),
            "can_remove": bool(is_open and own and own.pk == submission.submitted_for_id),
            "show_reasons": is_open or submission.status == "returned",
        },
    )


def _information_post(request, pk: int, act, done: str):
    """Run one co-submission action from the information page: a refusal is
    a page with the message and its status, success goes back to the page."""
    submission = selectors.information_visible(request.user).filter(pk=pk).first()
    if submission is None:
        return refused(request, _("This information is not visible to you."), 404)
    try:
        act(submission)
    except DomainError as refusal:
        return refused(request, refusal.message, refusal.status_code)
    messages.success(request, done)
    return redirect("information", pk=pk)


@login_required
@require_POST
def information_confirm(request, pk: int):
    return _information_post(
        request,
        pk,
        lambda s: services.information_confirm(actor=request.user, submission=s),
        _("Your state's co-submission is confirmed."),
    )


@login_required
@require_POST
def information_decline(request, pk: int):
    reason = request.POST.get("reason", "")[:5000]
    return _information_post(
        request,
        pk,
        lambda s: services.information_decline(actor=request.user, submission=s, reason=reason),
        _("Your state has declined this co-submission."),
    )


@login_required
@require_POST
def information_remove_co_submitter(request, pk: int):
    code = request.POST.get("participant", "").strip().upper()
    participant = Participant.objects.filter(code=code).first() if code else None

    def remove(submission):
        if participant is None:
            raise DomainError(_("Unknown code: %(value)s.") % {"value": code or "—"})
        services.information_remove_co_submitter(
            actor=request.user, submission=submission, participant=participant
        )

    return _information_post(
        request, pk, remove, _("%(code)s is no longer a co-submitter.") % {"code": code}
    )


def _notification_page(request):
    """The user's notifications as the page shows them: in the page's
    language, each linked to what it is about (issue 16 item 3)."""
    notifications = selectors.notifications_of(request.user).order_by("-created_at", "-pk")[:100]
    return {
        "notifications": services.notifications_shown(
            notifications, language=translation.get_language() or settings.LANGUAGE_CODE
        ),
        "unread": selectors.notifications_of(request.user).filter(read_at__isnull=True).count(),
    }


@login_required
def notification_list(request):
    return render(request, "cica/notifications.html", _notification_page(request))


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (``id``) or all read. With htmx the list is
    swapped in place, its row now saying when it was read, and the unread
    count in the header follows; without, the page is shown again."""
    pk = request.POST.get("id")
    notification = None
    if pk and pk.isdigit():
        notification = selectors.notifications_of(request.user).filter(pk=int(pk)).first()
        if notification is None:
            return refused(request, _("No such notification."), 404)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        page = _notification_page(request)
        return render(
            request,
            "cica/notifications_read.html",
            {**page, "unread_count": page["unread"], "oob": True},
        )
    return redirect("notification-list")


# --- meetings for delegates (issue 16 item 10) ----------------------------------------
# Public, as the meetings API's reads: the selectors decide which papers show.


def meeting_list(request):
    """Upcoming and past meetings, with the calendar feeds."""
    context = selectors.meetings_upcoming_and_past()
    context["own"] = acting_for(request.user)
    return render(request, "cica/meetings.html", context)


def meeting_page(request, pk: int):
    """One meeting: body, date, place, the initiatives before it, the papers
    the reader may see, its decisions and the calendar feeds."""
    context = selectors.meeting_detail(request.user, pk=pk)
    if context is None:
        return refused(request, _("No meeting with id %(id)s.") % {"id": pk}, 404)
    context["own"] = acting_for(request.user)
    return render(request, "cica/meeting.html", context)
