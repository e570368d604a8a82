"""API of the provider portal (SPEC 6, 11.6): the institution's own profile, beds and caregivers."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ltci.core.dates import parse_iso_date

from . import services
from .errors import InstitutionError
from .models import Bed, Employment
from .permissions import IsInstitutionUser
from .selectors import active_agreement, bed_queryset, current_agreement
from .serializers import (
    BedEndIn,
    BedIn,
    BedOut,
    CaregiverIn,
    CaregiverUpdateIn,
    EmploymentOut,
    InstitutionOut,
)


def _invalid(exc: InstitutionError):
    return serializers.ValidationError({exc.field or "non_field_errors": [exc.message]})


class InstitutionProfileApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.view"

    @extend_schema(responses=InstitutionOut, summary="本机构信息")
    def get(self, request):
        institution = request.institution
        institution.current_agreement = current_agreement(institution=institution)
        institution.in_force_today = (
            active_agreement(institution=institution, on=timezone.localdate()) is not None
        )
        return Response(InstitutionOut(institution).data)


class BedListCreateApi(generics.GenericAPIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.records"
    serializer_class = BedOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bed.objects.none()
        return Bed.objects.filter(institution=self.request.institution).order_by("label")

    @extend_schema(
        responses=BedOut(many=True),
        summary="本机构备案床位",
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="只列出该日备案的床位（当日床位容量）")
        ],
    )
    def get(self, request):
        beds = self.get_queryset()
        if "on" in request.query_params:
            try:
                day = parse_iso_date(request.query_params["on"])
            except ValueError:
                raise serializers.ValidationError({"on": [_("日期格式应为YYYY-MM-DD")]}) from None
            beds = bed_queryset(institution=request.institution, on=day).order_by("label")
        page = self.paginate_queryset(beds)
        return self.get_paginated_response(BedOut(page, many=True).data)

    @extend_schema(request=BedIn, responses={201: BedOut}, summary="备案一张床位")
    def post(self, request):
        data = BedIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            bed = services.bed_add(institution=request.institution, actor=request.user, **data.validated_data)
        except InstitutionError as exc:
            raise _invalid(exc) from None
        return Response(BedOut(bed).data, status=status.HTTP_201_CREATED)


class CaregiverListCreateApi(generics.GenericAPIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.records"
    serializer_class = EmploymentOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Employment.objects.none()
        return (
            Employment.objects.filter(institution=self.request.institution)
            .select_related("caregiver")
            .order_by("caregiver__national_id", "employed_from")
        )

    @extend_schema(responses=EmploymentOut(many=True), summary="本机构护理人员（任职记录）")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EmploymentOut(page, many=True).data)

    @extend_schema(request=CaregiverIn, responses={201: EmploymentOut}, summary="登记护理人员")
    def post(self, request):
        data = CaregiverIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            employment = services.caregiver_employ(
                institution=request.institution, actor=request.user, **data.validated_data
            )
        except InstitutionError as exc:
            raise _invalid(exc) from None
        return Response(EmploymentOut(employment).data, status=status.HTTP_201_CREATED)


class BedEndApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.records"

    @extend_schema(request=BedEndIn, responses=BedOut, summary="撤销床位备案")
    def post(self, request, pk):
        bed = get_object_or_404(Bed, pk=pk, institution=request.institution)
        data = BedEndIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            bed = services.bed_end(bed=bed, actor=request.user, **data.validated_data)
        except InstitutionError as exc:
            raise _invalid(exc) from None
        return Response(BedOut(bed).data)


class CaregiverUpdateApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.records"

    @extend_schema(request=CaregiverUpdateIn, responses=EmploymentOut, summary="修改护理人员信息或登记离职")
    def patch(self, request, pk):
        employment = get_object_or_404(
            Employment.objects.select_related("caregiver"), pk=pk, institution=request.institution
        )
        data = CaregiverUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        caregiver = employment.caregiver
        try:
            with transaction.atomic():
                if {"name", "qualification", "phone"} & values.keys():
                    services.caregiver_update(
                        caregiver=caregiver,
                        institution=request.institution,
                        actor=request.user,
                        name=values.get("name", caregiver.name),
                        qualification=values.get("qualification", caregiver.qualification),
                        phone=values.get("phone", caregiver.phone),
                    )
                if "employed_to" in values:
                    employment = services.employment_end(
                        employment=employment, employed_to=values["employed_to"], actor=request.user
                    )
        except InstitutionError as exc:
            raise _invalid(exc) from None
        employment.caregiver.refresh_from_db()
        return Response(EmploymentOut(employment).data)
