"""The secretariat's dashboard and printable status report, inside the admin."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from implementation.participation import participation_across_years, participation_chart
from members.rules import is_chair_office, is_secretariat, load_roles

from . import selectors


def _staff_only(request):
    if not (is_secretariat(request.user) or is_chair_office(request.user)):
        raise PermissionDenied(_("The dashboard is for the secretariat and the Chair's office."))


def dashboard(request):
    # The roles and the admin sidebar's permissions in one query, not three.
    load_roles(request.user)
    _staff_only(request)
    figures = selectors.dashboard_figures()
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "figures": figures,
        "chart": selectors.dashboard_chart(figures),
        # Issue 17 item 4: the response rate of the reporting cycles, year by year.
        "participation_chart": participation_chart(participation_across_years()),
    }
    return TemplateResponse(request, "admin/cica/dashboard.html", context)


def status_report(request):
    """The Catalogue's status, per area: each measure, status, coordinators,
    last decision; headed for print with CICA's name and the date it holds
    for (the secretariat's date, in the reader's language)."""
    load_roles(request.user)
    _staff_only(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Status report of the Catalogue"),
        "as_of": timezone.localdate(),
        "areas": selectors.status_report_rows(),
    }
    return TemplateResponse(request, "admin/cica/report.html", context)
