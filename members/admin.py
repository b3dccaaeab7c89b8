from typing import cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from cica.admin import TabbedTranslationAdmin, TitledAdmin

from . import services
from .models import (
    ApiToken,
    Chairmanship,
    Delegate,
    Participant,
    ParticipantAlias,
    ParticipantQuerySet,
    Participation,
    ParticipationStatus,
)


class StatusFilter(admin.SimpleListFilter):
    """Status today, derived from the participation history."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ParticipationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in ParticipationStatus.values:
            return queryset.with_status_in(self.value())
        return queryset


class AliasInline(admin.TabularInline):
    model = ParticipantAlias
    extra = 0
    fields = ["name", "language"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["status", "started_on", "ended_on", "source"]


class DelegateInline(admin.TabularInline):
    model = Delegate
    extra = 0
    fields = ["user", "role", "is_active", "language"]
    raw_id_fields = ["user"]


@admin.register(Participant)
class ParticipantAdmin(TitledAdmin, SimpleHistoryAdmin, TabbedTranslationAdmin):
    accusative = pgettext_lazy("accusative", "participant")
    list_display = ["code", "name", "kind", "status_today"]
    list_filter = [StatusFilter, "kind"]
    search_fields = ["code", "name_en", "name_fr", "name_ru", "aliases__name"]
    inlines = [AliasInline, ParticipationInline, DelegateInline]

    def get_queryset(self, request):
        return cast(ParticipantQuerySet, super().get_queryset(request)).with_status()

    def get_search_results(self, request, queryset, search_term):
        # The same search as the API: accents and case folded, aliases included.
        if not search_term:
            return queryset, False
        return queryset.search(search_term), False

    @admin.display(description=_("status today"), ordering="status")
    def status_today(self, obj):
        return ParticipationStatus(obj.status).label if obj.status else "—"


@admin.register(Participation)
class ParticipationAdmin(TitledAdmin, SimpleHistoryAdmin):
    list_display = ["participant", "status", "started_on", "ended_on", "source"]
    list_filter = ["status", "participant__kind"]
    search_fields = ["participant__code", "participant__name_en", "participant__name_fr"]
    list_select_related = ["participant"]


@admin.register(ParticipantAlias)
class ParticipantAliasAdmin(TitledAdmin, SimpleHistoryAdmin):
    list_display = ["name", "language", "participant"]
    list_filter = ["language"]
    search_fields = ["name", "participant__code"]
    list_select_related = ["participant"]


@admin.register(Chairmanship)
class ChairmanshipAdmin(TitledAdmin, SimpleHistoryAdmin):
    list_display = ["participant", "started_on", "ended_on", "source"]
    list_select_related = ["participant"]


@admin.register(Delegate)
class DelegateAdmin(TitledAdmin, SimpleHistoryAdmin):
    accusative = pgettext_lazy("accusative", "delegate")
    list_display = ["user", "participant", "role", "is_active"]
    list_filter = ["role", "is_active", "participant__kind"]
    search_fields = ["user__username", "user__email", "participant__code", "participant__name_en"]
    list_select_related = ["user", "participant"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(TitledAdmin):
    """Tokens are issued by sign-in (POST /api/v1/auth/token/), never here; the
    secretariat can see who holds which and revoke them."""

    list_display = ["prefix", "user", "name", "state", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "id"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(actor=request.user, token=token)
        self.message_user(request, _("%(n)s tokens revoked.") % {"n": queryset.count()})


# The accounts: Django's own admin, with titles in the accusative and the
# lifting of sign-in lock-outs (the lock-out register is for superusers).
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(TitledAdmin, DjangoUserAdmin):
    accusative = pgettext_lazy("accusative", "user")
    actions = ["lift_lockouts"]

    @admin.action(
        description=_("Lift the sign-in lock-outs of the selected users"), permissions=["change"]
    )
    def lift_lockouts(self, request, queryset):
        lifted = sum(
            services.user_lockouts_lift(actor=request.user, user=user) for user in queryset
        )
        self.message_user(request, _("%(n)s failed sign-in record(s) cleared.") % {"n": lifted})
