"""Staff admin of benefits: decisions with workflow buttons, admissions, hospital stays, filings."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import KeepRowsMixin
from ltci.core.admin_views import import_view
from ltci.core.downloads import attachment
from ltci.core.history_admin import HistoryAdmin
from ltci.core.permissions import can, requires
from ltci.core.policy import PolicyError

from ..forms import ChangeFormForm, DecisionCreateForm, EndForm
from ..imports import decisions as decision_import
from ..imports import hospital as hospital_import
from ..imports import other_funds as other_funds_import
from ..models import (
    Admission,
    BenefitDecision,
    EventCursor,
    HospitalStay,
    OtherFundBenefit,
    ReliefGrant,
    RemoteResidence,
    ServicePackage,
)
from ..services import DecisionError, decision_change_form, decision_create, decision_end
from . import accounts  # noqa: F401  (registers the insured-person accounts)


def _form_page(model_admin, request, *, title, form, obj=None):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "original": obj,
    }
    return TemplateResponse(request, "admin/benefits/form_page.html", context)


@admin.register(BenefitDecision)
class BenefitDecisionAdmin(HistoryAdmin):
    list_display = [
        "person",
        "benefit_class",
        "care_form",
        "institution",
        "starts_on",
        "ends_on",
        "end_reason",
        "imported",
    ]
    list_filter = ["care_form", "benefit_class", "end_reason", "imported"]
    list_select_related = ["person", "institution"]
    search_fields = ["=person__national_id", "person__name"]
    show_full_result_count = False
    raw_id_fields = ["person", "conclusion", "institution"]
    readonly_fields = [
        "person",
        "conclusion",
        "benefit_class",
        "care_form",
        "institution",
        "carer_trained",
        "starts_on",
        "ends_on",
        "end_reason",
        "imported",
        "policy_scheme",
        "decided_by",
        "created_at",
    ]
    date_hierarchy = "starts_on"
    actions = ["end_on_request_today", "download_letters"]
    change_form_template = "admin/benefits/benefitdecision/change_form.html"

    def has_add_permission(self, request):
        return False  # decisions are made through the "新建待遇核定" workflow page (a service)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("new/", view(self.create_view), name="benefits_benefitdecision_new"),
            path(
                "<int:object_id>/change-form/",
                view(self.change_form_view),
                name="benefits_benefitdecision_changeform",
            ),
            path("<int:object_id>/end/", view(self.end_view), name="benefits_benefitdecision_end"),
            path(
                "<int:object_id>/letter.pdf", view(self.letter_view), name="benefits_benefitdecision_letter"
            ),
            path("import/", view(self.import_file), name="benefits_benefitdecision_import"),
            path("run-ends/", view(self.run_ends), name="benefits_benefitdecision_run_ends"),
        ] + super().get_urls()

    @requires("benefits.decide")
    def create_view(self, request):
        form = DecisionCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                decision = decision_create(
                    person=data["person"],
                    care_form=data["care_form"],
                    institution=data["institution"],
                    carer_trained=data["carer_trained"],
                    starts_on=data["starts_on"],
                    actor=request.user,
                )
            except (DecisionError, PolicyError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已核定待遇：%(decision)s") % {"decision": decision})
                return redirect(reverse("admin:benefits_benefitdecision_change", args=[decision.pk]))
        return _form_page(self, request, title=_("新建待遇核定"), form=form)

    @requires("benefits.decide")
    def change_form_view(self, request, object_id):
        decision = get_object_or_404(BenefitDecision, pk=object_id)
        form = ChangeFormForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                new = decision_change_form(
                    decision=decision,
                    care_form=data["care_form"],
                    institution=data["institution"],
                    carer_trained=data["carer_trained"],
                    starts_on=data["starts_on"],
                    actor=request.user,
                )
            except (DecisionError, PolicyError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已变更护理形式"))
                return redirect(reverse("admin:benefits_benefitdecision_change", args=[new.pk]))
        return _form_page(self, request, title=_("变更护理形式"), form=form, obj=decision)

    @requires("benefits.decide")
    def end_view(self, request, object_id):
        decision = get_object_or_404(BenefitDecision, pk=object_id)
        form = EndForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                decision_end(
                    decision=decision,
                    ends_on=form.cleaned_data["ends_on"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DecisionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已终止待遇"))
                return redirect(reverse("admin:benefits_benefitdecision_change", args=[decision.pk]))
        return _form_page(self, request, title=_("终止待遇"), form=form, obj=decision)

    @requires("benefits.letters")
    def letter_view(self, request, object_id):
        from ..documents import decision_document_no, decision_letter_pdf

        decision = get_object_or_404(
            BenefitDecision.objects.select_related("person", "conclusion", "institution"), pk=object_id
        )
        return attachment(decision_letter_pdf(decision), f"{decision_document_no(decision)}.pdf")

    @requires("benefits.decide")
    def import_file(self, request):
        # Decisions are never added one by one (has_add_permission is False), but staff who may change them
        # import them (SPEC 11.7).
        return import_view(
            self,
            request,
            title=_("导入待遇核定"),
            fmt=decision_import.FORMAT,
            importer=decision_import.import_benefit_decisions,
        )

    @requires("benefits.decide")
    def run_ends(self, request):
        """Start the daily job (death, move-out, expiry, downgrade) now; POST only, a second start is refused."""
        from ltci.core.jobs import JobAlreadyRunning

        from ..tasks import end_decisions_daily

        if request.method != "POST":
            return redirect(reverse("admin:benefits_benefitdecision_changelist"))
        try:
            result = end_decisions_daily()
        except JobAlreadyRunning as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("已运行每日待遇终止：") + "，".join(f"{k} {v}" for k, v in sorted(result.items()))
            )
        return redirect(reverse("admin:benefits_benefitdecision_changelist"))

    def has_benefits_decide_permission(self, request):
        return can(request.user, "benefits.decide")

    def has_benefits_letters_permission(self, request):
        return can(request.user, "benefits.letters")

    @admin.action(description=gettext_lazy("按本人申请于今日终止"), permissions=["benefits_decide"])
    def end_on_request_today(self, request, queryset):
        done = 0
        for decision in queryset.filter(ends_on__isnull=True):
            decision_end(
                decision=decision, ends_on=timezone.localdate(), reason="requested", actor=request.user
            )
            done += 1
        messages.success(request, _("已终止 %(done)s 条待遇核定") % {"done": done})

    @admin.action(description=gettext_lazy("下载待遇核定通知书（第一条）"), permissions=["benefits_letters"])
    def download_letters(self, request, queryset):
        decision = queryset.first()
        return redirect(reverse("admin:benefits_benefitdecision_letter", args=[decision.pk]))


@admin.register(Admission)
class AdmissionAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["person", "institution", "bed", "admitted_on", "discharged_on"]
    list_select_related = ["person", "institution", "bed"]
    search_fields = ["=person__national_id", "person__name", "=institution__code"]
    raw_id_fields = ["person", "institution", "bed"]
    show_full_result_count = False


@admin.register(HospitalStay)
class HospitalStayAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["person", "admitted_on", "discharged_on", "hospital"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id", "person__name"]
    raw_id_fields = ["person"]
    show_full_result_count = False
    change_list_template = "admin/benefits/import_changelist.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_file), name="benefits_hospitalstay_import")
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": can(request.user, "benefits.import_hospital_stays")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @requires("benefits.import_hospital_stays")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入住院记录"),
            fmt=hospital_import.FORMAT,
            importer=hospital_import.import_hospital_stays,
        )


@admin.register(OtherFundBenefit)
class OtherFundBenefitAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["person", "fund", "starts_on", "ends_on", "reference"]
    list_filter = ["fund"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id", "person__name", "=reference"]
    raw_id_fields = ["person"]
    show_full_result_count = False
    change_list_template = "admin/benefits/import_changelist.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_file),
                name="benefits_otherfundbenefit_import",
            )
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": can(request.user, "benefits.import_other_funds")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @requires("benefits.import_other_funds")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入工伤生育待遇"),
            fmt=other_funds_import.FORMAT,
            importer=other_funds_import.import_other_fund_benefits,
        )


@admin.register(RemoteResidence)
class RemoteResidenceAdmin(HistoryAdmin):
    list_display = ["person", "place", "valid_from", "valid_to"]
    list_select_related = ["person"]
    search_fields = ["=person__national_id", "person__name"]
    raw_id_fields = ["person"]
    show_full_result_count = False


@admin.register(EventCursor)
class EventCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_id", "updated_at"]
    readonly_fields = ["name", "last_id", "updated_at"]


class ReliefGrantForm(forms.ModelForm):
    class Meta:
        model = ReliefGrant
        fields = ["person", "month", "amount", "measures", "approval_no", "approved_on"]

    def clean(self):
        from ..services.relief import relief_refusal

        data = super().clean()
        if data.get("person") and data.get("month"):
            refusal = relief_refusal(person=data["person"], month=data["month"], amount=data.get("amount"))
            if refusal is not None:
                self.add_error(refusal.field if refusal.field in self.fields else None, str(refusal))
        if data.get("month"):
            data["month"] = data["month"].replace(day=1)
        return data


@admin.register(ReliefGrant)
class ReliefGrantAdmin(KeepRowsMixin, admin.ModelAdmin):
    """一事一议 relief: recorded once approved, with its approver; paid by the month's settlement; never
    changed afterwards (a correction is a new grant or an adjustment)."""

    form = ReliefGrantForm
    list_display = ["approval_no", "person", "month", "amount", "approved_on", "approved_by"]
    search_fields = ["=approval_no", "=person__national_id"]
    raw_id_fields = ["person"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.month = obj.month.replace(day=1)
        obj.approved_by = request.user
        super().save_model(request, obj, form, change)


class ServicePackageForm(forms.ModelForm):
    class Meta:
        model = ServicePackage
        fields = ["decision", "filed_on", "items", "daily_amount"]

    def clean(self):
        from ..services.packages import package_refusal

        data = super().clean()
        if data.get("decision") and data.get("filed_on"):
            refusal = package_refusal(
                decision=data["decision"], filed_on=data["filed_on"], daily_amount=data.get("daily_amount")
            )
            if refusal is not None:
                self.add_error(refusal.field if refusal.field in self.fields else None, str(refusal))
        return data


@admin.register(ServicePackage)
class ServicePackageAdmin(KeepRowsMixin, admin.ModelAdmin):
    """服务包备案: what the institution filed for the resident, recorded by the office; never changed (a new
    filing supersedes it)."""

    form = ServicePackageForm
    list_display = ["decision", "filed_on", "daily_amount", "created_by"]
    search_fields = ["=decision__person__national_id"]
    raw_id_fields = ["decision"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
