"""The participation table's page (issue 17 item 4): the SOC's document,
read by the secretariat, the Chair's office and the delegates of member and
observer states; downloadable as CSV or XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import ReportingCycle
from .participation import may_read_participation, participation_table, totals_sentence
from .resources_participation import CONTENT_TYPES, FORMATS, participation_file

# ReportingCycle.year is a PositiveSmallIntegerField.
_YEARS = range(1, 32768)


def _consolidated_report_url(year: int) -> str:
    # The consolidated report's page is issue 17 item 5's; its path is agreed.
    try:
        return reverse("consolidated-report", kwargs={"year": year})
    except NoReverseMatch:
        return f"/reporting/{year}/report/"


@login_required
def participation(request, year: int):
    if not may_read_participation(request.user):
        raise PermissionDenied(
            _(
                "The participation table is for the secretariat, the Chair's office and "
                "the delegates of member and observer states."
            )
        )
    cycle = ReportingCycle.objects.filter(year=year).first() if year in _YEARS else None
    if cycle is None:
        raise Http404(_("No reporting cycle for %(year)s.") % {"year": year})
    table = participation_table(cycle)
    download = request.GET.get("download")
    if download is not None:
        if download not in FORMATS:
            return HttpResponseBadRequest(
                _("Download as csv or xlsx."), content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(
            participation_file(table, download), content_type=CONTENT_TYPES[download]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="cica-participation-{cycle.year}.{download}"'
        )
        return response
    return render(
        request,
        "cica/participation.html",
        {
            "cycle": cycle,
            "table": table,
            "totals_sentence": totals_sentence(table.totals),
            "report_url": _consolidated_report_url(cycle.year),
        },
    )
