"""URL patterns of the implementation years: activities (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern, URLResolver, path

from . import api_activities, views_activities

api: list[URLPattern | URLResolver] = [*api_activities.urlpatterns]
pages: list[URLPattern | URLResolver] = [
    path("activities/", views_activities.activity_list, name="activity-list"),
    path("activities/new/", views_activities.activity_new, name="activity-new"),
    path("activities/<int:pk>/", views_activities.activity_page, name="activity"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/status/", views_activities.activity_status, name="activity-status"),
    path(
        "activities/<int:pk>/documents/",
        views_activities.activity_document_upload,
        name="activity-document-upload",
    ),
    path(
        "activities/<int:pk>/documents/<int:document_id>/",
        views_activities.activity_document_download,
        name="activity-document",
    ),
]
