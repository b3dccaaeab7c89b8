"""URL patterns of the implementation years: reporting (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .api_reporting import ReportingCycleViewSet, ReturnViewSet

router = SimpleRouter()
router.register("reporting-cycles", ReportingCycleViewSet, basename="reporting-cycle")
router.register("returns", ReturnViewSet, basename="return")

api: list[URLPattern | URLResolver] = list(router.urls)
pages: list[URLPattern] = []
