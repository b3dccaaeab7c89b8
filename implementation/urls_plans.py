"""URL patterns of the implementation years: plans (issue 17). ``api`` is
mounted under /api/v1/ (names in the "api" namespace), ``pages`` at the root."""

from django.urls import URLPattern, path
from rest_framework.routers import SimpleRouter

from . import api_plans, views_plans

router = SimpleRouter()
router.register("action-plans", api_plans.ActionPlanViewSet, basename="action-plan")

api: list[URLPattern] = list(router.urls)  # type: ignore[arg-type]
pages: list[URLPattern] = [
    path("action-plans/<int:pk>/", views_plans.plan_page, name="action-plan"),
    path("action-plans/<int:pk>/do/<str:action>/", views_plans.plan_act, name="action-plan-act"),
]
