"""URL patterns of the implementation years: participation (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern, path

from . import api_participation, views_participation

api: list[URLPattern] = [
    path(
        "reporting-cycles/<str:pk>/participation/",
        api_participation.ReportingCycleParticipation.as_view(),
        name="reporting-cycle-participation",
    ),
]
pages: list[URLPattern] = [
    path(
        "reporting/<int:year>/participation/",
        views_participation.participation,
        name="participation",
    ),
]
