"""Staff admin for assessment: applications and conclusions with workflow buttons, assessors, fees, events."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import KeepRowsMixin, labelled_filter
from ltci.core.admin_views import import_view
from ltci.core.downloads import stored_file
from ltci.core.history_admin import HistoryAdmin
from ltci.core.permissions import can, requires

from ..documents import conclusion_notice_pdf
from ..imports import CONCLUSION_FORMAT, import_conclusions
from ..models import (
    Application,
    ApplicationDocument,
    AssessmentFee,
    Assessor,
    Assignment,
    CommitteeDecision,
    Conclusion,
    ConclusionEvent,
    ExpiryReminder,
    Objection,
    SpotCheck,
    Visit,
    VisitPhoto,
)
from ..scales import available_versions, version_label
from ..services import application_submit
from ..services.applications import application_problems
from ..services.conclusions import AssessmentError
from .workflow import application_action_view, application_actions, review_request_view

_SUBMIT_FIELDS = [
    "person",
    "applied_on",
    "applied_by",
    "channel",
    "disability_since",
    "kind",
    "agent_name",
    "agent_phone",
    "applying_institution",
    "care_institution",
    "reason",
]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class DocumentForm(forms.ModelForm):
    # A plain file input: the stored file is never linked by its media URL, only by the download view.
    file = forms.FileField(label=gettext_lazy("文件"), widget=forms.FileInput)

    class Meta:
        model = ApplicationDocument
        fields = ["file", "description"]


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    form = DocumentForm
    fields = ["download", "file", "description", "uploaded_at"]
    readonly_fields = ["download", "uploaded_at"]
    extra = 0

    @admin.display(description=gettext_lazy("下载"))
    def download(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:assessment_application_document", args=[obj.pk]),
            obj.display_name,
        )


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["round", "assessor", "state", "decline_reason", "confirmed_at"]


class VisitInline(ReadOnlyInline):
    model = Visit
    fields = [
        "round",
        "visited_on",
        "adl",
        "cognition",
        "perception",
        "grade",
        "notes",
        "completed_at",
        "photo_links",
    ]

    @admin.display(description=gettext_lazy("照片"))
    def photo_links(self, obj):
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:assessment_application_photo", args=[p.pk]),
                p.display_name,
            )
            for p in obj.photos.all()
        ]
        return format_html_join(" ", "{}", ((link,) for link in links)) if links else "—"


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = ["raised_on", "raised_by", "channel", "reason", "outcome", "resolution", "due_on", "settled_on"]


class ConclusionInline(ReadOnlyInline):
    model = Conclusion
    fields = ["grade", "state", "concluded_on", "valid_until", "notice_until", "review_deadline"]
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["id", "person", "kind", "applied_on", "state", "agency", "applied_by"]
    list_filter = ["state", "kind", "agency", "person__region_code", "applied_by", "channel"]
    search_fields = ["=person__national_id", "person__name"]
    list_select_related = ["person", "agency"]
    show_full_result_count = False
    date_hierarchy = "applied_on"
    raw_id_fields = ["person", "reviewed_conclusion"]
    readonly_fields = [
        "state",
        "return_reason",
        "agency",
        "state_changed_at",
        "state_changed_by",
        "state_note",
        "reviewed_conclusion",
        "spot_check",
        "created_by",
        "created_at",
    ]
    inlines = [DocumentInline, AssignmentInline, VisitInline, ObjectionInline, ConclusionInline]

    def get_urls(self):
        return [
            path(
                "<int:object_id>/action/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name="assessment_application_action",
            ),
            path(
                "document/<int:pk>/",
                self.admin_site.admin_view(self.document_download),
                name="assessment_application_document",
            ),
            path(
                "photo/<int:pk>/",
                self.admin_site.admin_view(self.photo_download),
                name="assessment_application_photo",
            ),
        ] + super().get_urls()

    @requires("assessment.documents")
    def document_download(self, request, pk):
        """A supporting document, to staff who may view the application (never a public media URL)."""
        document = get_object_or_404(ApplicationDocument.objects.select_related("application"), pk=pk)
        if not self.has_view_permission(request, document.application):
            raise PermissionDenied
        return stored_file(document.file, document.display_name)

    @requires("assessment.documents")
    def photo_download(self, request, pk):
        photo = get_object_or_404(VisitPhoto.objects.select_related("visit__application"), pk=pk)
        if not self.has_view_permission(request, photo.visit.application):
            raise PermissionDenied
        return stored_file(photo.file, photo.display_name)

    @requires("assessment.workflow")
    def action_view(self, request, object_id, action):
        return application_action_view(self, request, object_id, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        actions = application_actions(obj) if obj and can(request.user, "assessment.workflow") else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "workflow_actions": actions}
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return _SUBMIT_FIELDS
        return super().get_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form

        class SubmitForm(form):
            def clean(self):
                data = super().clean()
                if data.get("person") and data.get("applied_on"):
                    problems = application_problems(
                        person=data["person"],
                        on=data["applied_on"],
                        kind=data.get("kind") or "first",
                        disability_since=data.get("disability_since"),
                    )
                    if problems:
                        raise ValidationError(problems)
                return data

        return SubmitForm

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = {name: form.cleaned_data.get(name) for name in _SUBMIT_FIELDS}
        data["agent_name"] = data["agent_name"] or ""
        data["agent_phone"] = data["agent_phone"] or ""
        data["reason"] = data["reason"] or ""
        try:
            created = application_submit(actor=request.user, **data)
        except AssessmentError as exc:
            raise ValidationError(str(exc)) from None
        obj.pk = created.pk
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False


SCALE_VERSION_FILTER = labelled_filter(
    "scale_version",
    gettext_lazy("评估标准版本"),
    lambda: [(v, version_label(v)) for v in available_versions()],
)


@admin.display(description=gettext_lazy("评估标准版本"))
def scale_version(obj) -> str:
    return version_label(obj.scale_version)


@admin.register(Conclusion)
class ConclusionAdmin(HistoryAdmin):
    list_display = ["id", "person", "grade", "state", "concluded_on", "valid_until", "agency", "imported"]
    list_filter = ["state", "grade", "imported", "agency", "person__region_code", SCALE_VERSION_FILTER]
    search_fields = ["=person__national_id", "person__name"]
    list_select_related = ["person", "agency"]
    show_full_result_count = False
    date_hierarchy = "concluded_on"
    raw_id_fields = ["person", "application"]
    exclude = ["scale_version"]  # shown by its title (the readonly scale_version below), never as a code
    readonly_fields = [
        "person",
        "grade",
        "state",
        "concluded_on",
        "valid_until",
        "agency",
        scale_version,
        "imported",
        "application",
        "adl",
        "cognition",
        "perception",
        "notice_from",
        "notice_until",
        "review_deadline",
        "finalized_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/notice.pdf",
                self.admin_site.admin_view(self.notice),
                name="assessment_conclusion_notice",
            ),
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review),
                name="assessment_conclusion_review",
            ),
            path(
                "import/", self.admin_site.admin_view(self.import_file), name="assessment_conclusion_import"
            ),
        ] + super().get_urls()

    @requires("assessment.notice")
    def notice(self, request, object_id):
        conclusion = get_object_or_404(
            Conclusion.objects.select_related("person", "agency"), pk=object_id, state=Conclusion.State.FINAL
        )
        if not self.has_view_permission(request, conclusion):
            raise PermissionDenied
        response = HttpResponse(conclusion_notice_pdf(conclusion), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{conclusion.document_no}.pdf"'
        return response

    @requires("assessment.review_request")
    def review(self, request, object_id):
        return review_request_view(self, request, object_id)

    @requires("assessment.import")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入评估结论（import_conclusions）"),
            fmt=CONCLUSION_FORMAT,
            importer=import_conclusions,
        )


@admin.register(Assessor)
class AssessorAdmin(HistoryAdmin):
    list_display = ["name", "agency", "medical_professional", "active", "user"]
    list_filter = ["agency", "medical_professional", "active"]
    search_fields = ["name", "=national_id"]
    list_select_related = ["agency", "user"]
    filter_horizontal = ["linked_institutions"]
    raw_id_fields = ["user"]


@admin.register(AssessmentFee)
class AssessmentFeeAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["application", "kind", "payer", "amount", "incurred_on", "agency", "region_code"]
    list_filter = ["kind", "payer", "agency", "region_code"]
    list_select_related = ["application", "agency"]
    show_full_result_count = False
    fields = [*(f.name for f in AssessmentFee._meta.fields if f.name != "policy_record"), "standard"]
    readonly_fields = fields

    @admin.display(description=AssessmentFee._meta.get_field("policy_record").verbose_name)
    def standard(self, obj):
        """The fee standard applied, its key (the fee's kind) by its label."""
        record = obj.policy_record
        return record.label(str(AssessmentFee.Kind(record.key).label)) if record else "—"

    def has_add_permission(self, request):
        return False


@admin.register(ConclusionEvent)
class ConclusionEventAdmin(KeepRowsMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "person", "effective_on", "grade", "previous_grade", "created_at"]
    list_filter = ["kind"]
    search_fields = ["=person__national_id"]
    list_select_related = ["person"]
    show_full_result_count = False
    readonly_fields = [
        "conclusion",
        "person",
        "kind",
        "effective_on",
        "grade",
        "previous_grade",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(admin.ModelAdmin):
    list_display = ["conclusion", "remind_on", "care_institution", "created_at"]
    date_hierarchy = "remind_on"
    raw_id_fields = ["conclusion"]
    show_full_result_count = False


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    list_display = ["ordered_on", "size", "seed", "note", "ordered_by"]
    readonly_fields = ["ordered_by"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from ..services import spot_check_order

        spot = spot_check_order(
            on=obj.ordered_on, size=obj.size, seed=obj.seed, note=obj.note, actor=request.user
        )
        obj.pk = spot.pk


@admin.register(Objection)
class ObjectionAdmin(KeepRowsMixin, HistoryAdmin):
    """Objections to conclusions on notice, with their reassessment deadline (复核超期 on the dashboard);
    raised and resolved through the application's workflow buttons or online by the person."""

    list_display = ["application", "raised_on", "raised_by", "channel", "outcome", "due_on", "settled_on"]
    list_filter = ["outcome", "channel"]
    search_fields = ["=application__person__national_id"]
    list_select_related = ["application"]
    show_full_result_count = False
    date_hierarchy = "raised_on"
    readonly_fields = [f.name for f in Objection._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CommitteeDecision)
class CommitteeDecisionAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = ["application", "grade", "decided_on", "members"]
    readonly_fields = [
        "application",
        "grade",
        "decided_on",
        "members",
        "reasoning",
        "recorded_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False
