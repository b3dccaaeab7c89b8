"""URL patterns of the implementation years: pages (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root.

The delegate's reporting pages (issue 17 item 6, helper v6)."""

from django.urls import URLPattern, path

from . import views_reporting as views

api: list[URLPattern] = []
pages: list[URLPattern] = [
    path("reporting/", views.reporting, name="reporting"),
    path("reporting/<int:year>/", views.reporting_cycle, name="reporting-cycle"),
    path("reporting/<int:year>/<str:area>/nil/", views.return_nil, name="return-nil"),
    path("reporting/<int:year>/<str:area>/report/", views.return_edit, name="return-edit"),
    path("reporting/<int:year>/progress/<str:code>/", views.progress_edit, name="progress-edit"),
    path("returns/<int:pk>/", views.return_page, name="return"),
    path("returns/<int:pk>/correct/", views.return_correct, name="return-correct"),
]
