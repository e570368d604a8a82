"""Assessors' API (SPEC 6: everything the portal does is also in the API): tasks, scores, confirm, decline."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from institutions.permissions import IsInstitutionUser

from . import selectors, services
from .models import Assessor, Assignment, Visit
from .services.conclusions import AssessmentError

AGENCY = ("assessment_agency",)


class TaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    application_number = serializers.CharField(source="application.number")
    application_kind = serializers.CharField(source="application.kind")
    application_state = serializers.CharField(source="application.state")
    person_name = serializers.CharField(source="application.person.name")
    round = serializers.IntegerField()
    state = serializers.CharField()


class VisitIn(serializers.Serializer):
    visited_on = serializers.DateField()
    items = serializers.DictField(child=serializers.IntegerField())
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    present = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class VisitOut(serializers.Serializer):
    visited_on = serializers.DateField()
    scale_version = serializers.CharField()
    items = serializers.DictField(child=serializers.IntegerField())
    adl = serializers.IntegerField()
    cognition = serializers.IntegerField()
    perception = serializers.IntegerField()
    grade = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


def _assessor(request) -> Assessor:
    assessor = Assessor.objects.filter(user=request.user, agency=request.institution, active=True).first()
    if assessor is None:
        raise PermissionDenied(_("当前账号不是本评估机构的评估人员。"))
    return assessor


def _task(request, pk) -> Assignment:
    assignment = selectors.assignment_for_assessor(assessor=_assessor(request), assignment_id=pk)
    if assignment is None:
        raise Http404
    return assignment


def _invalid(exc: AssessmentError):
    return serializers.ValidationError({"non_field_errors": [str(exc)]})


class _AssessorApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.assessment_tasks"
    institution_types = AGENCY


class TaskListApi(_AssessorApi, generics.GenericAPIView):
    serializer_class = TaskOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return selectors.tasks_for_assessor(assessor=_assessor(self.request)).exclude(
            state=Assignment.State.CANCELLED
        )

    @extend_schema(responses=TaskOut(many=True), summary="我的评估任务")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TaskOut(page, many=True).data)


class TaskVisitApi(_AssessorApi):
    @extend_schema(responses=VisitOut, summary="本轮现场评估结果")
    def get(self, request, pk):
        task = _task(request, pk)
        visit = Visit.objects.filter(application=task.application, round=task.round).first()
        if visit is None:
            raise Http404
        return Response(VisitOut(visit).data)

    @extend_schema(request=VisitIn, responses=VisitOut, summary="录入现场评估条目得分（等级由系统计算）")
    def post(self, request, pk):
        task = _task(request, pk)
        data = VisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            visit = services.visit_record(assignment=task, **data.validated_data)
        except AssessmentError as exc:
            raise _invalid(exc) from None
        return Response(VisitOut(visit).data)


class TaskConfirmApi(_AssessorApi):
    @extend_schema(request=None, responses=TaskOut, summary="确认本轮评估结果")
    def post(self, request, pk):
        task = _task(request, pk)
        try:
            services.visit_confirm(assignment=task, actor=request.user)
        except AssessmentError as exc:
            raise _invalid(exc) from None
        task.refresh_from_db()
        return Response(TaskOut(task).data)


class TaskDeclineApi(_AssessorApi):
    @extend_schema(request=DeclineIn, responses=TaskOut, summary="拒绝评估任务（系统重新派员）")
    def post(self, request, pk):
        task = _task(request, pk)
        data = DeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.assignment_decline(
                assignment=task, reason=data.validated_data["reason"], actor=request.user
            )
        except AssessmentError as exc:
            raise _invalid(exc) from None
        task.refresh_from_db()
        return Response(TaskOut(task).data)
