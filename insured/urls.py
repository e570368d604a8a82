"""The insured person's site (mounted at /me/)."""

from django.urls import path

from . import downloads, views

app_name = "insured"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("activate/", views.activate_view, name="activate"),
    path("text-size/", views.text_size, name="text_size"),
    path("switch/<int:person_id>/", views.switch, name="switch"),
    path("apply/", views.apply, name="apply"),
    path("notifications/", views.notifications, name="notifications"),
    path("certificate/<int:year>.pdf", downloads.contribution_certificate, name="certificate"),
    path("decisions/<int:pk>/letter.pdf", downloads.decision_letter, name="decision_letter"),
    path("conclusions/<int:pk>/review/", views.review, name="review"),
    path("conclusions/<int:pk>/objection/", views.objection, name="objection"),
    path("notice/", views.public_notice, name="public_notice"),  # 公示: public, no login
    path("conclusions/<int:pk>/notice.pdf", downloads.conclusion_notice, name="conclusion_notice"),
    path("documents/<int:pk>/", downloads.application_document, name="application_document"),
]
