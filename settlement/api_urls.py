from django.urls import path

from . import apis

urlpatterns = [
    path("service-records/", apis.ServiceRecordApi.as_view(), name="api-service-records"),
    path("settlement/claims/", apis.ClaimApi.as_view(), name="api-settlement-claims"),
    path("settlement/results/", apis.AuditResultApi.as_view(), name="api-settlement-results"),
    path("settlement/statements/<int:pk>/", apis.StatementApi.as_view(), name="api-settlement-statement"),
    path("settlement/appeals/", apis.AppealApi.as_view(), name="api-settlement-appeals"),
]
