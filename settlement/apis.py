"""REST API for institutions (SPEC 11.4, 11.6): service records, claims, audit results, statements, appeals.

Every view is scoped to the caller's institution (institutions.permissions.IsInstitutionUser).
"""

import uuid

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from institutions.permissions import IsInstitutionUser
from ltci.core.downloads import attachment
from ltci.core.exports import csv_text
from ltci.core.importing import RowError
from ltci.core.query import MonthQuery
from ltci.core.schema import ErrorSerializer

from . import selectors
from .imports import check_records, parse_row, resolve
from .models import HoldDecision, ServiceRecord
from .rules import reason_text
from .services.appeals import AppealRefused, appeal_create
from .services.records import claim_submit, records_store


class ServiceRecordIn(serializers.Serializer):
    """One record (SPEC 11.4 columns); the values are then checked as a file row is (settlement.imports)."""

    institution_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    national_id = serializers.CharField(max_length=18)
    kind = serializers.CharField(max_length=20, help_text="bed_day | home_visit | device")
    service_date = serializers.CharField(max_length=10, help_text="YYYY-MM-DD")
    component = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10, help_text="life | medical（床日必填）"
    )
    # The money column's precision: 1E+30, NaN and 0.001 are field errors here, never a server error.
    charged_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    caregiver_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=18)
    started_at = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    ended_at = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    items = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=50
    )
    client_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)


class ServiceRecordOut(serializers.ModelSerializer):
    institution_code = serializers.CharField(source="institution.code")
    national_id = serializers.CharField(source="person.national_id")
    held = serializers.SerializerMethodField(
        help_text="true：收费超过政策上限，记录已保存，待经办机构确认后才参加结算（SPEC 7.1）"
    )
    held_message = serializers.SerializerMethodField(help_text="待确认或已驳回时的说明（中文），否则为空")

    def get_held(self, record) -> bool:
        return bool(record.held_reason) and not record.hold_decision

    def get_held_message(self, record) -> str:
        if not record.held_reason:
            return ""
        if record.hold_decision == HoldDecision.REJECTED:
            return _("经办机构已驳回该超上限收费，不予支付")
        if record.hold_decision == HoldDecision.CONFIRMED:
            return _("经办机构已确认该超上限收费")
        return _("收费金额超过该类记录的政策上限：记录已保存，待医保经办机构确认后才参加结算")

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "institution_code",
            "national_id",
            "kind",
            "service_date",
            "component",
            "charged_amount",
            "caregiver_national_id",
            "started_at",
            "ended_at",
            "items",
            "client_key",
            "received_at",
            "held",
            "held_reason",
            "hold_decision",
            "held_message",
        ]


MONTH = OpenApiParameter("month", str, required=True, pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")
RECORDS_IN = PolymorphicProxySerializer(
    component_name="ServiceRecordsIn",
    resource_type_field_name=None,
    serializers=[ServiceRecordIn, ServiceRecordIn(many=True)],
    many=False,
)
RECORDS_OUT = PolymorphicProxySerializer(
    component_name="ServiceRecordsOut",
    resource_type_field_name=None,
    serializers=[ServiceRecordOut, ServiceRecordOut(many=True)],
    many=False,
)


class ClaimOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    deadline = serializers.DateField()
    late = serializers.BooleanField()
    record_count = serializers.IntegerField()
    charged_total = serializers.CharField(help_text="元，两位小数")


class ReasonOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class RecordAuditOut(serializers.Serializer):
    id = serializers.IntegerField()
    record_id = serializers.IntegerField()
    service_date = serializers.DateField()
    charged_amount = serializers.CharField()
    rejected_amount = serializers.CharField()
    reasons = ReasonOut(many=True)


class ResultLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    national_id = serializers.CharField()
    care_form = serializers.CharField()
    quantity = serializers.IntegerField()
    charged_amount = serializers.CharField()
    fund_amount = serializers.CharField()
    personal_amount = serializers.CharField()
    rejected_amount = serializers.CharField()
    is_late = serializers.BooleanField()
    reasons = ReasonOut(many=True)
    records = RecordAuditOut(many=True)


class AuditResultOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    state = serializers.CharField(allow_null=True, help_text="audited | approved | paid；尚未公布时为 null")
    version = serializers.IntegerField(required=False)
    lines = ResultLineOut(many=True)


def _month_param(request):
    """``?month=YYYY-MM`` (required), read by the portal's own form (ltci.core.query)."""
    form = MonthQuery({"month": request.query_params.get("month", "")})
    if not form.is_valid():
        raise ValidationError({"month": form.errors["month"]})
    if form.cleaned_data["month"] is None:
        raise ValidationError({"month": [_("请填写月份（YYYY-MM）")]})
    return form.cleaned_data["month"]


def _records_in(data) -> list:
    """The request body as a list of records: an object or an array of at most LTCI_API_MAX_RECORDS."""
    if not isinstance(data, (dict, list)):
        raise ValidationError({"records": [_("请求体应为一条服务记录（对象）或服务记录数组")]})
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ValidationError({"records": [_("请求中没有服务记录")]})
    limit = settings.LTCI_API_MAX_RECORDS
    if len(items) > limit:
        raise ValidationError(
            {
                "records": [
                    _("一次最多提交%(limit)s条服务记录（本次%(count)s条），请分批提交")
                    % {"limit": limit, "count": len(items)}
                ]
            }
        )
    return items


class ServiceRecordApi(generics.GenericAPIView):
    """POST one record (object) or a batch (array); idempotent by client_key; GET the month's records."""

    permission_classes = [IsInstitutionUser]
    capability = "portal.settlement"
    serializer_class = ServiceRecordOut
    throttle_scope = "service_records"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceRecord.objects.none()
        return selectors.records_for_institution(
            institution=self.request.institution, month=_month_param(self.request)
        ).select_related("institution", "person")

    @extend_schema(
        request=RECORDS_IN,
        responses={201: RECORDS_OUT, 200: RECORDS_OUT},
        summary="上传服务记录（单条对象或数组，每次最多1000条；client_key 幂等）",
        description="数组中任何一条有误则全部不写入，400 的 errors.records 按序号列出原因；"
        "全部 client_key 已存在时返回 200 和已存的记录。收费超过该类记录政策上限的记录照常保存（201），"
        "但 held 为 true、held_message 说明待经办机构确认：确认前不参加结算，驳回的不予支付。",
    )
    def post(self, request):
        institution = request.institution
        items = _records_in(request.data)
        parsed, errors = [], {}
        for index, item in enumerate(items):
            data = ServiceRecordIn(data=item)
            if not data.is_valid():
                errors[index] = data.errors
                continue
            item = data.validated_data
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
        rows = [
            (row, f"api:{institution.pk}:{record['client_key'] or uuid.uuid4().hex}", record)
            for row, record in good
        ]
        row_errors += check_records(rows)
        keys = [(key, record) for _, key, record in rows]
        for err in row_errors:
            errors[err.row] = {err.field: [err.reason]}
        if errors:
            raise ValidationError({"records": dict(sorted(errors.items()))})
        applied, __ = records_store(records=keys, origin=ServiceRecord.Origin.API)
        stored = (
            ServiceRecord.objects.filter(key__source_key__in=[k for k, _ in keys])
            .select_related("institution", "person")
            .order_by("id")
        )
        body = ServiceRecordOut(stored, many=True).data
        code = status.HTTP_201_CREATED if applied else status.HTTP_200_OK
        return Response(body if isinstance(request.data, list) else body[0], status=code)

    @extend_schema(
        parameters=[MONTH], responses=ServiceRecordOut(many=True), summary="本机构某月服务记录（分页）"
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ServiceRecordOut(page, many=True).data)


class ClaimApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.settlement"

    @extend_schema(request=None, parameters=[MONTH], responses={201: ClaimOut}, summary="提交月度申报")
    def post(self, request):
        month = _month_param(request)
        claim = claim_submit(institution=request.institution, month=month, actor=request.user)
        return Response(
            {
                "month": f"{claim.month:%Y-%m}",
                "deadline": claim.deadline,
                "late": claim.late,
                "record_count": claim.record_count,
                "charged_total": f"{claim.charged_total:.2f}",
            },
            status=status.HTTP_201_CREATED,
        )


class AuditResultApi(APIView):
    """The institution's audit results of a month, record by record, with the Chinese reasons."""

    permission_classes = [IsInstitutionUser]
    capability = "portal.settlement"

    @extend_schema(parameters=[MONTH], responses=AuditResultOut, summary="审核结果（逐条）")
    def get(self, request):
        month = _month_param(request)
        run, lines = selectors.visible_lines(institution=request.institution, month=month)
        if run is None:
            return Response({"month": f"{month:%Y-%m}", "state": None, "lines": []})
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "state": run.state,
                "version": run.version,
                "lines": [
                    {
                        "id": line.pk,
                        "national_id": line.person.national_id,
                        "care_form": line.care_form,
                        "quantity": line.quantity,
                        "charged_amount": f"{line.charged_amount:.2f}",
                        "fund_amount": f"{line.fund_amount:.2f}",
                        "personal_amount": f"{line.personal_amount:.2f}",
                        "rejected_amount": f"{line.rejected_amount:.2f}",
                        "is_late": line.is_late,
                        "reasons": [{"code": c, "message": reason_text(c)} for c in line.reason_codes],
                        "records": [
                            {
                                "id": a.pk,
                                "record_id": a.record_id,
                                "service_date": a.record.service_date,
                                "charged_amount": f"{a.charged_amount:.2f}",
                                "rejected_amount": f"{a.rejected_amount:.2f}",
                                "reasons": [{"code": c, "message": reason_text(c)} for c in a.codes],
                            }
                            for a in line.audits.select_related("record").order_by(
                                "record__service_date", "pk"
                            )
                        ],
                    }
                    for line in lines
                ],
            }
        )


class StatementApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.settlement"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "download", str, enum=["pdf", "csv"], default="pdf", description="下载格式（默认PDF）"
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
        summary="结算单下载",
    )
    def get(self, request, pk):
        fmt = request.query_params.get("download", "pdf")
        if fmt not in ("pdf", "csv"):
            raise ValidationError({"download": [_("下载格式应为 pdf 或 csv")]})
        statement = get_object_or_404(
            selectors.statements_for_institution(institution=request.institution), pk=pk
        )
        if fmt == "csv":
            return statement_csv_response(statement)
        from .services.reports import statement_pdf

        return attachment(statement_pdf(statement), f"{statement.document_no}.pdf")


def statement_csv_response(statement) -> HttpResponse:
    lines = (
        statement.run.lines.filter(institution=statement.institution)
        .select_related("person")
        .order_by("person__national_id", "care_form")
    )
    rows = [
        [
            "document_no",
            "institution_code",
            "month",
            "fund_payable",
            "deposit_withheld",
            "recovered",
            "adjustments",
            "carried",
            "net_payable",
        ],
        [
            statement.document_no,
            statement.institution.code,
            f"{statement.run.month:%Y-%m}",
            statement.fund_payable,
            statement.deposit_withheld,
            statement.recovered,
            statement.adjustments,
            statement.carried,
            statement.net_payable,
        ],
        [],
        [
            "national_id",
            "care_form",
            "quantity",
            "charged_amount",
            "fund_amount",
            "personal_amount",
            "rejected_amount",
            "reason_codes",
        ],
        *(
            [
                line.person.national_id,
                line.care_form,
                line.quantity,
                line.charged_amount,
                line.fund_amount,
                line.personal_amount,
                line.rejected_amount,
                ";".join(line.reason_codes),
            ]
            for line in lines
        ),
    ]
    return attachment(
        csv_text(rows, bom=True), f"{statement.document_no}.csv", content_type="text/csv; charset=utf-8"
    )


class AppealIn(serializers.Serializer):
    line_id = serializers.IntegerField()
    audit_id = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField()


class AppealOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()


class AppealApi(APIView):
    permission_classes = [IsInstitutionUser]
    capability = "portal.settlement"

    @extend_schema(
        request=AppealIn,
        responses={201: AppealOut, 404: ErrorSerializer},
        summary="对拒付明细提出申诉（明细或审核记录不属于本机构时404）",
    )
    def post(self, request):
        data = AppealIn(data=request.data)
        data.is_valid(raise_exception=True)
        line = get_object_or_404(
            selectors.lines_for_institution(institution=request.institution),
            pk=data.validated_data["line_id"],
        )
        audit = None
        if data.validated_data.get("audit_id"):
            audit = get_object_or_404(line.audits, pk=data.validated_data["audit_id"])
        try:
            appeal = appeal_create(
                institution=request.institution,
                line=line,
                audit=audit,
                comment=data.validated_data["comment"],
                actor=request.user,
            )
        except AppealRefused as exc:
            raise ValidationError({"line_id": [str(exc)]}) from None
        return Response({"id": appeal.pk, "state": appeal.state}, status=status.HTTP_201_CREATED)
