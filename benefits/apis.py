"""API of the provider portal's residents area (SPEC 6, 11.6): the same scope and services as the pages."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from institutions.models import Bed
from institutions.permissions import IsInstitutionUser
from ltci.core.idnumber import mask_id

from . import selectors
from .eligibility import month_verdicts
from .models import Admission, BenefitDecision
from .services.admissions import (
    AdmissionError,
    admission_admit_for_institution,
    admission_change_bed,
    admission_discharge,
)


class AdmissionOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="person.name")
    national_id = serializers.SerializerMethodField()
    bed = serializers.CharField(source="bed.label", allow_null=True)
    admitted_on = serializers.DateField()
    discharged_on = serializers.DateField(allow_null=True)

    def get_national_id(self, obj) -> str:
        return mask_id(obj.person.national_id)


class ClientOut(serializers.Serializer):
    decision_id = serializers.IntegerField()
    name = serializers.CharField()
    national_id = serializers.CharField()
    care_form = serializers.CharField()
    benefit_class = serializers.CharField()
    starts_on = serializers.DateField()
    eligible_today = serializers.BooleanField()
    reason_code = serializers.CharField(allow_null=True)


class AdmitIn(serializers.Serializer):
    national_id = serializers.CharField(max_length=18)
    admitted_on = serializers.DateField()
    bed = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="床位号；留空自动分配"
    )


class DischargeIn(serializers.Serializer):
    discharged_on = serializers.DateField()


class BedChangeIn(serializers.Serializer):
    bed = serializers.CharField(max_length=30)
    on = serializers.DateField()


def _invalid(exc: AdmissionError):
    return serializers.ValidationError({"non_field_errors": [str(exc)]})


def _bed(institution, label):
    if not label:
        return None
    bed = Bed.objects.filter(institution=institution, label=label).first()
    if bed is None:
        raise serializers.ValidationError({"bed": [_("本机构没有床位 %(label)s") % {"label": label}]})
    return bed


class ClientListApi(generics.GenericAPIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.residents"
    serializer_class = ClientOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BenefitDecision.objects.none()
        return selectors.clients_for_institution(
            institution=self.request.institution, on=timezone.localdate()
        )

    @extend_schema(responses=ClientOut(many=True), summary="本机构服务对象及今日待遇资格")
    def get(self, request):
        today = timezone.localdate()
        decisions = self.paginate_queryset(self.get_queryset())
        verdicts = month_verdicts(person_ids=[d.person_id for d in decisions], start=today, end=today)
        rows = []
        for d in decisions:
            verdict = verdicts[(d.person_id, today)]
            rows.append(
                {
                    "decision_id": d.pk,
                    "name": d.person.name,
                    "national_id": mask_id(d.person.national_id),
                    "care_form": d.care_form,
                    "benefit_class": d.benefit_class,
                    "starts_on": d.starts_on,
                    "eligible_today": verdict.eligible and verdict.institution_id == request.institution.pk,
                    "reason_code": verdict.reason_code,
                }
            )
        return self.get_paginated_response(ClientOut(rows, many=True).data)


class AdmissionListCreateApi(generics.GenericAPIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.admissions"
    serializer_class = AdmissionOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Admission.objects.none()
        return selectors.residents_for_institution(
            institution=self.request.institution, on=timezone.localdate()
        )

    @extend_schema(responses=AdmissionOut(many=True), summary="本机构在住人员")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AdmissionOut(page, many=True).data)

    @extend_schema(request=AdmitIn, responses={201: AdmissionOut}, summary="登记入住")
    def post(self, request):
        data = AdmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            admission = admission_admit_for_institution(
                institution=request.institution,
                national_id=v["national_id"],
                on=v["admitted_on"],
                bed=_bed(request.institution, v.get("bed")),
                actor=request.user,
            )
        except AdmissionError as exc:
            raise _invalid(exc) from None
        return Response(AdmissionOut(admission).data, status=status.HTTP_201_CREATED)


class _OwnAdmission(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.admissions"

    def admission(self, pk):
        admission = selectors.admission_for_institution(institution=self.request.institution, pk=pk)
        if admission is None:
            raise Http404
        return admission


class DischargeApi(_OwnAdmission):
    @extend_schema(request=DischargeIn, responses=AdmissionOut, summary="登记退住（退住日不计床日）")
    def post(self, request, pk):
        admission = self.admission(pk)
        data = DischargeIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            admission = admission_discharge(
                admission=admission, on=data.validated_data["discharged_on"], actor=request.user
            )
        except AdmissionError as exc:
            raise _invalid(exc) from None
        return Response(AdmissionOut(admission).data)


class BedChangeApi(_OwnAdmission):
    @extend_schema(request=BedChangeIn, responses=AdmissionOut, summary="换床")
    def post(self, request, pk):
        admission = self.admission(pk)
        data = BedChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            admission = admission_change_bed(
                admission=admission,
                bed=_bed(request.institution, data.validated_data["bed"]),
                on=data.validated_data["on"],
                actor=request.user,
            )
        except AdmissionError as exc:
            raise _invalid(exc) from None
        return Response(AdmissionOut(admission).data)
