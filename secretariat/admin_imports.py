"""The secretariat's register imports in the admin: upload, dry-run preview
listing every refused row and why, then apply."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cica.errors import DomainError
from cica.tabular import read_rows
from measures.services import DESIGNATION_COLUMNS, designations_import
from members.rules import is_secretariat
from members.services import PARTICIPANT_COLUMNS, participants_import

IMPORTS = {
    "participants": (gettext_lazy("Participants"), participants_import, PARTICIPANT_COLUMNS),
    "designations": (
        gettext_lazy("Coordinator designations"),
        designations_import,
        DESIGNATION_COLUMNS,
    ),
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
            refusal = refused.message
        else:
            if report.applied:
                messages.success(request, _("%(n)s rows imported.") % {"n": len(report.accepted)})
    context = {
        **admin.site.each_context(request),
        "title": _("Import: %(what)s") % {"what": label},
        "form": form,
        "report": report,
        "refusal": refusal,
        "columns": columns,
    }
    status = 400 if (report and not report.ok) or refusal else 200
    return TemplateResponse(request, "admin/cica/import.html", context, status=status)
