"""Staff screens for settlement and the fund (thin: every action calls a service)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.regions import region_label
from ltci.core.admin_mixins import KeepRowsMixin, MoneyColumnsMixin, ReadOnlyMixin, labelled_filter
from ltci.core.dates import parse_month
from ltci.core.downloads import attachment
from ltci.core.exports import XLSX_TYPE, xlsx_bytes
from ltci.core.history_admin import HistoryAdmin
from ltci.core.jobs import job_page_url
from ltci.core.permissions import can, requires

from . import (
    labels,
    policy_admin,  # noqa: F401 -- the policy record admin with the change preview (SPEC 2)
    report_tables,
    states,
)
from .admin_holds import ChargeHoldAdminMixin, ChargeHoldFilter
from .models import (
    Appeal,
    Claim,
    ClaimReminder,
    Correction,
    DepositRelease,
    FundBudget,
    FundWarning,
    HandlingFee,
    LedgerEntry,
    Payout,
    RecordAudit,
    ReserveAllocation,
    ServiceRecord,
    SettlementLine,
    SettlementRun,
    Statement,
)
from .report_tables import TABLES
from .rules import reasons_label


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ChargeHoldAdminMixin, KeepRowsMixin, HistoryAdmin):
    list_display = [
        "service_date",
        "institution",
        "person",
        "kind",
        "component",
        "charged_amount",
        "origin",
        "confirmed",
        "excluded_code",
        "held_reason",
        "hold_decision",
        "received_at",
    ]
    list_filter = [ChargeHoldFilter, "kind", "origin", "confirmed", "excluded_code"]
    list_select_related = ["institution", "person"]
    search_fields = ["=person__national_id", "=institution__code", "=caregiver_national_id"]
    date_hierarchy = "service_date"
    show_full_result_count = False
    raw_id_fields = ["institution", "person", "batch"]
    readonly_fields = [
        "institution",
        "person",
        "kind",
        "service_date",
        "component",
        "charged_amount",
        "caregiver_national_id",
        "started_at",
        "ended_at",
        "items",
        "origin",
        "source_key",
        "client_key",
        "batch",
        "received_at",
        "held_reason",
        "hold_decision",
        "hold_decided_by",
        "hold_decided_at",
    ]
    fields = readonly_fields + ["confirmed", "excluded_code", "excluded_note"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "confirmed" in form.changed_data and obj.confirmed:
            obj.received_at = (
                timezone.now()
            )  # received when confirmed (late records: services.stage.LATE_SQL)
        super().save_model(request, obj, form, change)


@admin.register(Claim)
class ClaimAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = [
        "month",
        "institution",
        "submitted_at",
        "deadline",
        "late",
        "record_count",
        "charged_total",
    ]
    list_filter = ["late", "month"]
    list_select_related = ["institution"]
    search_fields = ["=institution__code"]


@admin.register(ClaimReminder)
class ClaimReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["month", "institution", "kind", "deadline", "sent_on", "recipients"]
    list_filter = ["kind", "month"]
    list_select_related = ["institution"]
    search_fields = ["=institution__code"]


class ReportForm(forms.Form):
    """The fund reports' query (GET): a bad year or region is a form error on the page, not a server error."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100, required=False)
    region = forms.RegexField(
        label=gettext_lazy("地区"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("地区应为6位行政区划代码")},
    )
    format = forms.ChoiceField(choices=[("", ""), ("pdf", "PDF"), ("xlsx", "XLSX")], required=False)
    table = forms.ChoiceField(label=gettext_lazy("报表"), choices=list(TABLES.items()), required=False)

    def clean(self):
        data = super().clean()
        if data.get("format") == "xlsx" and not data.get("table"):
            self.add_error("table", _("请选择要导出的报表"))
        return data


@admin.register(SettlementRun)
class SettlementRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "month",
        "version",
        "state",
        "record_count",
        "line_count",
        "fund_total",
        "started_by",
        "started_at",
        "approved_by",
        "paid_at",
    ]
    list_filter = ["state"]
    actions = ["rerun", "audit", "approve", "back_to_draft", "payment_batch", "payment_list"]
    change_list_template = "admin/settlement/run_changelist.html"

    def get_urls(self):
        return [
            path("start/", self.admin_site.admin_view(self.start_view), name="settlement_run_start"),
            path("reports/", self.admin_site.admin_view(self.reports_view), name="settlement_reports"),
            *super().get_urls(),
        ]

    @requires("settlement.run")
    def start_view(self, request):
        """Admin button: run (or re-run) a month (SPEC 9) in the background; the job's page shows its progress."""
        if request.method == "POST":
            job = self._queue(request, request.POST.get("month", ""))
            if job is not None:
                return redirect(job_page_url(job))
        return redirect("admin:settlement_settlementrun_changelist")

    def _queue(self, request, month_text):
        """Queue the month's run after the checks that need no computation (month ended, not approved or paid,
        not running): the page answers at once and refuses what the run would refuse."""
        from ltci.core.jobs import job_is_running, job_queue

        from .services.run import JOB, SettlementError, refuse_final, refuse_unended
        from .tasks import settlement_run_month

        try:
            month = parse_month(month_text)
            refuse_unended(month)
            refuse_final(month)
        except (ValueError, SettlementError) as exc:
            messages.error(request, str(exc))
            return None
        period = f"{month:%Y-%m}"
        if job_is_running(JOB, period):
            messages.error(
                request, _("%(month)s 的月度结算正在运行，不能重复启动；请等待其完成。") % {"month": period}
            )
            return None
        job = job_queue(
            JOB,
            period,
            task=settlement_run_month,
            args=(period,),
            params={
                "result_url": reverse("admin:settlement_settlementrun_changelist")
                + f"?month__exact={month:%Y-%m-%d}",
                "back_url": reverse("admin:settlement_settlementrun_changelist"),
            },
            actor=request.user,
        )
        messages.success(request, _("%(month)s 的月度结算已在后台开始运行，进度见本页。") % {"month": period})
        return job

    @requires("fund.reports")
    def reports_view(self, request):
        from .services import reports

        form = ReportForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            context = {**self.admin_site.each_context(request), "title": _("基金报表"), "form": form}
            return TemplateResponse(request, "admin/settlement/reports.html", context, status=400)
        data = form.cleaned_data if form.is_bound else {}
        year = data.get("year") or timezone.localdate().year
        region = data.get("region") or None
        months = reports.flows_of_year(year=year, region=region)
        booked = [m for m in months if not m.get("empty")]
        latest = booked[-1]["month"] if booked else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("基金报表"),
            "form": form,
            "year": year,
            "region": region or "",
            "months": months,
            "by_region": reports.flows_by("region_code"),
            "by_source": reports.flows_by("source"),
            "payout_ratio": reports.payout_ratio(),
            "warnings": FundWarning.objects.all()[:20],
            "reserve": reports.reserve_for_year(year=year),
            "fund_rules": reports.fund_rules(year=year),
            "operating_costs": reports.operating_costs(year=year),
            "budget": reports.budget_vs_actual(year=year, region=region),
            "beneficiaries": reports.beneficiaries(month=latest) if latest else [],
            "by_grade": reports.beneficiaries_by_grade(month=latest) if latest else [],
        }
        if data.get("format") == "pdf" and request.method == "POST":
            return redirect(job_page_url(self._queue_disclosure(request, year)))
        if data.get("format") == "xlsx":
            table = report_tables.tables(context)[data["table"]]
            return attachment(
                xlsx_bytes(table.title, table.columns, table.rows),
                f"{table.title}-{year}{'-' + region if region else ''}.xlsx",
                XLSX_TYPE,
            )
        context["charts"] = report_tables.charts(context)
        context["report_tables"] = list(report_tables.tables(context).items())
        return TemplateResponse(request, "admin/settlement/reports.html", context)

    def _queue_disclosure(self, request, year):
        """The disclosure PDF is made by the worker (issue 16: report exports never run in the request)."""
        from ltci.core.jobs import job_queue

        from .tasks import fund_disclosure_pdf

        job = job_queue(
            "fund_disclosure",
            str(year),
            task=fund_disclosure_pdf,
            args=(year,),
            params={"back_url": reverse("admin:settlement_reports") + f"?year={year}"},
            actor=request.user,
        )
        messages.success(
            request, _("%(year)s 年基金收支公布(PDF)正在后台生成，完成后在本页下载。") % {"year": year}
        )
        return job

    def has_settlement_run_permission(self, request):
        return can(request.user, "settlement.run")

    def has_settlement_audit_permission(self, request):
        return can(request.user, "settlement.audit")

    def has_settlement_approve_permission(self, request):
        return can(request.user, "settlement.approve")

    def has_settlement_pay_permission(self, request):
        return can(request.user, "settlement.pay")

    @admin.action(description=gettext_lazy("重新运行所选月份（草稿/已审核）"), permissions=["settlement_run"])
    def rerun(self, request, queryset):
        jobs = [self._queue(request, f"{month:%Y-%m}") for month in sorted({r.month for r in queryset})]
        started = [job for job in jobs if job is not None]
        return redirect(job_page_url(started[0])) if len(jobs) == 1 and started else None

    def _move(self, request, queryset, to):
        for run in queryset:
            try:
                states.run_transition(run=run, to=to, actor=request.user)
                messages.success(request, f"{run}: → {SettlementRun.State(to).label}")
            except states.TransitionRefused as exc:
                messages.error(request, f"{run}: {exc}")

    @admin.action(description=gettext_lazy("审核通过"), permissions=["settlement_audit"])
    def audit(self, request, queryset):
        self._move(request, queryset, "audited")

    @admin.action(description=gettext_lazy("批准（主管，非运行人）"), permissions=["settlement_approve"])
    def approve(self, request, queryset):
        if "confirm" not in request.POST:
            # Approval releases the month for payment: an intermediate page says what, then asks (issue 16).
            context = {
                **self.admin_site.each_context(request),
                "title": _("确认批准月度结算"),
                "opts": self.opts,
                "runs": queryset.order_by("month", "version"),
                "action": "approve",
            }
            return TemplateResponse(request, "admin/settlement/confirm_approve.html", context)
        self._move(request, queryset, "approved")

    @admin.action(description=gettext_lazy("退回草稿"), permissions=["settlement_audit"])
    def back_to_draft(self, request, queryset):
        self._move(request, queryset, "draft")

    def has_settlement_payments_permission(self, request):
        return can(request.user, "settlement.payments")

    @admin.action(description=gettext_lazy("生成支付批次（银行文件）"), permissions=["settlement_payments"])
    def payment_batch(self, request, queryset):
        from .services.payments import PaymentError, payment_batch_create

        for run in queryset:
            try:
                batch = payment_batch_create(run=run, actor=request.user)
            except PaymentError as exc:
                messages.error(request, f"{run}: {exc}")
                continue
            url = reverse("admin:settlement_paymentbatch_change", args=[batch.pk])
            messages.success(
                request,
                format_html(
                    _('{run}：已生成支付批次 <a href="{url}">{batch}</a>（{count} 笔）'),
                    run=run,
                    url=url,
                    batch=batch.number,
                    count=batch.payments.count(),
                ),
            )

    @admin.action(description=gettext_lazy("下载银行支付清单PDF"), permissions=["settlement_pay"])
    def payment_list(self, request, queryset):
        from .services.reports import payment_list_pdf
        from .services.run import SettlementError

        run = queryset.first()
        try:
            body = payment_list_pdf(run)
        except SettlementError as exc:
            messages.error(request, str(exc))
            return None
        return attachment(body, f"payment-list-{run.month:%Y-%m}-v{run.version}.pdf")


@admin.register(SettlementLine)
class SettlementLineAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "run",
        "institution",
        "person",
        "care_form",
        "quantity",
        "charged_amount",
        "fund_amount",
        "personal_amount",
        "rejected_amount",
        "reasons",
        "is_late",
        "is_adjustment",
    ]
    list_filter = ["care_form", "is_late", "is_adjustment", "run__month"]
    list_select_related = ["run", "institution", "person"]
    fields = [
        *(f.name for f in SettlementLine._meta.fields if f.name not in ("id", "reason_codes", "details")),
        "reasons",
        "details_shown",
    ]

    @admin.display(description=gettext_lazy("明细"))
    def details_shown(self, obj):
        return labels.line_details(obj.details)

    @admin.display(description=gettext_lazy("原因"))
    def reasons(self, obj):
        return reasons_label(obj.reason_codes)

    search_fields = ["=person__national_id", "=institution__code"]
    show_full_result_count = False


@admin.register(RecordAudit)
class RecordAuditAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["run", "record", "reasons", "charged_amount", "base_amount", "rejected_amount", "detail"]
    fields = [
        "run",
        "record",
        "line",
        "reasons",
        "charged_amount",
        "base_amount",
        "rejected_amount",
        "detail",
    ]
    list_select_related = ["run", "record"]
    search_fields = ["=record__person__national_id"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("原因"))
    def reasons(self, obj):
        return reasons_label(obj.codes)


@admin.register(Statement)
class StatementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "run",
        "institution",
        "charged_total",
        "fund_payable",
        "deposit_withheld",
        "recovered",
        "adjustments",
        "carried",
        "net_payable",
    ]
    list_select_related = ["run", "institution"]
    search_fields = ["=institution__code"]
    actions = ["download_pdf"]

    def has_settlement_statements_permission(self, request):
        return can(request.user, "settlement.statements")

    @admin.action(description=gettext_lazy("下载结算单PDF"), permissions=["settlement_statements"])
    def download_pdf(self, request, queryset):
        from .services.reports import statement_pdf

        statement = queryset.select_related("run", "institution").first()
        return attachment(statement_pdf(statement), f"{statement.document_no}.pdf")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["run", "person", "amount"]
    list_select_related = ["run", "person"]
    search_fields = ["=person__national_id"]
    show_full_result_count = False


@admin.register(Appeal)
class AppealAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = ["created_at", "institution", "line", "state", "amount", "decided_by", "settled_in"]
    list_filter = ["state"]
    list_select_related = ["institution", "line", "decided_by", "settled_in"]
    readonly_fields = [
        "institution",
        "line",
        "audit",
        "comment",
        "created_by",
        "created_at",
        "state",
        "decided_by",
        "decided_at",
        "settled_in",
    ]
    actions = ["uphold", "dismiss"]

    def _decide(self, request, queryset, upheld):
        from .services.appeals import AppealRefused, appeal_decide

        for appeal in queryset:
            try:
                appeal_decide(
                    appeal=appeal,
                    upheld=upheld,
                    actor=request.user,
                    amount=appeal.amount if appeal.amount else None,
                    note=appeal.decision_note,
                )
            except AppealRefused as exc:
                messages.error(request, f"{appeal}: {exc}")

    def has_settlement_appeals_permission(self, request):
        return can(request.user, "settlement.appeals")

    @admin.action(description=gettext_lazy("申诉成立（下月调整）"), permissions=["settlement_appeals"])
    def uphold(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("申诉不成立"), permissions=["settlement_appeals"])
    def dismiss(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(Correction)
class CorrectionAdmin(MoneyColumnsMixin, admin.ModelAdmin):
    """Staff corrections of approved lines; saving goes through the service (checks and roles)."""

    list_display = ["created_at", "line", "amount", "reason", "created_by", "settled_in"]
    list_select_related = ["line", "created_by", "settled_in"]
    raw_id_fields = ["line"]
    fields = ["line", "amount", "reason"]
    search_fields = ["=line__person__national_id", "=line__institution__code"]

    def has_change_permission(self, request, obj=None):
        # no editing of a saved correction; the list stays the role's (it was open to every staff user)
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        from django.core.exceptions import ValidationError

        from .services.appeals import AppealRefused, correction_check

        base = super().get_form(request, obj, **kwargs)

        class CorrectionForm(base):
            def clean(self):
                data = super().clean()
                if data.get("line") is not None and data.get("amount") is not None:
                    try:
                        correction_check(
                            line=data["line"],
                            amount=data["amount"],
                            reason=data.get("reason", ""),
                            actor=request.user,
                        )
                    except AppealRefused as exc:
                        raise ValidationError(str(exc)) from None
                return data

        return CorrectionForm

    def save_model(self, request, obj, form, change):
        from .services.appeals import correction_create

        saved = correction_create(line=obj.line, amount=obj.amount, reason=obj.reason, actor=request.user)
        obj.pk, obj.created_at = saved.pk, saved.created_at


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The triggers write the source, reference and memo as codes (services/fund.py): shown by their labels."""

    list_display = ["booked_on", "account", "source_shown", "region", "amount", "voucher", "memo_shown"]
    fields = [
        "booked_on",
        "account",
        "source_shown",
        "region",
        "amount",
        "voucher",
        "memo_shown",
        "created_at",
    ]
    list_filter = [
        "account",
        labelled_filter("source", gettext_lazy("来源"), labels.SOURCE_LABELS.items),
    ]
    search_fields = ["=reference", "=region_code"]
    date_hierarchy = "booked_on"
    show_full_result_count = False
    actions = ["sync"]

    @admin.display(description=gettext_lazy("来源"), ordering="source")
    def source_shown(self, obj):
        return labels.source_label(obj.source)

    @admin.display(description=gettext_lazy("地区"), ordering="region_code")
    def region(self, obj):
        return region_label(obj.region_code) if obj.region_code else "—"

    @admin.display(description=gettext_lazy("凭证"), ordering="reference")
    def voucher(self, obj):
        return labels.reference_label(obj.reference)

    @admin.display(description=gettext_lazy("摘要"))
    def memo_shown(self, obj):
        return labels.memo_label(obj.source, obj.memo)

    def has_fund_ledger_permission(self, request):
        return can(request.user, "fund.ledger")

    @admin.action(description=gettext_lazy("从业务记录补记台账"), permissions=["fund_ledger"])
    def sync(self, request, queryset):
        from .services.fund import ledger_sync

        messages.success(request, _("新增 %(count)s 条台账记录") % {"count": ledger_sync()})


@admin.register(HandlingFee)
class HandlingFeeAdmin(KeepRowsMixin, admin.ModelAdmin):
    """Append-only like every money row (the ledger posted it on entry): a correction is a new line."""

    list_display = ["month", "kind", "region_code", "amount", "note"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReserveAllocation)
class ReserveAllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Booked by `book_reserve --year` once the year has ended (reports.reserve_book)."""

    list_display = ["year", "income", "expenditure", "fiscal_share", "amount"]


@admin.register(DepositRelease)
class DepositReleaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "institution", "withheld", "release_rate", "released"]


@admin.register(FundBudget)
class FundBudgetAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["year", "account", "region_code", "amount", "note"]
    list_filter = ["year", "account"]
    search_fields = ["=region_code"]


@admin.register(FundWarning)
class FundWarningAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = ["raised_on", "kind", "message", "acknowledged"]
    list_filter = ["kind", "acknowledged"]


from . import admin_payments  # noqa: E402, F401 -- bank accounts, batches, payments (issue 19)
