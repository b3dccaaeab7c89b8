"""Shared admin pieces."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext
from import_export import fields
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def export_column(label: "StrPromise", attribute: str | None = None) -> fields.Field:
    """A column of an export headed in the reader's language: the label stays
    lazy until the file is written."""
    # The stubs ask for a str; django-import-export only formats it.
    return fields.Field(attribute=attribute, column_name=label)  # type: ignore[arg-type]


class RecordOnlyAdmin(SimpleHistoryAdmin):
    """Records written only by the services (timeline, papers, decisions,
    receipts): the admin shows them and their history, and changes nothing."""

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields]
        return fields + [m.name for m in self.model._meta.many_to_many]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows written only by the services, listed under their parent's page:
    every field shown is read-only, and nothing is added, changed or deleted
    here. A subclass names its ``model`` and ``fields``."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or ())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SecretariatExportMixin(ExportMixin):
    """CSV and XLSX exports in the reader's language, for the secretariat
    (``IMPORT_EXPORT_EXPORT_PERMISSION_CODE``: the change right)."""

    export_formats = [base_formats.CSV, base_formats.XLSX]


class TabbedTranslationAdmin(TranslationAdmin):
    """modeltranslation's tabbed admin (one tab per language for each
    translated field), with every asset served from our static files: the
    package's own class loads jQuery UI from Google's CDN, which our CSP
    refuses and an offline secretariat cannot reach (issue 16 item 4).
    ``vendor/jquery-ui/jquery-ui.tabs.js`` is jQuery UI's Tabs widget alone,
    vendored unchanged from the npm package (MIT, LICENSE.txt beside it)."""

    class Media:
        js = (
            "admin/js/jquery.init.js",
            "modeltranslation/js/force_jquery.js",
            "vendor/jquery-ui/jquery-ui.tabs.js",
            "modeltranslation/js/tabbed_translation_fields.js",
            "cica/admin-tabs.js",
        )
        css = {"all": ("modeltranslation/css/tabbed_translation_fields.css",)}


class TitledAdmin(admin.ModelAdmin):
    """Page titles in which the register's name is the object of the verb:
    Django builds "Change %s" from the nominative ``verbose_name``, which
    reads "Изменить инициатива" in Russian. A register names itself in the
    accusative (``pgettext_lazy("accusative", "initiative")``: "инициативу";
    English and French keep the nominative), and the add, change, view and
    list pages use it (issue 16 item 13)."""

    accusative: "StrPromise | str | None" = None

    def object_name(self) -> str:
        """The register's name as the object of a verb, in the reader's language."""
        nominative = str(self.model._meta.verbose_name)
        if self.accusative is None:
            return nominative
        accusative = str(self.accusative)
        with translation.override("en"):
            untranslated = accusative == str(self.accusative)
        # A language whose catalogue lacks the form keeps the nominative.
        if untranslated and translation.get_language() != "en":
            return nominative
        return accusative

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            title = gettext("Add %s")
        else:
            obj: Model | None = self.get_object(request, unquote(object_id))
            title = (
                gettext("Change %s")
                if obj is None or self.has_change_permission(request, obj)
                else gettext("View %s")
            )
        context: dict[str, Any] = {"title": title % self.object_name(), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, context)

    def changelist_view(self, request, extra_context=None):
        title = (
            gettext("Select %s to change")
            if self.has_change_permission(request)
            else gettext("Select %s to view")
        )
        context: dict[str, Any] = {"title": title % self.object_name(), **(extra_context or {})}
        return super().changelist_view(request, context)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """A technical register (sign-in lock-outs, the periodic tasks and their
    schedules): shown to superusers only, so the
    secretariat's index lists the registers it works with (issue 16 item 13)."""

    def _superuser(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


def keep_for_superusers(site: admin.AdminSite, models: "list[type[Model]]") -> None:
    """Register again each model's admin (as its package registered it) with
    :class:`SuperuserOnlyAdmin` first in its bases."""
    for model in models:
        if not site.is_registered(model):
            continue
        current = type(site.get_model_admin(model))
        if issubclass(current, SuperuserOnlyAdmin):
            continue
        site.unregister(model)
        site.register(model, type(current.__name__, (SuperuserOnlyAdmin, current), {}))
