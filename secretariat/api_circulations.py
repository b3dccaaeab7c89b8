"""API of circulations (receipts as the caller may see them, answers) and of
one's own notifications."""

from __future__ import annotations

import datetime
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cica.api import IdLookupMixin
from cica.input import IdFilter
from cica.pagination import GrowingListPagination
from measures.models import Initiative, Paper
from members.models import Participant

from . import selectors, services
from .models import Circulation, Notification, NotificationKind, Position


class ReceiptSerializer(serializers.Serializer):
    participant = serializers.CharField(source="participant.code")
    delivered_at = serializers.DateTimeField(allow_null=True)
    first_read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.SerializerMethodField()
    position = serializers.SerializerMethodField()
    position_text = serializers.SerializerMethodField()
    position_at = serializers.SerializerMethodField()

    def _positions(self) -> bool:
        return self.context.get("positions", False)

    def get_acknowledged_by(self, obj) -> str | None:
        """A user name is shown to staff and to the delegates of the same
        state only (issue 13 item 8)."""
        names_of = self.context.get("names_of", 0)
        if names_of is not None and obj.participant_id != names_of:
            return None
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None

    @extend_schema_field(serializers.ChoiceField(choices=Position.choices, allow_null=True))
    def get_position(self, obj) -> str | None:
        return (obj.position or None) if self._positions() else None

    def get_position_text(self, obj) -> str | None:
        return obj.position_text if self._positions() else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_position_at(self, obj) -> datetime.datetime | None:
        # In the configured zone, as every other timestamp (issue 15 item 5):
        # the database hands back UTC.
        if not (self._positions() and obj.position_at):
            return None
        return timezone.localtime(obj.position_at)


class CirculationSerializer(serializers.ModelSerializer):
    initiative: serializers.PrimaryKeyRelatedField[Initiative] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Null for the circulation of an information submission."),
    )
    measure = serializers.SerializerMethodField()
    paper: serializers.SlugRelatedField[Paper] = serializers.SlugRelatedField(
        slug_field="symbol", read_only=True, allow_null=True
    )
    silence_broken_by: serializers.SlugRelatedField[Participant] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Circulation
        fields = [
            "id",
            "reference",
            "kind",
            "information",
            "initiative",
            "measure",
            "paper",
            "audience",
            "deadline",
            "circulated_at",
            "body",
            "draft_text",
            "silence_status",
            "silence_broken_by",
            "silence_broken_at",
            "decision",
        ]

    def get_measure(self, obj) -> str | None:
        return obj.initiative.measure.code if obj.initiative_id else None


class CirculationDetailSerializer(CirculationSerializer):
    receipts = ReceiptSerializer(many=True)

    class Meta(CirculationSerializer.Meta):
        fields = CirculationSerializer.Meta.fields + ["receipts"]


class AnswerInput(serializers.Serializer):
    position = serializers.ChoiceField(choices=Position.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")


class CirculationFilter(filters.FilterSet):
    initiative = IdFilter(field_name="initiative_id")
    measure = filters.CharFilter(field_name="initiative__measure__code", lookup_expr="iexact")
    open = filters.BooleanFilter(method="filter_open", help_text=_("Deadline not yet passed."))

    class Meta:
        model = Circulation
        fields = ["initiative", "measure", "kind", "open"]

    def filter_open(self, queryset, name, value):
        today = timezone.localdate()
        return (
            queryset.filter(deadline__gte=today) if value else queryset.filter(deadline__lt=today)
        )


class CirculationViewSet(IdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Circulations addressed to your state (all of them for staff), with the
    receipts: positions for staff and member states, acknowledgements only
    for observers."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = GrowingListPagination
    filterset_class = CirculationFilter
    not_found_message = _("No circulation %(id)s addressed to you.")

    def get_queryset(self):
        if self.action == "list":
            return selectors.circulations_visible(self.request.user).distinct()
        return selectors.circulation_detail(self.request.user).distinct()

    def get_serializer_class(self):
        return CirculationSerializer if self.action == "list" else CirculationDetailSerializer

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        context["positions"] = selectors.can_see_positions(self.request.user)
        context["names_of"] = selectors.receipt_names_visible_to(self.request.user)
        return context

    def retrieve(self, request, *args, **kwargs):
        circulation = self.get_object()
        services.receipt_mark_read(actor=request.user, circulation=circulation)
        return self._detail(circulation)

    def _detail(self, circulation):
        fresh = selectors.circulation_detail(self.request.user).get(pk=circulation.pk)
        return Response(
            CirculationDetailSerializer(fresh, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=AnswerInput,
        responses={
            200: CirculationDetailSerializer,
            403: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(description="The deadline has passed."),
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Your state's position (until the deadline; a change is kept in history)."""
        circulation = self.get_object()
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.receipt_answer(actor=request.user, circulation=circulation, **data.validated_data)
        return self._detail(circulation)

    @extend_schema(request=None, responses={200: CirculationDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge receipt for your state."""
        circulation = self.get_object()
        services.receipt_acknowledge(actor=request.user, circulation=circulation)
        return self._detail(circulation)


class NotificationSerializer(serializers.ModelSerializer):
    """A notification in the reader's language (the request's), with ``link``,
    the page of what it is about (issue 16 item 3)."""

    link = serializers.SerializerMethodField(
        help_text=_("The page of what the notice is about (a path on this site; empty if none).")
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "url",
            "link",
            "target_type",
            "target_id",
            "created_at",
            "read_at",
            "email_status",
            "sent_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_link(self, notification: Notification) -> str:
        return services.notification_links([notification])[notification.pk]

    def to_representation(self, instance: Notification) -> dict:
        data = super().to_representation(instance)
        language = translation.get_language() or settings.LANGUAGE_CODE
        data["subject"], data["body"] = services.notification_text(instance, language=language)
        return data


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")
    kind = filters.ChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your own notifications, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = GrowingListPagination
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    not_found_message = _("You have no notification %(id)s.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        # IsAuthenticated above: the user is signed in.
        return selectors.notifications_of(cast(User, self.request.user))

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification=notification)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notification_mark_read(user=request.user)})

    @extend_schema(
        responses={200: inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})}
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})
