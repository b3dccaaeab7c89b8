"""API of the activities register (issue 17 item 2): list with filters,
detail, enter, change, move the status (with a reason to cancel or
postpone), upload and download documents. Every read goes through
``selectors.activities_visible``: what the caller may not read is not found."""

from __future__ import annotations

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cica.api import CodeChoiceFilter, CodeRelatedField, IdLookupMixin
from cica.errors import NotFound
from cica.input import as_id, parsers_for
from cica.uploads import DOCUMENT_MEDIA_TYPES, stored_download
from measures.models import Measure
from members.models import Participant, ParticipantKind

from .models import (
    Activity,
    ActivityDocument,
    ActivityKind,
    ActivityStatus,
    DocumentKind,
    PlannedActivity,
    Visibility,
)
from .selectors import activities_visible
from .services import activities as services


def _states():
    return Participant.objects.filter(kind=ParticipantKind.STATE)


class ActivityDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    original_name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=DOCUMENT_MEDIA_TYPES)
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return f"/api/v1/activities/{obj.activity_id}/documents/{obj.pk}/"


class ActivityEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ActivitySerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    title = serializers.CharField(help_text=_("In the reader's language if given in it."))
    host = serializers.CharField(source="host.code")
    co_organisers: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    participants: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    organisations = serializers.SerializerMethodField()
    documents = ActivityDocumentSerializer(many=True)
    history = ActivityEventSerializer(source="events", many=True)
    available_statuses = serializers.SerializerMethodField(
        help_text=_("The statuses you may move the activity to now (POST …/status/).")
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "measure",
            "plan",
            "planned",
            "kind",
            "title",
            "title_en",
            "title_fr",
            "title_ru",
            "host",
            "co_organisers",
            "participants",
            "organisations",
            "starts_on",
            "ends_on",
            "venue",
            "time_zone",
            "status",
            "status_reason",
            "visibility",
            "sequence",
            "documents",
            "history",
            "available_statuses",
            "created_at",
            "updated_at",
        ]

    def get_organisations(self, obj) -> list[str]:
        return [line for line in obj.organisations.splitlines() if line]

    def get_available_statuses(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return services.activity_available_statuses(actor=request.user, activity=obj)


class ActivityInput(serializers.Serializer):
    measure = CodeRelatedField(queryset=Measure.objects.all())
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title_en = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    title_fr = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    title_ru = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    host = CodeRelatedField(
        queryset=Participant.objects.all(), help_text=_("A member state or an observer.")
    )
    co_organisers = CodeRelatedField(queryset=_states(), many=True, required=False, default=list)
    participants = CodeRelatedField(
        queryset=_states(),
        many=True,
        required=False,
        default=list,
        help_text=_("Codes of the participating states."),
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text=_("An IANA name, e.g. Asia/Almaty.")
    )
    organisations = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Participating organisations, one per item."),
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    planned = serializers.PrimaryKeyRelatedField(
        queryset=PlannedActivity.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("One of the planned activities of the action plan in force (optional)."),
    )


class ActivityUpdateInput(ActivityInput):
    measure = None  # type: ignore[assignment]  # an activity stays under its measure

    class Meta:
        pass


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActivityStatus.choices)
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to cancel or postpone."),
    )
    starts_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("New dates, leaving postponed.")
    )
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class DocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(help_text=_("A PDF, DOCX or ODT document."))


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField  # type: ignore[assignment]  # the stubs allow only the parent's field class


class ActivityFilter(filters.FilterSet):
    measure = CodeChoiceFilter(queryset=Measure.objects.all())
    host = CodeChoiceFilter(queryset=Participant.objects.all())
    status = filters.ChoiceFilter(choices=ActivityStatus.choices)
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    visibility = filters.ChoiceFilter(choices=Visibility.choices)
    year = YearFilter(
        field_name="starts_on",
        lookup_expr="year",
        min_value=1,
        max_value=9999,
        help_text=_("Year the activity starts, e.g. 2027."),
    )
    date_from = filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", help_text=_("Ending on or after this date.")
    )
    date_to = filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", help_text=_("Starting on or before this date.")
    )

    class Meta:
        model = Activity
        fields = ["measure", "host", "status", "kind", "visibility", "year", "date_from", "date_to"]


def _schema(request, summary, code=200, *, on_item=True):
    responses = {
        code: ActivitySerializer,
        400: OpenApiResponse(description="Bad input."),
        403: OpenApiResponse(description="Not yours to do."),
        409: OpenApiResponse(description="Not in this status, or the measure is not adopted."),
    }
    if on_item:
        responses[404] = OpenApiResponse(description="Not found or not visible to you.")
    return extend_schema(request=request, responses=responses, summary=summary)


class ActivityViewSet(
    IdLookupMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The activities held under adopted measures: seminars, workshops,
    exercises... Entered by the coordinators and the host; the secretariat
    can do everything."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    not_found_message = _("No activity %(id)s visible to you.")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            activities_visible(self.request.user)
            .select_related("measure", "host")
            .prefetch_related(
                "co_organisers",
                "participants",
                "events",
                Prefetch("documents", queryset=ActivityDocument.objects.order_by("kind", "pk")),
            )
            .order_by("-starts_on", "pk")
        )

    def get_parsers(self):
        # Uploading a document is multipart; every other body JSON. A
        # request's parsers are chosen before ``self.action`` is set.
        action_name = getattr(self, "action", None)
        if action_name is None and self.request is not None:
            action_name = getattr(self, "action_map", {}).get((self.request.method or "").lower())
        if action_name == "document_upload":
            return [parser() for parser in parsers_for(DocumentInput)]
        return super().get_parsers()

    def _detail(self, activity, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @_schema(
        ActivityInput, "Enter an activity (coordinators, host, secretariat)", 201, on_item=False
    )
    def create(self, request, *args, **kwargs):
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("time_zone") is None:
            values.pop("time_zone", None)
        activity = services.activity_create(actor=request.user, **values)
        return self._detail(activity, status.HTTP_201_CREATED)

    @_schema(ActivityUpdateInput, "Change an activity's details (not its status)")
    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        data = ActivityUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        services.activity_update(actor=request.user, activity=activity, **values)
        return self._detail(activity)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.http_method_not_allowed(request, *args, **kwargs)

    @_schema(StatusInput, "Move the status (a reason to cancel or postpone)")
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        activity = self.get_object()
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.activity_set_status(actor=request.user, activity=activity, **data.validated_data)
        return self._detail(activity)

    @extend_schema(
        responses={
            200: ActivityDocumentSerializer(many=True),
            404: OpenApiResponse(description="Not found or not visible to you."),
        },
        summary="The activity's documents",
    )
    # Every document at once: no pages, no filters (not the activities' list).
    @action(
        detail=True,
        methods=["get"],
        url_path="documents",
        pagination_class=None,
        filter_backends=[],
    )
    def documents(self, request, pk=None):
        activity = self.get_object()
        return Response(ActivityDocumentSerializer(activity.documents.all(), many=True).data)

    @extend_schema(
        request=DocumentInput,
        responses={
            201: ActivityDocumentSerializer,
            400: OpenApiResponse(description="Not a PDF, DOCX or ODT, empty, or too large."),
            403: OpenApiResponse(description="Not yours to do."),
            404: OpenApiResponse(description="Not found or not visible to you."),
        },
        summary="Upload a document (programme, report, list of participants, other)",
    )
    @documents.mapping.post
    def document_upload(self, request, pk=None):
        activity = self.get_object()
        data = DocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.activity_document_add(
            actor=request.user, activity=activity, **data.validated_data
        )
        return Response(ActivityDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The file."),
            404: OpenApiResponse(description="Not found or not visible to you."),
        }
    )
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)")
    def document(self, request, pk=None, document_id=None):
        """A document, to those who may read the activity, as a download."""
        activity = self.get_object()
        document = activity_document(activity, document_id)
        return stored_download(
            document.file, filename=document.original_name, content_type=document.content_type
        )


def activity_document(activity: Activity, document_id) -> ActivityDocument:
    pk = as_id(document_id)
    found = ActivityDocument.objects.filter(activity=activity, pk=pk).first() if pk else None
    if found is None or not found.file:
        raise NotFound(_("No such document."))
    return found


router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
urlpatterns = router.urls
