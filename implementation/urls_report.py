"""URL patterns of the implementation years: report (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern, path

from . import api_report, views_report

api: list[URLPattern] = [
    path(
        "reporting-cycles/<int:pk>/report/",
        api_report.CycleReportView.as_view(),
        name="reporting-cycle-report",
    ),
]
pages: list[URLPattern] = [
    path(
        "reporting/<int:year>/report/",
        views_report.consolidated_report_page,
        name="consolidated-report",
    ),
    path(
        "reporting/<int:year>/report.pdf",
        views_report.consolidated_report_pdf,
        name="consolidated-report-pdf",
    ),
]
