from django.urls import path

from . import apis

urlpatterns = [
    path("clients/", apis.ClientListApi.as_view(), name="api-clients"),
    path("admissions/", apis.AdmissionListCreateApi.as_view(), name="api-admissions"),
    path("admissions/<int:pk>/discharge/", apis.DischargeApi.as_view(), name="api-admission-discharge"),
    path("admissions/<int:pk>/bed/", apis.BedChangeApi.as_view(), name="api-admission-bed"),
]
