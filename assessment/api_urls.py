from django.urls import path

from . import apis

urlpatterns = [
    path("assessment-tasks/", apis.TaskListApi.as_view(), name="api-assessment-tasks"),
    path("assessment-tasks/<int:pk>/visit/", apis.TaskVisitApi.as_view(), name="api-assessment-task-visit"),
    path(
        "assessment-tasks/<int:pk>/confirm/",
        apis.TaskConfirmApi.as_view(),
        name="api-assessment-task-confirm",
    ),
    path(
        "assessment-tasks/<int:pk>/decline/",
        apis.TaskDeclineApi.as_view(),
        name="api-assessment-task-decline",
    ),
]
