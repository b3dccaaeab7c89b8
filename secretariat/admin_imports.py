"""The secretariat's register imports in the admin: upload, dry-run preview
listing what each row was read as and every refused row and why, then apply.

A file with any refused row changes nothing (all or nothing); rows already in
the register are reported "unchanged" and skipped, so a file can be sent again.
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cica.errors import DomainError
from cica.tabular import read_rows
from measures.services import DESIGNATION_COLUMNS, designations_import
from members.rules import is_secretariat
from members.services import PARTICIPANT_COLUMNS, participants_import

# A page of refusals shows this many, then counts the rest; a preview likewise.
REFUSALS_SHOWN = 50
PREVIEW_SHOWN = 200

# Each import's columns: (name, required, what it holds), for the page and the template.
COLUMN_HELP = {
    "participants": [
        (
            "code",
            True,
            gettext_lazy(
                "ISO 3166-1 alpha-3 for a state (KAZ); the acronym for an organisation (OSCE)."
            ),
        ),
        ("kind", True, gettext_lazy("state or organization")),
        ("name_en", True, gettext_lazy("name in English")),
        ("name_fr", True, gettext_lazy("name in French")),
        ("name_ru", True, gettext_lazy("name in Russian")),
        ("status", True, gettext_lazy("member or observer")),
        ("from", False, gettext_lazy("date the status starts; needed when it changes")),
        ("aliases", False, gettext_lazy("other names, separated by ';'")),
    ],
    "designations": [
        (
            "measure",
            True,
            gettext_lazy(
                "code of the measure (ECO-2); its open initiative of modality (a) must "
                "be at “Consultation”"
            ),
        ),
        (
            "participant",
            True,
            gettext_lazy(
                "a member state: its code (RUS), or any of its names in English, French "
                "or Russian, or an alias (Fédération de Russie, Russie, Россия)"
            ),
        ),
        (
            "role",
            True,
            gettext_lazy(
                "coordinator or co-coordinator, in English, French or Russian "
                "(coordonnateur, координатор)"
            ),
        ),
        (
            "from",
            True,
            gettext_lazy(
                "date of the designation: YYYY-MM-DD, or day, month and year in the "
                "order of your language (French and Russian: day first, 02/11/2026 is "
                "2 November 2026); one date for all the rows of one measure"
            ),
        ),
    ],
}

IMPORTS = {
    "participants": (gettext_lazy("Participants"), participants_import, PARTICIPANT_COLUMNS),
    "designations": (
        gettext_lazy("Coordinator designations"),
        designations_import,
        DESIGNATION_COLUMNS,
    ),
}

OUTCOMES = {
    # The outcome of one imported row (a context of its own: "updated" is
    # also a timestamp's label, "mis à jour le" in French).
    "new": pgettext_lazy("import outcome", "new"),
    "updated": pgettext_lazy("import outcome", "updated"),
    "unchanged": pgettext_lazy("import outcome", "unchanged"),
    "refused": pgettext_lazy("import outcome", "refused"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    apply = forms.BooleanField(
        label=gettext_lazy("Apply (otherwise only check)"),
        required=False,
    )


def register_import(request, kind: str):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Imports are for the secretariat."))
    if kind not in IMPORTS:
        return redirect("admin:index")
    label, importer, columns = IMPORTS[kind]
    form = ImportForm(request.POST or None, request.FILES or None)
    report, refusal = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_rows(form.cleaned_data["file"])
            report = importer(actor=request.user, rows=rows, dry_run=not form.cleaned_data["apply"])
        except DomainError as refused:
            refusal = str(refused.message)
        else:
            if report.applied:
                messages.success(request, _("%(n)s rows imported.") % {"n": len(report.accepted)})
    preview = []
    if report is not None and report.ok:
        preview = [
            {
                "number": row.number,
                "cells": [row.shown.get(c, "") for c in columns],
                "outcome": OUTCOMES.get(row.outcome, row.outcome),
                "message": row.message,
            }
            for row in report.rows[:PREVIEW_SHOWN]
        ]
    context = {
        **admin.site.each_context(request),
        "title": _("Import: %(what)s") % {"what": label},
        "kind": kind,
        "form": form,
        "report": report,
        "refusal": refusal,
        "columns": columns,
        "column_help": COLUMN_HELP.get(kind, [(c, True, "") for c in columns]),
        "errors_shown": report.errors[:REFUSALS_SHOWN] if report else [],
        "errors_more": max(0, len(report.errors) - REFUSALS_SHOWN) if report else 0,
        "preview": preview,
        "preview_more": max(0, len(report.rows) - PREVIEW_SHOWN) if report else 0,
        "max_bytes": settings.CICA_IMPORT_MAX_BYTES,
        "max_rows": settings.CICA_IMPORT_MAX_ROWS,
    }
    status = 400 if (report and not report.ok) or refusal else 200
    return TemplateResponse(request, "admin/cica/import.html", context, status=status)


def import_template(request, kind: str):
    """An empty file with the import's columns, for a spreadsheet to fill in
    (UTF-8 with a byte-order mark, so that Excel reads the accents)."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Imports are for the secretariat."))
    if kind not in IMPORTS:
        return redirect("admin:index")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [name for name, _required, _help in COLUMN_HELP[kind]]
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cica-{kind}-template.csv"'
    return response
