"""Provider portal: residents and clients (mounted at /portal/residents/)."""

from django.urls import path

from . import portal_views

app_name = "residents"
urlpatterns = [
    path("", portal_views.residents, name="list"),
    path("<int:pk>/discharge/", portal_views.discharge, name="discharge"),
    path("<int:pk>/bed/", portal_views.change_bed, name="change_bed"),
]
