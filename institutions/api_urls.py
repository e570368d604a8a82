from django.urls import path

from . import apis

urlpatterns = [
    path("institution/", apis.InstitutionProfileApi.as_view(), name="api-institution"),
    path("beds/", apis.BedListCreateApi.as_view(), name="api-beds"),
    path("beds/<int:pk>/end/", apis.BedEndApi.as_view(), name="api-bed-end"),
    path("caregivers/", apis.CaregiverListCreateApi.as_view(), name="api-caregivers"),
    path("caregivers/<int:pk>/", apis.CaregiverUpdateApi.as_view(), name="api-caregiver"),
]
