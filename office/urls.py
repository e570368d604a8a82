"""Included before the admin's own URLs (ltci/urls.py), under the person's admin page."""

from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:person_id>/case/",
        admin.site.admin_view(views.person_case),
        name="office_person_case",
    ),
]
