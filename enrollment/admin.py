"""Staff admin for enrollment (thin: forms call the import functions and the run task)."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ltci.core.models import ImportBatch
from ltci.core.roles import ENROLLMENT_CLERK, FUND_ACCOUNTANT, SUPERVISOR, has_role

from .imports import (
    ACCOUNT_EVENT_COLUMNS,
    PAYMENT_COLUMNS,
    ROSTER_COLUMNS,
    import_account_events,
    import_payments,
    import_roster,
)
from .models import (
    AccountEvent,
    Category,
    Contribution,
    ContributionTransaction,
    CoveragePeriod,
    FundIncome,
    Person,
)
from .regions import region_names

IMPORTS = {
    "roster": (_("导入参保名单 (import_roster)"), ROSTER_COLUMNS, import_roster),
    "account_events": (_("导入个人账户余额/划入 (import_account_events)"), ACCOUNT_EVENT_COLUMNS,
                       import_account_events),
    "payments": (_("导入个人缴费 (import_payments)"), PAYMENT_COLUMNS, import_payments),
}


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryFilter(admin.SimpleListFilter):
    title = _("人员类别")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return Category.choices

    def queryset(self, request, queryset):
        return queryset.filter(categories__contains=[self.value()]) if self.value() else queryset


class RegionFilter(admin.SimpleListFilter):
    title = _("参保地")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return sorted(region_names().items())

    def queryset(self, request, queryset):
        return queryset.filter(region_code=self.value()) if self.value() else queryset


class CoverageInline(admin.TabularInline):
    model = CoveragePeriod
    extra = 0
    fields = ["insurance_type", "start", "end", "start_reason", "end_reason"]


class ContributionInline(ReadOnlyMixin, admin.TabularInline):
    model = Contribution
    extra = 0
    show_change_link = True
    fields = ["year", "insurance_type", "individual_amount", "individual_paid", "status", "due_by",
              "fully_paid_on", "subsidy_category"]
    readonly_fields = fields


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件 (UTF-8 CSV 或 XLSX)"))


class RunForm(forms.Form):
    year = forms.IntegerField(label=_("缴费年度"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    on = forms.DateField(label=_("划转记账日期"), required=False, help_text=_("留空为今天"))


def can_import(user) -> bool:
    return has_role(user, ENROLLMENT_CLERK, SUPERVISOR)


def can_run(user) -> bool:
    return has_role(user, ENROLLMENT_CLERK, FUND_ACCOUNTANT, SUPERVISOR)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["national_id", "name", "insurance_type", "region_code", "has_personal_account", "died_on"]
    list_filter = ["insurance_type", RegionFilter, CategoryFilter, "has_personal_account"]
    search_fields = ["national_id"]
    search_help_text = _("身份证号（完整或前缀）或姓名（完整或前缀）")
    show_full_result_count = False
    list_per_page = 50
    inlines = [CoverageInline, ContributionInline]
    readonly_fields = ["birth_date", "sex", "created_at", "updated_at"]
    change_list_template = "admin/enrollment/person/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term[:-1].isdigit() and (term[-1].isdigit() or term[-1] in "xX"):
            term = term.upper()
            if len(term) == 18:
                return queryset.filter(national_id=term), False
            return queryset.filter(national_id__startswith=term), False
        return queryset.filter(name__startswith=term), False

    def get_urls(self):
        return [
            path("import/<str:kind>/", self.admin_site.admin_view(self.import_view), name="enrollment_import"),
            path("import-errors/<int:batch_id>/", self.admin_site.admin_view(self.errors_view),
                 name="enrollment_import_errors"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {"imports": [(k, v[0]) for k, v in IMPORTS.items()] if can_import(request.user) else []}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def import_view(self, request, kind):
        if kind not in IMPORTS:
            raise PermissionDenied
        if not can_import(request.user):
            raise PermissionDenied
        title, columns, importer = IMPORTS[kind]
        form = UploadForm(request.POST or None, request.FILES or None)
        report = batch = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = importer(content=upload.read(), filename=upload.name, actor=request.user)
            batch = ImportBatch.objects.filter(kind=report.kind).order_by("-id").first()
            level = messages.ERROR if report.file_error else (messages.WARNING if report.errors else messages.SUCCESS)
            self.message_user(request, report.summary(), level)
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "columns": columns,
                   "report": report, "batch": batch, "opts": self.model._meta}
        return render(request, "admin/enrollment/upload.html", context)

    def errors_view(self, request, batch_id):
        if not can_import(request.user):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        response = HttpResponse(batch.error_report or batch.file_error, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{batch.kind}-{batch.pk}-errors.csv"'
        return response


class TransactionInline(ReadOnlyMixin, admin.TabularInline):
    model = ContributionTransaction
    extra = 0
    fields = ["kind", "amount", "occurred_on", "channel", "payer", "source_key", "created_at"]
    readonly_fields = fields


@admin.register(Contribution)
class ContributionAdmin(SimpleHistoryAdmin):
    list_display = ["person", "year", "insurance_type", "region_code", "individual_amount", "individual_paid",
                    "status", "due_by", "fully_paid_on", "subsidy_category"]
    list_filter = ["year", "status", "insurance_type", "region_code", "subsidised"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id"]
    show_full_result_count = False
    raw_id_fields = ["person", "policy_record"]
    readonly_fields = [f.name for f in Contribution._meta.fields]
    inlines = [TransactionInline]
    change_list_template = "admin/enrollment/contribution/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("run/", self.admin_site.admin_view(self.run_view), name="enrollment_contribution_run")] + \
            super().get_urls()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_run": can_run(request.user)})

    def run_view(self, request):
        if not can_run(request.user):
            raise PermissionDenied
        form = RunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from .tasks import contribution_run_year

            on = form.cleaned_data["on"]
            try:
                contribution_run_year.delay(form.cleaned_data["year"], on.isoformat() if on else None)
            except Exception as exc:  # broker unreachable
                self.message_user(request, f"无法提交任务: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("年度筹资批处理已提交，进度见“作业运行”。"), messages.SUCCESS)
                return redirect(reverse("admin:core_jobrun_changelist") + "?job=contribution_run")
        context = {**self.admin_site.each_context(request), "title": _("启动年度筹资批处理"), "form": form,
                   "opts": self.model._meta}
        return render(request, "admin/enrollment/run.html", context)


@admin.register(ContributionTransaction)
class ContributionTransactionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contribution", "kind", "amount", "occurred_on", "channel", "payer", "created_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["contribution", "payer"]
    search_fields = ["=contribution__person__national_id", "=source_key"]
    show_full_result_count = False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["person", "event", "amount", "occurred_on", "created_at"]
    list_filter = ["event"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id"]
    show_full_result_count = False


@admin.register(FundIncome)
class FundIncomeAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "region_code", "headcount", "amount", "booked_on", "donor", "purpose"]
    list_filter = ["year", "source", "region_code"]
    search_fields = ["donor", "purpose", "=source_key"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return ["year", "source", "region_code", "amount", "booked_on", "donor", "purpose"]

    def save_model(self, request, obj, form, change):
        """Donations and interest are entered by hand; the key makes the line unique and immutable."""
        import uuid

        obj.source_key = f"manual:{uuid.uuid4().hex}"
        super().save_model(request, obj, form, change)
