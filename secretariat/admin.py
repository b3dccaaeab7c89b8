from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from simple_history.admin import SimpleHistoryAdmin

from cica.admin import (
    ReadOnlyInline,
    RecordOnlyAdmin,
    SecretariatExportMixin,
    TitledAdmin,
    keep_for_superusers,
)
from cica.errors import DomainError
from measures.models import Initiative
from members.rules import can_see_webhook_secret, is_secretariat

from . import selectors, services
from .models import (
    Circulation,
    CoSubmitter,
    Decision,
    InformationAttachment,
    InformationSubmission,
    Meeting,
    Notification,
    Receipt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from .resources import CirculationResource, ReceiptResource


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "body",
            "title",
            "date",
            "start_time",
            "end_time",
            "time_zone",
            "cancelled",
            "place",
            "host",
            "measure",
            "present",
            "experts",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "time_zone" in self.fields:  # not for a reader (read-only fields)
            self.fields["time_zone"].required = False

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or settings.TIME_ZONE

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            services.meeting_check(
                body=data.get("body"),
                host=data.get("host"),
                measure=data.get("measure"),
                experts=data.get("experts") or [],
                date=data.get("date"),
            )
            if "time_zone" in data:
                services.meeting_times_check(
                    start_time=data.get("start_time"),
                    end_time=data.get("end_time"),
                    time_zone=data["time_zone"],
                )
            if "present" in data:
                services.meeting_attendance_check(
                    meeting=self.instance, date=data.get("date"), present=data["present"]
                )
        except DomainError as refused:
            raise ValidationError(refused.message) from refused
        return data


@admin.register(Meeting)
class MeetingAdmin(TitledAdmin, SimpleHistoryAdmin):
    form = MeetingForm
    list_display = ["date", "start_time", "body", "title", "place", "host", "cancelled"]
    list_filter = ["body", "cancelled"]
    search_fields = ["title", "place", "host__code"]
    date_hierarchy = "date"
    filter_horizontal = ["present", "experts"]
    list_select_related = ["host"]
    readonly_fields = ["sequence", "updated_at"]

    change_form_template = "admin/secretariat/meeting/change_form.html"

    def save_model(self, request, obj, form, change):
        """Through the meeting services, as the API: a change is a new revision
        of the calendar's event (SEQUENCE, LAST-MODIFIED)."""
        data = form.cleaned_data
        fields = {name: data[name] for name in services.MEETING_FIELDS if name in data}
        if change:
            services.meeting_update(
                actor=request.user, meeting=obj, experts=data.get("experts") or [], **fields
            )
            return
        cancelled = fields.pop("cancelled", False)
        meeting = services.meeting_create(
            actor=request.user,
            present=data.get("present") or [],
            experts=data.get("experts") or [],
            **fields,
        )
        if cancelled:
            meeting = services.meeting_update(actor=request.user, meeting=meeting, cancelled=True)
        obj.pk, obj.created_by = meeting.pk, meeting.created_by
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Attendance goes through the service that records it (the API's too)."""
        present = form.cleaned_data.pop("present", None)
        super().save_related(request, form, formsets, change)
        if present is not None:
            services.meeting_set_present(actor=request.user, meeting=form.instance, present=present)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Buttons to record this meeting's decisions on the initiatives before it."""
        meeting = self.get_object(request, object_id)
        stage = {
            "swg": ("swg_review", "record_swg_decision"),
            "soc": ("soc_review", "record_soc_decision"),
        }.get(getattr(meeting, "body", ""))
        before = []
        if stage and is_secretariat(request.user):
            before = [
                {"initiative": i, "action": stage[1]}
                for i in Initiative.objects.filter(status=stage[0]).select_related("measure")
            ]
        extra_context = {**(extra_context or {}), "before_meeting": before}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Decision)
class DecisionAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = [
        "symbol",
        "body",
        "initiative",
        "outcome",
        "procedure",
        "meeting",
        "recorded_at",
    ]
    list_filter = ["body", "outcome", "procedure"]
    search_fields = ["symbol", "initiative__measure__code", "text"]
    list_select_related = ["initiative__measure", "meeting"]


@admin.register(Circulation)
class CirculationAdmin(TitledAdmin, SecretariatExportMixin, RecordOnlyAdmin):  # type: ignore[misc]
    accusative = pgettext_lazy("accusative", "circulation")
    resource_classes = [CirculationResource]  # circulations exportable (issue 16 item 13)
    list_display = ["reference", "paper", "audience", "deadline", "circulated_at"]
    list_filter = ["audience"]
    search_fields = ["reference", "paper__symbol"]
    list_select_related = ["paper"]
    actions = ["remind_now"]

    def has_change_permission(self, request, obj=None):
        # Written only by the services: a page to read, with no Save button.
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "ledger"]

    # What a circulation is, then its receipts at once; the rest of the
    # record folded underneath (issue 16 item 9).
    HEAD_FIELDS = ["reference", "paper", "audience", "deadline", "circulated_at"]

    def get_fieldsets(self, request, obj=None):
        fields = [f for f in self.get_readonly_fields(request, obj) if f != "ledger"]
        head = [f for f in self.HEAD_FIELDS if f in fields]
        rest = [f for f in fields if f not in head]
        return [
            (None, {"fields": head}),
            (_("Receipts"), {"fields": ["ledger"]}),
            (_("Details"), {"fields": rest, "classes": ["collapse"]}),
        ]

    @admin.display(description=_("Receipts"))
    def ledger(self, obj):
        """Every addressed state on one line (issue 16 item 9), members then
        observers, with the summary on top, from the selector the delegates'
        page uses too."""
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string(
            "admin/secretariat/circulation/ledger.html",
            {"ledger": selectors.circulation_ledger(obj)},
        )


@admin.action(description=_("Remind the states that have not answered, now"))
def remind_now(modeladmin, request, queryset):
    for circulation in queryset:
        try:
            n = services.circulation_remind_now(actor=request.user, circulation=circulation)
        except DomainError as refused:
            modeladmin.message_user(
                request, f"{circulation.reference}: {refused.message}", level=messages.ERROR
            )
        else:
            modeladmin.message_user(
                request,
                _("%(ref)s: %(n)s reminder(s) sent.") % {"ref": circulation.reference, "n": n},
            )


CirculationAdmin.remind_now = remind_now


@admin.register(Receipt)
class ReceiptAdmin(TitledAdmin, SecretariatExportMixin, RecordOnlyAdmin):  # type: ignore[misc]
    resource_classes = [ReceiptResource]
    list_display = ["circulation", "participant", "delivered_at", "acknowledged_at", "position"]
    list_filter = ["position"]
    search_fields = ["circulation__reference", "participant__code"]
    list_select_related = ["circulation", "participant"]


@admin.register(Notification)
class NotificationAdmin(TitledAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "email_status",
        "attempts",
        "failure_reason",
        "read_at",
    ]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__username", "subject", "idempotency_key"]
    list_select_related = ["recipient"]
    actions = ["requeue"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Reason for failure"))
    def failure_reason(self, obj):
        """Why the e-mail was given up (a permanent refusal or the last retry)."""
        if obj.email_status != "failed":
            return ""
        return Truncator(obj.last_error).chars(160)

    @admin.action(description="Send the e-mail again if it has not gone")
    def requeue(self, request, queryset):
        ids = list(
            queryset.filter(email_status__in=["pending", "failed"]).values_list("pk", flat=True)
        )
        queryset.filter(pk__in=ids, email_status="failed").update(email_status="pending")
        handed = services.notifications_enqueue(notification_ids=ids)
        self.message_user(request, f"{handed} e-mail(s) handed to the queue.")


class CoSubmitterInline(ReadOnlyInline):
    model = CoSubmitter
    fields = [
        "participant",
        "confirmed_at",
        "confirmed_by",
        "declined_at",
        "declined_by",
        "decline_reason",
    ]


class AttachmentInline(ReadOnlyInline):
    model = InformationAttachment
    fields = ["original_name", "content_type", "size"]


@admin.register(InformationSubmission)
class InformationSubmissionAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "submitted_for",
        "kind",
        "visibility",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "kind", "visibility", "language", "measures__area"]
    search_fields = ["reference", "title", "text", "submitted_for__code"]
    list_select_related = ["submitted_for"]
    inlines = [CoSubmitterInline, AttachmentInline]
    actions = ["disseminate", "return_submissions"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "search_vector"]

    def get_exclude(self, request, obj=None):
        return ["search_vector"]

    @admin.action(description=_("Return the selected submissions (asks for the reasons)"))
    def return_submissions(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            return TemplateResponse(
                request,
                "admin/cica/return_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "queryset": queryset,
                    "title": _("Reasons for returning"),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for submission in queryset:
            try:
                services.information_return(
                    actor=request.user, submission=submission, reason=reason
                )
            except DomainError as refused:
                self.message_user(
                    request, f"{submission.reference}: {refused.message}", level=messages.ERROR
                )
            else:
                self.message_user(request, _("%(ref)s returned.") % {"ref": submission.reference})
        return None

    @admin.action(description=_("Disseminate the selected submissions"))
    def disseminate(self, request, queryset):
        done = 0
        for submission in queryset:
            try:
                services.information_disseminate(actor=request.user, submission=submission)
            except DomainError as refused:
                self.message_user(
                    request, f"{submission.reference}: {refused.message}", level=messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, _("%(n)s submission(s) disseminated.") % {"n": done})


# --- one button per available action on a circulation or a submission ----------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea, max_length=5000)


class ConfirmForm(forms.Form):
    pass


def _object_action_view(modeladmin, request, pk, action, actions):
    """Show the action's form, call the service, report the outcome as a message."""
    obj = modeladmin.get_object(request, str(pk))
    opts = modeladmin.model._meta
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    available = dict(modeladmin.available_actions(request, obj)) if obj else {}
    if obj is None or action not in available:
        messages.error(request, _("This action is not available now."))
        return redirect(change_url)
    label, form_class, run = actions[action]
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run(request.user, obj, form.cleaned_data)
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(action)s: done.") % {"action": label})
            return redirect(change_url)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": opts,
        "original": obj,
        "title": f"{label}: {obj}",
        "form": form,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/measures/initiative/action_form.html", context)


CIRCULATION_ACTIONS = {
    "remind": (
        _("Remind the states that have not answered"),
        ConfirmForm,
        lambda user, c, data: services.circulation_remind_now(actor=user, circulation=c),
    ),
}
INFORMATION_ACTIONS = {
    "disseminate": (
        _("Disseminate"),
        ConfirmForm,
        lambda user, s, data: services.information_disseminate(actor=user, submission=s),
    ),
    "return": (
        _("Return with reasons"),
        ReasonForm,
        lambda user, s, data: services.information_return(
            actor=user, submission=s, reason=data["reason"]
        ),
    ),
}


def _with_buttons(admin_class, actions, available):
    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/do/<str:action>/",
                self.admin_site.admin_view(
                    lambda request, pk, action: _object_action_view(
                        self, request, pk, action, actions
                    )
                ),
                name=f"{opts.app_label}_{opts.model_name}_do",
            ),
            *super(admin_class, self).get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        buttons = [
            {
                "url": reverse(
                    f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_do",
                    args=[obj.pk, key],
                ),
                "label": label,
            }
            for key, label in (self.available_actions(request, obj) if obj else [])
        ]
        extra_context = {**(extra_context or {}), "object_buttons": buttons}
        return super(admin_class, self).change_view(request, object_id, form_url, extra_context)

    admin_class.get_urls = get_urls
    admin_class.change_view = change_view
    admin_class.available_actions = available
    admin_class.change_form_template = "admin/cica/change_form_buttons.html"


def _circulation_available(self, request, circulation):
    if not is_secretariat(request.user) or circulation.kind == "information":
        return []
    if circulation.deadline and circulation.deadline >= timezone.localdate():
        return [("remind", CIRCULATION_ACTIONS["remind"][0])]
    return []


def _information_available(self, request, submission):
    if not is_secretariat(request.user) or submission.status != "submitted":
        return []
    return [(key, INFORMATION_ACTIONS[key][0]) for key in ("disseminate", "return")]


_with_buttons(CirculationAdmin, CIRCULATION_ACTIONS, _circulation_available)
_with_buttons(InformationSubmissionAdmin, INFORMATION_ACTIONS, _information_available)


class DeliveryInline(ReadOnlyInline):
    model = WebhookDelivery
    fields = ["created_at", "event", "status", "attempts", "response_code", "last_error"]
    ordering = ["-created_at"]


class WebhookSubscriptionForm(forms.ModelForm):
    """The events are chosen from the one list the emitter sends
    (:class:`secretariat.models.WebhookEvent`)."""

    events = forms.TypedMultipleChoiceField(
        label=_("events"),
        choices=WebhookEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "is_active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(TitledAdmin, SimpleHistoryAdmin):
    accusative = pgettext_lazy("accusative", "webhook subscription")
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    readonly_fields = ["consecutive_failures", "disabled_at", "created_at"]
    inlines = [DeliveryInline]

    def get_exclude(self, request, obj=None):
        return [] if can_see_webhook_secret(request.user) else ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TitledAdmin, RecordOnlyAdmin):
    list_display = ["created_at", "subscription", "event", "status", "attempts", "response_code"]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]


# The technical registers, out of the secretariat's way: superusers only
# (issue 16 item 13). Webhook deliveries stay: the secretariat reads why a
# subscriber's deliveries fail.
keep_for_superusers(
    admin.site,
    [
        AccessAttempt,
        AccessLog,
        AccessFailureLog,
        PeriodicTask,
        ClockedSchedule,
        CrontabSchedule,
        SolarSchedule,
        IntervalSchedule,
    ],
)
