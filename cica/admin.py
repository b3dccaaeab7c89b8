"""Shared admin pieces."""

from typing import TYPE_CHECKING

from django.contrib import admin
from import_export import fields
from import_export.admin import ExportMixin
from import_export.formats import base_formats
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
