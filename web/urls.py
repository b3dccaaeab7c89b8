from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from cica import health
from cica.api import ApiRoot
from cica.errors import page_not_found
from implementation import (
    urls_activities,
    urls_pages,
    urls_participation,
    urls_plans,
    urls_report,
    urls_reporting,
)
from measures import api as measures_api
from measures import views as measure_views
from measures import views_experts
from members import api as members_api
from members import api_tokens
from members import views as member_views
from secretariat import admin_imports, admin_views
from secretariat import api as secretariat_api
from secretariat import views as secretariat_views
from secretariat.views import meetings_ics

from . import views as web_views

admin.site.site_header = _("CICA secretariat")
admin.site.site_title = _("CICA secretariat")
admin.site.index_title = _("Registers, initiatives and circulations")

_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}

api_v1 = [
    path("auth/token/", api_tokens.TokenSignIn.as_view(), name="api-token"),
    path("auth/tokens/", api_tokens.TokenList.as_view(), name="api-token-list"),
    path("auth/tokens/<int:pk>/", api_tokens.TokenDetail.as_view(), name="api-token-detail"),
    *members_api.urlpatterns,
    *measures_api.urlpatterns,
    *secretariat_api.urlpatterns,
    *urls_plans.api,
    *urls_activities.api,
    *urls_reporting.api,
    *urls_participation.api,
    *urls_report.api,
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/dashboard/", admin.site.admin_view(admin_views.dashboard), name="dashboard"),
    path("admin/report/", admin.site.admin_view(admin_views.status_report), name="status-report"),
    path(
        "admin/import/<str:kind>/",
        admin.site.admin_view(admin_imports.register_import),
        name="register-import",
    ),
    path(
        "admin/import/<str:kind>/template.csv",
        admin.site.admin_view(admin_imports.import_template),
        name="register-import-template",
    ),
    # The expert roster's admin moved with the model from members to measures;
    # old links and bookmarks still land on it.
    re_path(
        r"^admin/members/expert/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/measures/expert/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", ApiRoot.as_view(patterns=api_v1), name="api-root"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation pages ship inline styles (and Redoc a worker): the CSP
    # is relaxed for these two pages only; their scripts still come from us.
    path(
        "api/docs/",
        csp_update(_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        csp_update(_DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema")),
        name="redoc",
    ),
    # The switcher also stores a signed-in user's language (issue 16 item 3).
    path("i18n/setlang/", member_views.language_set, name="language-set"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("meetings.ics", meetings_ics, name="meetings-ics"),
    path("meetings/<str:code>.ics", meetings_ics, name="participant-meetings-ics"),
    # Unknown API paths answer JSON, whatever DEBUG says.
    re_path(r"^api/", csrf_exempt(page_not_found)),
    # Delegate pages
    path("", web_views.desk, name="desk"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("catalogue/", measure_views.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", measure_views.measure_page, name="measure"),
    path("catalogue/<str:code>/declare/", measure_views.declare_interest, name="declare-interest"),
    path("initiatives/<int:pk>/", measure_views.initiative_page, name="initiative"),
    path("initiatives/<int:pk>/<str:action>/", measure_views.initiative_act, name="initiative-act"),
    path("papers/<int:pk>/", measure_views.paper_download, name="paper-download"),
    path("circulations/", secretariat_views.circulation_list, name="circulation-list"),
    path("circulations/<int:pk>/", secretariat_views.circulation_page, name="circulation"),
    path("information/", secretariat_views.information_list, name="information-list"),
    path("information/new/", secretariat_views.information_new, name="information-new"),
    path("information/<int:pk>/", secretariat_views.information_page, name="information"),
    path(
        "information/<int:pk>/confirm/",
        secretariat_views.information_confirm,
        name="information-confirm",
    ),
    path(
        "information/<int:pk>/decline/",
        secretariat_views.information_decline,
        name="information-decline",
    ),
    path(
        "information/<int:pk>/remove-co-submitter/",
        secretariat_views.information_remove_co_submitter,
        name="information-remove-co-submitter",
    ),
    path("experts/", views_experts.expert_list, name="expert-list"),
    path("experts/new/", views_experts.expert_new, name="expert-new"),
    path("notifications/", secretariat_views.notification_list, name="notification-list"),
    path("notifications/read/", secretariat_views.notifications_read, name="notifications-read"),
    path("search/", web_views.search, name="search"),
    # Meeting pages; "meetings/<str:code>.ics" above is the per-state feed.
    path("meetings/", secretariat_views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", secretariat_views.meeting_page, name="meeting"),
    path("preferences/", member_views.preferences, name="preferences"),
    # The implementation years (issue 17)
    *urls_plans.pages,
    *urls_activities.pages,
    *urls_reporting.pages,
    *urls_participation.pages,
    *urls_report.pages,
    *urls_pages.pages,
]

handler400 = "cica.input.bad_request"
handler404 = "cica.errors.page_not_found"
handler500 = "cica.errors.server_error"

if settings.CICA_BENCH_VIEWS:  # benchmark references only, never in production
    from ops import bench_views

    urlpatterns += [
        path("bench/floor/measures/", bench_views.floor_measures),
        path("bench/naive/measures/", bench_views.NaiveMeasures.as_view()),
    ]
