from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ltci.core.admin_exports import export_changelist
from ltci.core.views import home

admin.site.site_header = _("长期护理保险经办系统")
admin.site.site_title = _("长期护理保险经办系统")
admin.site.index_title = _("经办管理")
admin.site.index_template = "admin/dashboard.html"  # the role's work queues and the day's warnings (issue 16)

urlpatterns = [
    path("", home, name="home"),
    path("me/", include("insured.urls")),  # first: the most requested pages (insured persons)
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/enrollment/person/", include("office.urls")),  # the person's case page, before the admin's
    path(
        "admin/export/<str:app_label>/<str:model_name>/<str:fmt>/",
        admin.site.admin_view(export_changelist),
        name="admin_export",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script from the site (?script) instead of inline (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("ltci.api_urls")),
    path("portal/assessments/", include("assessment.portal_urls")),
    path("portal/residents/", include("benefits.portal_urls")),
    path("portal/settlement/", include("settlement.portal_urls")),
    path("portal/", include("institutions.portal_urls")),
]

handler400 = "ltci.core.errors.bad_request"
handler403 = "ltci.core.errors.permission_denied"  # in the admin's layout under /admin/, else the site's
handler404 = "ltci.core.errors.page_not_found"  # JSON under /api/
handler500 = "ltci.core.errors.server_error"

# MEDIA_URL is never served (not even with DEBUG): uploads hold medical records and ID numbers and are
# downloaded only through views that check who may see them (docs/decisions.md, credentials and hardening).
