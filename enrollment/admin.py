"""Staff admin for enrollment (thin: forms call the import functions and the run task)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ltci.core.admin_mixins import KeepRowsMixin, MoneyColumnsMixin, ReadOnlyMixin, contact_inline
from ltci.core.admin_views import import_page_query
from ltci.core.downloads import import_errors_attachment
from ltci.core.history_admin import HistoryAdmin
from ltci.core.idnumber import mask_id
from ltci.core.import_templates import template_response
from ltci.core.models import ImportBatch, JobRun
from ltci.core.paginator import LargeTablePaginator
from ltci.core.permissions import can, requires
from ltci.core.query import MAX_YEAR, MIN_YEAR
from ltci.core.uploads import JOB_PREFIX, import_job_report, request_refusal, upload_import

from .imports import (
    ACCOUNT_EVENT_FORMAT,
    EMPLOYER_PAYMENT_FORMAT,
    PAYMENT_FORMAT,
    RELATION_FORMAT,
    ROSTER_FORMAT,
    WAGE_BASE_FORMAT,
    import_account_events,
    import_employer_payments,
    import_family_relations,
    import_payments,
    import_roster,
    import_wage_bases,
)
from .models import (
    PAYMENT_CHANNELS,
    AccountEvent,
    Category,
    CollectiveSubsidy,
    Contribution,
    ContributionTransaction,
    CoveragePeriod,
    FundIncome,
    InsuranceType,
    Person,
    PersonContact,
    subsidy_category_label,
)
from .regions import region_label, region_names


@admin.display(description=_("参保地"), ordering="region_code")
def region(obj) -> str:
    return region_label(obj.region_code)


@admin.display(description=_("渠道"), ordering="channel")
def channel(obj) -> str:
    return obj.get_channel_display()


@admin.display(description=_("适用标准"))
def standard(obj) -> str:
    """The contribution standard applied, its key (insurance type[:category]) by its labels."""
    record = obj.policy_record
    if record is None:
        return "—"
    kind, _sep, category = record.key.partition(":")
    key = str(InsuranceType(kind).label) if kind in InsuranceType.values else kind
    return record.label(f"{key}：{subsidy_category_label(category)}" if category else key)


@admin.display(description=_("补助类别"), ordering="subsidy_category")
def subsidy_category(obj) -> str:
    return obj.get_subsidy_category_display()


IMPORTS = {
    "roster": (_("导入参保名单"), ROSTER_FORMAT, import_roster),
    "account_events": (
        _("导入个人账户余额/划入"),
        ACCOUNT_EVENT_FORMAT,
        import_account_events,
    ),
    "payments": (_("导入个人缴费"), PAYMENT_FORMAT, import_payments),
    "family_relations": (_("导入亲属关系登记"), RELATION_FORMAT, import_family_relations),
    "wage_bases": (_("导入缴费基数"), WAGE_BASE_FORMAT, import_wage_bases),
    "employer_payments": (_("导入单位缴费记录"), EMPLOYER_PAYMENT_FORMAT, import_employer_payments),
}


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


class YearFilter(admin.SimpleListFilter):
    """Years from min/max (index scans) instead of a DISTINCT over millions of contributions."""

    title = _("缴费年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        from django.db.models import Max, Min

        span = Contribution.objects.aggregate(lo=Min("year"), hi=Max("year"))
        if span["lo"] is None:
            return []
        return [(str(y), str(y)) for y in range(span["hi"], span["lo"] - 1, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = forms.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
        try:
            return queryset.filter(year=year.clean(self.value()))
        except forms.ValidationError:
            raise IncorrectLookupParameters(self.value()) from None  # the admin's "wrong filter" notice


class ChannelFilter(admin.SimpleListFilter):
    title = _("渠道")
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return PAYMENT_CHANNELS

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() else queryset


def looks_like_id(term: str) -> bool:
    return bool(term) and term[:-1].isdigit() and (term[-1].isdigit() or term[-1] in "xX")


class CoverageInline(admin.TabularInline):
    model = CoveragePeriod
    extra = 0
    fields = ["insurance_type", "start", "end", "start_reason", "end_reason"]


class ContributionInline(ReadOnlyMixin, admin.TabularInline):
    model = Contribution
    extra = 0
    show_change_link = True
    fields = [
        "year",
        "insurance_type",
        "individual_amount",
        "individual_paid",
        "status",
        "due_by",
        "fully_paid_on",
        subsidy_category,
    ]
    readonly_fields = fields


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件 (UTF-8 CSV 或 XLSX)"))


class RunForm(forms.Form):
    year = forms.IntegerField(
        label=_("缴费年度"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    on = forms.DateField(label=_("划转记账日期"), required=False, help_text=_("留空为今天"))


@admin.register(Person)
class PersonAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["masked_id", "name", "insurance_type", region, "has_personal_account", "died_on"]
    list_display_links = ["masked_id", "name"]
    list_filter = ["insurance_type", RegionFilter, CategoryFilter, "has_personal_account"]
    search_fields = ["national_id"]
    search_help_text = _("身份证号（完整或前缀）或姓名（完整或前缀）")
    show_full_result_count = False
    paginator = LargeTablePaginator
    list_per_page = 50
    inlines = [CoverageInline, ContributionInline, contact_inline(PersonContact)]
    readonly_fields = ["birth_date", "sex", "created_at", "updated_at"]
    change_list_template = "admin/enrollment/person/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if looks_like_id(term):
            term = term.upper()
            if len(term) == 18:
                return queryset.filter(national_id=term), False
            return queryset.filter(national_id__startswith=term), False
        return queryset.filter(name__startswith=term), False

    @admin.display(description=_("公民身份号码"), ordering="national_id")
    def masked_id(self, obj):
        """Lists show the masked number; the full number is on the detail page only (SPEC 12 Access)."""
        return mask_id(obj.national_id)

    def get_urls(self):
        return [
            path(
                "import/<str:kind>/", self.admin_site.admin_view(self.import_view), name="enrollment_import"
            ),
            path(
                "import-errors/<int:batch_id>/",
                self.admin_site.admin_view(self.errors_view),
                name="enrollment_import_errors",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {
            "imports": [(k, v[0]) for k, v in IMPORTS.items()]
            if can(request.user, "enrollment.import")
            else []
        }
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @requires("enrollment.import")
    def import_view(self, request, kind):
        if kind not in IMPORTS:
            raise PermissionDenied
        title, fmt, importer = IMPORTS[kind]
        template = template_response(request, fmt)
        if template is not None:
            return template
        query = import_page_query(request)
        refusal = request_refusal(request) if request.method == "POST" else None
        form = UploadForm(request.POST or None, request.FILES or None) if not refusal else UploadForm()
        report = batch = job = None
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
        elif query["job"]:
            job = get_object_or_404(JobRun, pk=query["job"], job=JOB_PREFIX + importer.__name__)
            report = import_job_report(job)
        elif request.method == "POST" and form.is_valid():
            outcome = upload_import(form.cleaned_data["file"], importer=importer, actor=request.user)
            if outcome.job:
                return redirect(f"{request.path}?job={outcome.job.pk}")
            report = outcome.report
            level = (
                messages.ERROR
                if report.file_error
                else (messages.WARNING if report.errors else messages.SUCCESS)
            )
            self.message_user(request, report.summary(), level)
        if report is not None and report.batch_id:
            batch = ImportBatch.objects.filter(pk=report.batch_id).first()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "fmt": fmt,
            "report": report,
            "batch": batch,
            "job": job,
            "opts": self.model._meta,
            "errors_url": reverse("admin:enrollment_import_errors", args=[batch.pk])
            if batch and (batch.error_report or batch.file_error)
            else "",
        }
        return render(request, "admin/enrollment/upload.html", context)

    @requires("enrollment.import")
    def errors_view(self, request, batch_id):
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        return import_errors_attachment([batch], f"{batch.kind}-{batch.pk}-errors.csv")


@admin.register(CoveragePeriod)
class CoveragePeriodAdmin(KeepRowsMixin, HistoryAdmin):
    """Coverage periods with their history (who changed a start or an end, and when)."""

    list_display = ["person", "insurance_type", "start", "end", "start_reason", "end_reason"]
    list_filter = ["insurance_type", "start_reason", "end_reason"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id"]
    search_help_text = _("完整身份证号")
    raw_id_fields = ["person"]
    show_full_result_count = False
    paginator = LargeTablePaginator

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        return (queryset.filter(person__national_id=term), False) if term else (queryset, False)


class TransactionInline(ReadOnlyMixin, admin.TabularInline):
    model = ContributionTransaction
    extra = 0
    fields = ["kind", "amount", "occurred_on", channel, "payer", "source_key", "created_at"]
    readonly_fields = fields


@admin.register(Contribution)
class ContributionAdmin(HistoryAdmin):
    list_display = [
        "person",
        "year",
        "insurance_type",
        region,
        "individual_amount",
        "individual_paid",
        "status",
        "due_by",
        "fully_paid_on",
        subsidy_category,
    ]
    list_filter = [YearFilter, "status", "insurance_type", RegionFilter, "subsidised"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id"]
    search_help_text = _("完整身份证号")
    show_full_result_count = False
    paginator = LargeTablePaginator
    raw_id_fields = ["person", "policy_record"]
    fields = [
        *(f.name for f in Contribution._meta.fields if f.name not in ("policy_record", "subsidy_category")),
        subsidy_category,
        standard,
    ]
    readonly_fields = fields
    inlines = [TransactionInline]
    change_list_template = "admin/enrollment/contribution/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="enrollment_contribution_run")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {**(extra_context or {}), "can_run": can(request.user, "enrollment.run_contributions")}
        )

    @requires("enrollment.run_contributions")
    def run_view(self, request):
        from ltci.core.jobs import job_is_running, job_page_url, job_queue

        from .services.run import JOB

        form = RunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from .tasks import contribution_run_year

            on = form.cleaned_data["on"]
            year = form.cleaned_data["year"]
            if job_is_running(JOB, str(year)):
                self.message_user(
                    request,
                    _("%(year)s 年度筹资批处理正在运行，不能重复启动；请等待其完成。") % {"year": year},
                    messages.ERROR,
                )
                return redirect(reverse("admin:enrollment_contribution_run"))
            job = job_queue(
                JOB,
                str(year),
                task=contribution_run_year,
                args=(year, on.isoformat() if on else None),
                params={
                    "result_url": reverse("admin:enrollment_contribution_changelist") + f"?year={year}",
                    "back_url": reverse("admin:enrollment_contribution_run"),
                },
                actor=request.user,
            )
            self.message_user(
                request,
                _("%(year)s 年度筹资批处理已在后台开始运行，进度见本页。") % {"year": year},
                messages.SUCCESS,
            )
            return redirect(job_page_url(job))
        runs = JobRun.objects.filter(job=JOB).order_by("-started_at")[:10]
        context = {
            **self.admin_site.each_context(request),
            "title": _("启动年度筹资批处理"),
            "form": form,
            "opts": self.model._meta,
            "runs": runs,
        }
        return render(request, "admin/enrollment/run.html", context)


@admin.register(ContributionTransaction)
class ContributionTransactionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contribution", "kind", "amount", "occurred_on", channel, "payer", "created_at"]
    fields = [
        "contribution",
        "kind",
        "amount",
        "occurred_on",
        channel,
        "payer",
        "account_event",
        "source_key",
        "created_at",
    ]
    readonly_fields = fields
    list_filter = ["kind", ChannelFilter]
    list_select_related = ["contribution__person", "payer"]
    search_fields = ["=contribution__person__national_id", "=source_key"]
    search_help_text = _("完整身份证号或来源标识")
    show_full_result_count = False
    paginator = LargeTablePaginator

    def get_search_results(self, request, queryset, search_term):
        """One indexed lookup: an ID number searches the person, anything else the source key."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if looks_like_id(term) and len(term) == 18:
            return queryset.filter(contribution__person__national_id=term.upper()), False
        return queryset.filter(source_key=term), False


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["person", "event", "amount", "occurred_on", "created_at"]
    list_filter = ["event"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id"]
    show_full_result_count = False
    paginator = LargeTablePaginator


class FundIncomeForm(forms.ModelForm):
    """Donations (捐助: donor and purpose required) and interest; the run books the other sources."""

    source = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (FundIncome.Source.DONATION.value, FundIncome.Source.DONATION.label),
            (FundIncome.Source.INTEREST.value, FundIncome.Source.INTEREST.label),
        ],
    )
    region_code = forms.ChoiceField(
        label=_("地区"), required=False, choices=lambda: [("", _("全市"))] + sorted(region_names().items())
    )

    class Meta:
        model = FundIncome
        fields = ["source", "amount", "booked_on", "region_code", "donor", "purpose"]

    def clean(self):
        from .services.fund import validate_manual_income

        data = super().clean()
        errors = validate_manual_income(
            source=data.get("source"),
            amount=data.get("amount"),
            booked_on=data.get("booked_on"),
            donor=data.get("donor", ""),
            purpose=data.get("purpose", ""),
            region_code=data.get("region_code", ""),
        )
        for name, reason in errors.items():
            if name not in self.errors:
                self.add_error(name, reason)
        return data


@admin.register(CollectiveSubsidy)
class CollectiveSubsidyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Subsidies to village collectives booked by the yearly run (not fund income, SPEC 3.2)."""

    list_display = ["year", "payer", "region_code", "village_code", "headcount", "amount", "booked_on"]
    list_filter = ["year", "payer", "region_code"]
    search_fields = ["=village_code"]


@admin.register(FundIncome)
class FundIncomeAdmin(MoneyColumnsMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "source",
        "region_code",
        "headcount",
        "amount",
        "booked_on",
        "donor",
        "purpose",
        "created_by",
    ]
    list_filter = ["year", "source", "region_code"]
    search_fields = ["donor", "purpose", "=source_key"]
    form = FundIncomeForm

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Entered lines go through the service (validated, immutable, with who entered them)."""
        from .services.fund import fund_income_record

        saved = fund_income_record(
            source=obj.source,
            amount=obj.amount,
            booked_on=obj.booked_on,
            donor=obj.donor,
            purpose=obj.purpose,
            region_code=obj.region_code,
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.source_key, obj.year, obj.created_by = saved.source_key, saved.year, saved.created_by
