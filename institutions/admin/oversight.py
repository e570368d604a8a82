"""Admin for violations (with evidence; the action changes the agreement), appraisals and notices."""

from decimal import Decimal
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import KeepRowsMixin
from ltci.core.history_admin import HistoryAdmin
from ltci.core.permissions import can, requires

from .. import services
from ..errors import InstitutionError
from ..forms import EvidenceField
from ..models import Appraisal, AppraisalScore, InsuranceNotice, Violation, ViolationEvidence


class EvidenceForm(forms.ModelForm):
    # A plain file input: the stored file is never linked by its media URL, only by the download view.
    file = EvidenceField(label=gettext_lazy("证据文件"), widget=forms.FileInput)

    class Meta:
        model = ViolationEvidence
        fields = ["file", "description"]


class EvidenceInline(admin.TabularInline):
    model = ViolationEvidence
    form = EvidenceForm
    extra = 1
    readonly_fields = ["download", "uploaded_by", "uploaded_at"]

    @admin.display(description=gettext_lazy("下载"))
    def download(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:institutions_violation_evidence", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, PurePath(obj.file.name).name)


class ViolationAdminForm(forms.ModelForm):
    class Meta:
        model = Violation
        fields = [
            "institution",
            "type",
            "description",
            "found_on",
            "amount_to_recover",
            "penalty",
            "action",
            "deducted_in",
        ]

    def clean(self):
        data = super().clean()
        for name in ("amount_to_recover", "penalty"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("金额不能为负数"))
        institution = data.get("institution")
        action = data.get("action")
        if not self.instance.pk and institution and action in ("suspension", "termination"):
            allowed = {"suspension": {"active"}, "termination": {"active", "suspended"}}[action]
            if institution.status not in allowed:
                self.add_error(
                    "action",
                    _("机构当前状态为“%(status)s”，不能执行该处理方式")
                    % {"status": institution.get_status_display()},
                )
        return data


@admin.register(Violation)
class ViolationAdmin(KeepRowsMixin, HistoryAdmin):
    form = ViolationAdminForm
    list_display = [
        "institution",
        "type",
        "found_on",
        "amount_to_recover",
        "penalty",
        "action",
        "deducted_in",
    ]
    list_filter = ["type", "action"]
    list_select_related = ["institution"]
    search_fields = ["institution__code", "institution__name"]
    autocomplete_fields = ["institution"]
    inlines = [EvidenceInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["decided_by"]
        return ["institution", "type", "found_on", "amount_to_recover", "penalty", "action", "decided_by"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            violation = services.violation_record(
                institution=data["institution"],
                type=data["type"],
                description=data["description"],
                found_on=data["found_on"],
                amount_to_recover=data["amount_to_recover"] or Decimal(0),
                penalty=data["penalty"] or Decimal(0),
                action=data["action"],
                actor=request.user,
            )
        except InstitutionError as exc:  # the form's clean() catches the usual cases first
            messages.error(request, exc.message)
            raise
        obj.pk = violation.pk
        obj._state.adding = False
        obj.created_at = violation.created_at

    def get_urls(self):
        return [
            path(
                "evidence/<int:pk>/",
                self.admin_site.admin_view(self.evidence_download),
                name="institutions_violation_evidence",
            )
        ] + super().get_urls()

    @requires("institutions.violations")
    def evidence_download(self, request, pk):
        """Serve one evidence file to staff who may view violations (never through a public media URL)."""
        evidence = get_object_or_404(ViolationEvidence.objects.select_related("violation"), pk=pk)
        if not self.has_view_permission(request, evidence.violation):
            raise PermissionDenied
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404("证据文件不存在") from None
        return FileResponse(handle, as_attachment=True, filename=PurePath(evidence.file.name).name)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ViolationEvidence) and not instance.uploaded_by_id:
                instance.uploaded_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()


class ScoreFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total_max = sum(
            (f.cleaned_data.get("max_points") or 0)
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        )
        if total_max > 100:
            raise forms.ValidationError(_("各项指标分值合计%(total)s超过100分") % {"total": total_max})


class ScoreInline(admin.TabularInline):
    model = AppraisalScore
    formset = ScoreFormSet
    extra = 5


@admin.register(Appraisal)
class AppraisalAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["institution", "year", "total", "release_rate", "decided_at"]
    list_filter = ["year"]
    list_select_related = ["institution"]
    search_fields = ["institution__code", "institution__name"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["total", "release_rate", "decided_by", "decided_at"]
    inlines = [ScoreInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        appraisal = form.instance
        if appraisal.scores.exists():
            try:
                services.appraisal_recompute(appraisal=appraisal, actor=request.user)
            except InstitutionError as exc:
                messages.error(request, exc.message)


@admin.register(InsuranceNotice)
class InsuranceNoticeAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = ["created_on", "agreement", "kind", "expires_on", "acknowledged"]
    list_filter = ["kind", "acknowledged"]
    list_select_related = ["agreement__institution"]
    search_fields = ["agreement__institution__code", "agreement__institution__name"]
    readonly_fields = ["agreement", "kind", "expires_on", "created_on"]
    actions = ["acknowledge"]

    def has_institutions_insurance_check_permission(self, request):
        return can(request.user, "institutions.insurance_check")

    @admin.action(description=gettext_lazy("标记为已处理"), permissions=["institutions_insurance_check"])
    def acknowledge(self, request, queryset):
        queryset.update(acknowledged=True)

    def get_urls(self):
        return [
            path(
                "run-check/",
                self.admin_site.admin_view(self.run_check),
                name="institutions_insurancenotice_run_check",
            )
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_run_check": can(request.user, "institutions.insurance_check"),
        }
        return super().changelist_view(request, extra_context)

    @requires("institutions.insurance_check")
    def run_check(self, request):
        """Run the daily check now (SPEC 9: every job can be started from the admin); safe to repeat."""
        if request.method != "POST":
            raise PermissionDenied
        counts = services.insurance_check()
        counts["expired"] = services.agreements_expire()
        messages.success(
            request,
            _("每日检查完成：提醒%(warned)s家，暂停%(suspended)s家，协议到期%(expired)s份")
            % {"warned": counts["warned"], "suspended": counts["suspended"], "expired": counts["expired"]},
        )
        return redirect("admin:institutions_insurancenotice_changelist")

    def has_add_permission(self, request):
        return False
