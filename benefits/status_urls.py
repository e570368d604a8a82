"""The insured person's status page (mounted at /me/)."""

from django.urls import path

from . import status_views

app_name = "status"
urlpatterns = [
    path("", status_views.home, name="home"),
    path("login/", status_views.login_view, name="login"),
    path("logout/", status_views.logout_view, name="logout"),
    path("activate/", status_views.activate_view, name="activate"),
    path("switch/<int:person_id>/", status_views.switch, name="switch"),
    path("apply/", status_views.apply, name="apply"),
    path("certificate/<int:year>.pdf", status_views.contribution_certificate, name="certificate"),
    path("decisions/<int:pk>/letter.pdf", status_views.decision_letter, name="decision_letter"),
    path("conclusions/<int:pk>/review/", status_views.review, name="review"),
    path("conclusions/<int:pk>/notice.pdf", status_views.conclusion_notice, name="conclusion_notice"),
    path("documents/<int:pk>/", status_views.application_document, name="application_document"),
]
