"""URL patterns of the implementation years: report (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern

api: list[URLPattern] = []
pages: list[URLPattern] = []
