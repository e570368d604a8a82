"""REST API for institutions (SPEC 11.4, 11.6): service records, claims, audit results, statements, appeals.

Every view is scoped to the caller's institution (institutions.permissions.IsInstitutionUser).
"""
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from institutions.permissions import ADMIN, CAREGIVER, CLERK, IsInstitutionUser
from ltci.core.dates import parse_month
from ltci.core.downloads import attachment
from ltci.core.exports import csv_text
from ltci.core.importing import RowError

from . import selectors
from .imports import parse_row, resolve
from .models import ServiceRecord
from .rules import reason_text
from .services.appeals import AppealRefused, appeal_create
from .services.records import claim_submit, records_store

RECORD_ROLES = (ADMIN, CLERK, CAREGIVER)


class ServiceRecordIn(serializers.Serializer):
    institution_code = serializers.CharField(required=False, allow_blank=True)
    national_id = serializers.CharField()
    kind = serializers.CharField()
    service_date = serializers.CharField()
    component = serializers.CharField(required=False, allow_blank=True, default="")
    charged_amount = serializers.CharField()
    caregiver_id = serializers.CharField(required=False, allow_blank=True, default="")
    started_at = serializers.CharField(required=False, allow_blank=True, default="")
    ended_at = serializers.CharField(required=False, allow_blank=True, default="")
    items = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    client_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)


class ServiceRecordOut(serializers.ModelSerializer):
    institution_code = serializers.CharField(source="institution.code")
    national_id = serializers.CharField(source="person.national_id")

    class Meta:
        model = ServiceRecord
        fields = ["id", "institution_code", "national_id", "kind", "service_date", "component", "charged_amount",
                  "caregiver_national_id", "started_at", "ended_at", "items", "client_key", "received_at"]


def _month_param(request):
    try:
        return parse_month(request.query_params.get("month", ""))
    except ValueError as exc:
        raise ValidationError({"month": [str(exc)]}) from None


class ServiceRecordApi(APIView):
    """POST one record (object) or a batch (array); idempotent by client_key; GET the month's records."""

    permission_classes = [IsInstitutionUser]
    portal_roles = RECORD_ROLES

    @extend_schema(request=ServiceRecordIn(many=True), responses={201: ServiceRecordOut(many=True)},
                   summary="上传服务记录（单条或批量，client_key 幂等）")
    def post(self, request):
        institution = request.institution
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if not items:
            raise ValidationError({"records": [_("请求中没有服务记录")]})
        if len(items) > settings.IMPORT_WEB_SYNC_MAX_ROWS:  # issue 13: a request never holds a worker for long
            raise ValidationError({"records": [_("一次最多提交 %(max)s 条服务记录：请分批提交，或上传文件")
                                               % {"max": settings.IMPORT_WEB_SYNC_MAX_ROWS}]})
        data = ServiceRecordIn(data=items, many=True)
        data.is_valid(raise_exception=True)
        parsed, errors = [], {}
        for index, item in enumerate(data.validated_data):
            values = {k: str(v) for k, v in item.items() if k not in ("items", "client_key")}
            values["institution_code"] = values.get("institution_code") or institution.code
            values["items"] = ";".join(item["items"])
            try:
                record = parse_row(index, values)
            except RowError as err:
                errors[index] = {err.field: [err.reason]}
                continue
            record["client_key"] = item["client_key"]
            parsed.append((index, record))
        good, row_errors = resolve(parsed, only_institution=institution)
        for err in row_errors:
            errors[err.row] = {err.field: [err.reason]}
        if errors:
            raise ValidationError({"records": errors})
        keys = [(f"api:{institution.pk}:{record['client_key'] or uuid.uuid4().hex}", record) for _, record in good]
        applied, __ = records_store(records=keys, origin=ServiceRecord.Origin.API)
        stored = ServiceRecord.objects.filter(source_key__in=[k for k, _ in keys]).select_related(
            "institution", "person").order_by("id")
        body = ServiceRecordOut(stored, many=True).data
        code = status.HTTP_201_CREATED if applied else status.HTTP_200_OK
        return Response(body if many else body[0], status=code)

    @extend_schema(responses=ServiceRecordOut(many=True), summary="本机构某月服务记录（month=YYYY-MM）")
    def get(self, request):
        month = _month_param(request)
        qs = selectors.records_for_institution(institution=request.institution, month=month)
        return Response(ServiceRecordOut(qs.select_related("institution", "person")[:5000], many=True).data)


class ClaimApi(APIView):
    permission_classes = [IsInstitutionUser]
    portal_roles = (ADMIN, CLERK)

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT}, summary="提交月度申报（month=YYYY-MM）")
    def post(self, request):
        month = _month_param(request)
        claim = claim_submit(institution=request.institution, month=month, actor=request.user)
        return Response({"month": f"{claim.month:%Y-%m}", "deadline": claim.deadline, "late": claim.late,
                         "record_count": claim.record_count, "charged_total": f"{claim.charged_total:.2f}"},
                        status=status.HTTP_201_CREATED)


class AuditResultApi(APIView):
    """The institution's audit results of a month, record by record, with the Chinese reasons."""

    permission_classes = [IsInstitutionUser]
    portal_roles = (ADMIN, CLERK)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="审核结果（逐条，month=YYYY-MM）")
    def get(self, request):
        month = _month_param(request)
        run, lines = selectors.visible_lines(institution=request.institution, month=month)
        if run is None:
            return Response({"month": f"{month:%Y-%m}", "state": None, "lines": []})
        return Response({"month": f"{month:%Y-%m}", "state": run.state, "version": run.version, "lines": [
            {"id": line.pk, "national_id": line.person.national_id, "care_form": line.care_form,
             "quantity": line.quantity, "charged_amount": f"{line.charged_amount:.2f}",
             "fund_amount": f"{line.fund_amount:.2f}", "personal_amount": f"{line.personal_amount:.2f}",
             "rejected_amount": f"{line.rejected_amount:.2f}", "is_late": line.is_late,
             "reasons": [{"code": c, "message": reason_text(c)} for c in line.reason_codes],
             "records": [{"id": a.pk, "record_id": a.record_id, "service_date": a.record.service_date,
                          "charged_amount": f"{a.charged_amount:.2f}", "rejected_amount": f"{a.rejected_amount:.2f}",
                          "reasons": [{"code": c, "message": reason_text(c)} for c in a.codes]}
                         for a in line.audits.select_related("record").order_by("record__service_date", "pk")]}
            for line in lines]})


class StatementApi(APIView):
    permission_classes = [IsInstitutionUser]
    portal_roles = (ADMIN, CLERK)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, summary="结算单下载（download=pdf|csv）")
    def get(self, request, pk):
        statement = get_object_or_404(selectors.statements_for_institution(institution=request.institution), pk=pk)
        if request.query_params.get("download") == "csv":
            return statement_csv_response(statement)
        from .services.reports import statement_pdf

        return attachment(statement_pdf(statement), f"{statement.document_no}.pdf")


def statement_csv_response(statement) -> HttpResponse:
    lines = statement.run.lines.filter(institution=statement.institution).select_related("person").order_by(
        "person__national_id", "care_form")
    rows = [["document_no", "institution_code", "month", "fund_payable", "deposit_withheld", "recovered",
             "adjustments", "carried", "net_payable"],
            [statement.document_no, statement.institution.code, f"{statement.run.month:%Y-%m}",
             statement.fund_payable, statement.deposit_withheld, statement.recovered, statement.adjustments,
             statement.carried, statement.net_payable],
            [],
            ["national_id", "care_form", "quantity", "charged_amount", "fund_amount", "personal_amount",
             "rejected_amount", "reason_codes"],
            *([line.person.national_id, line.care_form, line.quantity, line.charged_amount, line.fund_amount,
               line.personal_amount, line.rejected_amount, ";".join(line.reason_codes)] for line in lines)]
    return attachment(csv_text(rows, bom=True), f"{statement.document_no}.csv", content_type="text/csv; charset=utf-8")


class AppealIn(serializers.Serializer):
    line_id = serializers.IntegerField()
    audit_id = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField()


class AppealApi(APIView):
    permission_classes = [IsInstitutionUser]
    portal_roles = (ADMIN, CLERK)

    @extend_schema(request=AppealIn, responses={201: OpenApiTypes.OBJECT}, summary="对拒付明细提出申诉")
    def post(self, request):
        data = AppealIn(data=request.data)
        data.is_valid(raise_exception=True)
        line = get_object_or_404(selectors.lines_for_institution(institution=request.institution),
                                 pk=data.validated_data["line_id"])
        audit = None
        if data.validated_data.get("audit_id"):
            audit = get_object_or_404(line.audits, pk=data.validated_data["audit_id"])
        try:
            appeal = appeal_create(institution=request.institution, line=line, audit=audit,
                                   comment=data.validated_data["comment"], actor=request.user)
        except AppealRefused as exc:
            raise ValidationError({"line_id": [str(exc)]}) from None
        return Response({"id": appeal.pk, "state": appeal.state}, status=status.HTTP_201_CREATED)
