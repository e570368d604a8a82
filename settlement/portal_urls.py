"""Provider portal area /portal/settlement/ (namespace "settlement_portal")."""

from django.urls import path

from . import views

app_name = "settlement_portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("upload/<int:pk>/errors/", views.upload_errors, name="upload_errors"),
    path("upload/template.csv", views.upload_template, name="upload_template"),
    path("upload/jobs/<int:pk>/", views.upload_job, name="upload_job"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("claim/", views.claim, name="claim"),
    path("bed-days/", views.bed_days, name="bed_days"),
    path("results/", views.results, name="results"),
    path("appeal/", views.appeal, name="appeal"),
    path("statements/<int:pk>/<str:fmt>/", views.statement, name="statement"),
]
