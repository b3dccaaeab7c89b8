from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from cica.errors import page_not_found
from measures import api as measures_api
from members import api as members_api
from secretariat import api as secretariat_api
from secretariat.views import meetings_ics

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *members_api.urlpatterns,
    *measures_api.urlpatterns,
    *secretariat_api.urlpatterns,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("meetings.ics", meetings_ics, name="meetings-ics"),
    path("meetings/<str:code>.ics", meetings_ics, name="participant-meetings-ics"),
    # Unknown API paths answer JSON, whatever DEBUG says.
    re_path(r"^api/", page_not_found),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

handler404 = "cica.errors.page_not_found"
handler500 = "cica.errors.server_error"
