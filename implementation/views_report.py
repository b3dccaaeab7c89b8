"""Pages of the consolidated report (issue 17 item 5): the printable page and
its PDF. Thin: who may read and what they see is ``implementation.consolidated``."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _

from cica.pages import refused

from .consolidated import (
    consolidated_pdf,
    consolidated_report,
    report_context,
    report_refusal,
)
from .models import ReportingCycle

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(request) -> str | None:
    """``?lang=ru`` reads the report in Russian whatever the interface says;
    without it, the reader's language. ``None``: a language we do not have."""
    asked = request.GET.get("lang")
    if asked is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    return asked if asked in LANGUAGES else None


def _open(request, year: int):
    if not 1 <= year <= 9999:  # a year, not whatever fits in the URL
        raise Http404
    cycle = get_object_or_404(ReportingCycle, year=year)
    if report_refusal(cycle=cycle, user=request.user) is not None:
        return cycle, redirect_to_login(request.get_full_path())
    language = _language(request)
    if language is None:
        reason = _("Unknown language: choose one of %(codes)s.") % {
            "codes": ", ".join(sorted(LANGUAGES))
        }
        return cycle, refused(request, reason, 400)
    return cycle, language


def consolidated_report_page(request, year: int):
    """The report, printable (the print styles number the pages and repeat
    its symbol), with a link to its PDF."""
    cycle, language = _open(request, year)
    if isinstance(language, HttpResponse):
        return language
    with translation.override(language):
        report = consolidated_report(cycle=cycle, user=request.user)
        return render(request, "cica/consolidated_report.html", report_context(report))


def consolidated_report_pdf(request, year: int):
    """The report as a PDF download, named after its symbol and language
    (``CICA-IMPL-2027-en.pdf``)."""
    cycle, language = _open(request, year)
    if isinstance(language, HttpResponse):
        return language
    started = time.monotonic()
    pdf = consolidated_pdf(cycle=cycle, user=request.user, language=language)
    name = f"{cycle.symbol.replace('/', '-')}-{language}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Server-Timing"] = f"pdf;dur={1000 * (time.monotonic() - started):.0f}"
    return response
