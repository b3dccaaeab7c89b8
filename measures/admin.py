from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from .models import AreaAlias, CoordinatorOffer, Measure, PriorityArea


class MeasureInline(TranslationTabularInline):
    model = Measure
    extra = 0
    fields = ["number", "title", "code"]
    readonly_fields = ["code"]
    show_change_link = True


class AreaAliasInline(admin.TabularInline):
    model = AreaAlias
    extra = 0
    fields = ["name", "language"]


@admin.register(PriorityArea)
class PriorityAreaAdmin(SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["code", "name", "order"]
    search_fields = ["code", "name_en", "name_fr", "name_ru", "aliases__name"]
    inlines = [AreaAliasInline, MeasureInline]


class OfferInline(admin.TabularInline):
    model = CoordinatorOffer
    extra = 0
    fields = ["participant", "role", "scope", "description"]
    fk_name = "measure"


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["code", "title", "area"]
    list_filter = ["area"]
    search_fields = [
        "code",
        "title_en",
        "title_fr",
        "title_ru",
        "text_en",
        "text_fr",
        "text_ru",
    ]
    readonly_fields = ["code"]
    list_select_related = ["area"]
    inlines = [OfferInline]


@admin.register(CoordinatorOffer)
class CoordinatorOfferAdmin(SimpleHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["participant", "role", "scope", "target", "description"]
    list_filter = ["scope", "role", "area"]
    search_fields = ["participant__code", "participant__name_en", "description_en", "annex_text"]
    list_select_related = ["participant", "measure", "area"]

    def target(self, obj):
        return obj.target_label


@admin.register(AreaAlias)
class AreaAliasAdmin(SimpleHistoryAdmin):
    list_display = ["name", "language", "area"]
    list_filter = ["area"]
    search_fields = ["name"]
    list_select_related = ["area"]
