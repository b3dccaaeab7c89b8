"""API of the information exchange: submit, confirm, browse and search,
disseminate or return, download attachments."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cica.api import CodeChoiceFilter, CodeRelatedField, IdLookupMixin
from cica.errors import Forbidden, NotFound
from cica.input import parsers_for
from cica.uploads import DOCUMENT_MEDIA_TYPES, stored_download
from measures.models import Measure, PriorityArea
from members.models import Participant

from . import selectors, services
from .models import (
    InformationAttachment,
    InformationKind,
    InformationStatus,
    InformationSubmission,
    Visibility,
)


class CoSubmitterSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    answer = serializers.ChoiceField(
        choices=["confirmed", "declined", "awaited"],
        read_only=True,
        help_text=_("confirmed, declined (with its reason) or awaited."),
    )
    confirmed = serializers.SerializerMethodField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    declined_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.SerializerMethodField(
        help_text=_("Shown until the submission is disseminated.")
    )

    def get_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None

    def get_decline_reason(self, obj) -> str | None:
        if obj.declined_at is None or obj.submission.status == InformationStatus.DISSEMINATED:
            return None
        return obj.decline_reason


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=DOCUMENT_MEDIA_TYPES)
    size = serializers.IntegerField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return f"/api/v1/information/{obj.submission_id}/attachments/{obj.pk}/"


class InformationSerializer(serializers.ModelSerializer):
    submitted_for = serializers.CharField(source="submitted_for.code")
    submitters = serializers.SerializerMethodField(
        help_text=_("The lead state and the co-submitting states that confirmed.")
    )
    measures: serializers.SlugRelatedField[Measure] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    co_submitters = CoSubmitterSerializer(many=True)
    confirm_by = serializers.SerializerMethodField(
        help_text=_("The date by which the states named as co-submitting should answer.")
    )
    attachments = AttachmentSerializer(many=True)

    class Meta:
        model = InformationSubmission
        fields = [
            "id",
            "reference",
            "kind",
            "title",
            "text",
            "language",
            "visibility",
            "status",
            "measures",
            "submitted_for",
            "submitters",
            "co_submitters",
            "confirm_by",
            "attachments",
            "submitted_at",
            "disseminated_at",
            "returned_at",
            "return_reason",
        ]

    def get_submitters(self, obj) -> list[str]:
        return services.information_submitters(obj)

    def get_confirm_by(self, obj) -> datetime.date | None:
        if obj.status != InformationStatus.SUBMITTED or not obj.co_submitters.all():
            return None
        return services.information_confirm_by(obj)


class InformationInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=InformationKind.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.MEMBERS)
    measures = CodeRelatedField(queryset=Measure.objects.all(), many=True, allow_empty=False)
    co_submitters = CodeRelatedField(
        queryset=Participant.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=_(
            "Codes (any case, e.g. PAK or pak) of the other member states submitting with "
            "yours. Only states that are members today may co-submit — not observer states "
            "or organisations. Each is asked to confirm or decline through its own delegate; "
            "the secretariat disseminates once none is awaited."
        ),
    )
    submitted_for = CodeRelatedField(
        queryset=Participant.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Your own state (optional; any other is refused)."),
    )
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField()


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text=_("Why your state does not co-submit (required).")
    )


class RemoveCoSubmitterInput(serializers.Serializer):
    participant = CodeRelatedField(
        queryset=Participant.objects.all(),
        help_text=_("The code of the state to remove from the co-submitters (any case)."),
    )


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField  # type: ignore[assignment]  # the stubs allow only the parent's field class


class InformationFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", help_text=_("Full-text search (en, fr, ru)."))
    measure = CodeChoiceFilter(queryset=Measure.objects.all(), field_name="measures")
    area = CodeChoiceFilter(queryset=PriorityArea.objects.all(), field_name="measures__area")
    state = CodeChoiceFilter(
        queryset=Participant.objects.all(),
        method="filter_state",
        help_text=_("Submitted by this state, alone or as a confirmed co-submitter."),
    )
    year = YearFilter(
        field_name="submitted_at",
        lookup_expr="year",
        # Outside these years Python's dates fail: a 400 naming the field, not a 500.
        min_value=1,
        max_value=9999,
        help_text=_("Year of submission, e.g. 2026."),
    )
    kind = filters.ChoiceFilter(choices=InformationKind.choices)
    status = filters.ChoiceFilter(choices=InformationStatus.choices)

    class Meta:
        model = InformationSubmission
        fields = ["q", "measure", "area", "state", "year", "kind", "status"]

    def filter_q(self, queryset, name, value):
        return selectors.information_search(queryset, value)

    def filter_state(self, queryset, name, value):
        return queryset.filter(
            Q(submitted_for=value)
            | Q(co_submitters__participant=value, co_submitters__confirmed_at__isnull=False)
        ).distinct()


def _schema(request, summary, code=200, *, on_item=True):
    responses = {
        code: InformationSerializer,
        400: OpenApiResponse(description="Bad input."),
        403: OpenApiResponse(description="Not yours to do."),
    }
    if on_item:
        responses[404] = OpenApiResponse(description="Not found or not visible to you.")
        responses[409] = OpenApiResponse(description="Not in this status.")
    return extend_schema(request=request, responses=responses, summary=summary)


class InformationViewSet(IdLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The information exchange: what member states submit for dissemination,
    browsable and searchable by measure, area, state, year and kind."""

    serializer_class = InformationSerializer
    filterset_class = InformationFilter
    not_found_message = _("No information %(id)s visible to you.")

    def get_queryset(self):
        return selectors.information_visible(self.request.user)

    def get_parsers(self):
        # Submitting takes attachments: multipart only; every other body is
        # JSON (the default). A request's parsers are chosen before
        # ``self.action`` is set; the schema generator sets it, with no request.
        action = getattr(self, "action", None)
        if action is None and self.request is not None:
            action = getattr(self, "action_map", {}).get((self.request.method or "").lower())
        if action == "create":
            return [parser() for parser in parsers_for(InformationInput)]
        return super().get_parsers()

    def _detail(self, submission, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(InformationSerializer(fresh).data, status=code)

    @_schema(
        InformationInput,
        "Submit information for dissemination (multipart for files)",
        201,
        on_item=False,
    )
    def create(self, request, *args, **kwargs):
        data = InformationInput(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.information_submit(actor=request.user, **data.validated_data)
        return self._detail(submission, status.HTTP_201_CREATED)

    @_schema(None, "Confirm your state's co-submission")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        submission = self.get_object()
        services.information_confirm(actor=request.user, submission=submission)
        return self._detail(submission)

    @_schema(DeclineInput, "Decline your state's co-submission, with a reason")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        submission = self.get_object()
        data = DeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.information_decline(
            actor=request.user, submission=submission, **data.validated_data
        )
        return self._detail(submission)

    @_schema(RemoveCoSubmitterInput, "Remove a co-submitting state (the submitting state)")
    @action(detail=True, methods=["post"], url_path="remove-co-submitter")
    def remove_co_submitter(self, request, pk=None):
        submission = self.get_object()
        data = RemoveCoSubmitterInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.information_remove_co_submitter(
            actor=request.user, submission=submission, **data.validated_data
        )
        return self._detail(submission)

    @_schema(None, "Disseminate (the secretariat)")
    @action(detail=True, methods=["post"])
    def disseminate(self, request, pk=None):
        submission = self.get_object()
        services.information_disseminate(actor=request.user, submission=submission)
        return self._detail(submission)

    @_schema(ReturnInput, "Return with reasons (the secretariat)")
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        submission = self.get_object()
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.information_return(
            actor=request.user, submission=submission, **data.validated_data
        )
        return self._detail(submission)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")}
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """An attachment, to those who may read the submission, as a download."""
        submission = self.get_object()
        attachment = InformationAttachment.objects.filter(
            submission=submission, pk=attachment_id
        ).first()
        if attachment is None:
            raise NotFound(_("No such attachment."))
        if not attachment.file:
            raise Forbidden(_("The file is not available."))
        return stored_download(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
