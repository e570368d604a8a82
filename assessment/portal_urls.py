"""Assessors' pages in the provider portal, mounted at /portal/assessments/."""

from django.urls import path

from . import views

app_name = "assessment_portal"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/confirm/", views.task_confirm, name="task_confirm"),
    path("tasks/<int:pk>/decline/", views.task_decline, name="task_decline"),
    path("applications/", views.institution_applications, name="applications"),
    path("documents/<int:pk>/", views.application_document, name="document"),
    path("photos/<int:pk>/", views.visit_photo, name="photo"),
]
