"""All REST endpoints under /api/v1/; each app contributes its own api_urls module."""

from django.urls import include, path

urlpatterns = [
    path("", include("institutions.api_urls")),
    path("", include("assessment.api_urls")),
    path("", include("benefits.api_urls")),
    path("", include("settlement.api_urls")),
]
