"""Staff admin for institutions: lifecycle buttons, agreements, beds, caregivers, users, imports."""

from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import contact_inline, labelled_filter
from ltci.core.admin_views import import_view
from ltci.core.formatting import login
from ltci.core.history_admin import HistoryAdmin
from ltci.core.permissions import can, requires

from .. import rules
from ..imports import CAREGIVER_FORMAT, INSTITUTION_FORMAT, import_caregivers, import_institutions
from ..models import (
    Agreement,
    AgreementPause,
    Bed,
    Caregiver,
    CaregiverCertificate,
    CaregiverTraining,
    Employment,
    Institution,
    InstitutionContact,
    InstitutionEvent,
    InstitutionUser,
)
from ..selectors import agreed_price_errors
from ..states import ACTIONS
from . import oversight  # noqa: F401  (registers violations, appraisals, notices)
from .lifecycle import BULK, available_actions, create_user_view, lifecycle_view, make_bulk_action


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "type",
            "region_code",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "bank_name",
            "bank_account",
        ]

    def clean_region_code(self):
        value = self.cleaned_data.get("region_code", "")
        if not (len(value) == 6 and value.isdigit()):
            raise forms.ValidationError(_("所在地区应为6位行政区划代码（如320302）"))
        return value

    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code", "")
        if not value:
            return value
        try:
            return rules.validate_credit_code(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.display(description=gettext_lazy("服务形式"))
def care_forms_text(agreement) -> str:
    return "、".join(agreement.care_form_labels) or "—"


class AgreementInline(admin.TabularInline):
    model = Agreement
    fields = [
        "valid_from",
        "valid_to",
        care_forms_text,
        "price_life",
        "price_medical",
        "insurance_expires_on",
        "state",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class EventLabels:
    """An institution event's action and statuses by their labels (the inline and the event list)."""

    @admin.display(description=gettext_lazy("操作"))
    def action_label(self, obj):
        return ACTIONS.get(obj.action, obj.action)

    @admin.display(description=gettext_lazy("原状态"))
    def from_label(self, obj):
        return obj.from_label

    @admin.display(description=gettext_lazy("新状态"))
    def to_label(self, obj):
        return obj.to_label


class EventInline(EventLabels, admin.TabularInline):
    model = InstitutionEvent
    fields = ["at", "action_label", "from_label", "to_label", "effective_on", "reason", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Institution)
class InstitutionAdmin(HistoryAdmin):
    form = InstitutionForm
    list_display = ["code", "name", "type", "region_code", "status"]
    list_filter = ["status", "type", "region_code"]
    search_fields = ["code", "name", "credit_code"]
    readonly_fields = ["status"]
    inlines = [AgreementInline, EventInline, contact_inline(InstitutionContact)]
    actions = [make_bulk_action(a) for a in BULK]

    def get_urls(self):
        extra = [
            path(
                "<int:object_id>/lifecycle/<str:action>/",
                self.admin_site.admin_view(self.lifecycle),
                name="institutions_institution_lifecycle",
            ),
            path(
                "<int:object_id>/create-user/",
                self.admin_site.admin_view(self.create_user),
                name="institutions_institution_create_user",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_file),
                name="institutions_institution_import",
            ),
        ]
        return extra + super().get_urls()

    def has_institutions_lifecycle_permission(self, request):
        return can(request.user, "institutions.lifecycle")

    @requires("institutions.lifecycle")
    def lifecycle(self, request, object_id, action):
        return lifecycle_view(self, request, object_id, action)

    @requires("institutions.portal_users")
    def create_user(self, request, object_id):
        return create_user_view(self, request, object_id)

    @requires("institutions.import")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入协议机构"),
            fmt=INSTITUTION_FORMAT,
            importer=import_institutions,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        lifecycle = available_actions(obj) if obj and can(request.user, "institutions.lifecycle") else []
        extra_context = {**(extra_context or {}), "lifecycle_actions": lifecycle}
        return super().change_view(request, object_id, form_url, extra_context)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["care_forms", "price_life", "price_medical", "insurance_expires_on", "deposit_rate"]

    def clean(self):
        data = super().clean()
        prices = {component: data.get(f"price_{component}") for component in ("life", "medical")}
        for field, error in agreed_price_errors(prices=prices, on=self.instance.valid_from).items():
            self.add_error(field, error)
        error = rules.deposit_rate_error(data.get("deposit_rate"))
        if error:
            self.add_error("deposit_rate", error)
        old = self.instance.insurance_expires_on
        new = data.get("insurance_expires_on")
        if old and (new is None or new < old):
            self.add_error(
                "insurance_expires_on", _("新的责任险到期日不能早于原到期日%(old)s") % {"old": old}
            )
        return data


class PauseInline(admin.TabularInline):
    model = AgreementPause
    readonly_fields = ["paused_from", "paused_to", "reason"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    form = AgreementForm
    list_display = [
        "institution",
        "valid_from",
        "valid_to",
        "state",
        "insurance_expires_on",
        "price_life",
        "price_medical",
    ]
    list_filter = ["state"]
    list_select_related = ["institution"]
    search_fields = ["institution__code", "institution__name"]
    readonly_fields = ["institution", "valid_from", "valid_to", "state", "terminated_on", "renews"]
    inlines = [PauseInline]

    def has_add_permission(self, request):
        return False  # agreements are signed through the institution's lifecycle button

    def get_fields(self, request, obj=None):
        """A reader sees the care forms by their labels (an editor ticks them in the form)."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [care_forms_text if f == "care_forms" else f for f in fields if f is not care_forms_text]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly.append(care_forms_text)
        return readonly


class BedAdminForm(forms.ModelForm):
    """Staff edits obey the same rule as the portal: never fewer registered beds than occupied ones."""

    class Meta:
        model = Bed
        fields = ["institution", "label", "registered_from", "registered_to"]

    def clean(self):
        data = super().clean()
        end = data.get("registered_to")
        institution = data.get("institution") or getattr(self.instance, "institution", None)
        if end and data.get("registered_from") and institution and end != self.instance.registered_to:
            from ..services.records import bed_end_error

            probe = Bed(pk=self.instance.pk, institution=institution, registered_from=data["registered_from"])
            error = bed_end_error(bed=probe, registered_to=end)
            if error:
                self.add_error("registered_to", error)
        return data


@admin.register(Bed)
class BedAdmin(HistoryAdmin):
    form = BedAdminForm
    list_display = ["institution", "label", "registered_from", "registered_to"]
    list_select_related = ["institution"]
    search_fields = ["institution__code", "label"]
    show_full_result_count = False


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    autocomplete_fields = ["institution"]


class CertificateInline(admin.TabularInline):
    model = CaregiverCertificate
    extra = 0


class TrainingInline(admin.TabularInline):
    model = CaregiverTraining
    extra = 0


class CaregiverForm(forms.ModelForm):
    class Meta:
        model = Caregiver
        fields = ["national_id", "name", "qualification", "phone"]

    def clean_national_id(self):
        from ltci.core.idnumber import InvalidIdNumber, parse_id_number

        try:
            return parse_id_number(self.cleaned_data["national_id"]).number
        except InvalidIdNumber as exc:
            raise forms.ValidationError(_("公民身份号码无效：%(reason)s") % {"reason": exc}) from None


@admin.register(Caregiver)
class CaregiverAdmin(HistoryAdmin):
    form = CaregiverForm
    list_display = ["national_id", "name", "qualification"]
    search_fields = ["national_id", "name"]
    show_full_result_count = False
    inlines = [EmploymentInline, CertificateInline, TrainingInline]

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_file), name="institutions_caregiver_import"
            )
        ] + super().get_urls()

    @requires("institutions.import")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入护理人员"),
            fmt=CAREGIVER_FORMAT,
            importer=import_caregivers,
        )


@admin.register(Employment)
class EmploymentAdmin(HistoryAdmin):
    list_display = ["caregiver", "institution", "employed_from", "employed_to"]
    list_select_related = ["caregiver", "institution"]
    search_fields = ["caregiver__national_id", "caregiver__name", "institution__code"]
    autocomplete_fields = ["caregiver", "institution"]
    show_full_result_count = False


@admin.register(InstitutionUser)
class InstitutionUserAdmin(HistoryAdmin):
    list_display = ["login", "institution", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "institution"]
    search_fields = ["user__username", "user__first_name", "institution__code", "institution__name"]

    @admin.display(description=gettext_lazy("登录用户"), ordering="user__username")
    def login(self, obj):
        return login(obj.user)

    autocomplete_fields = ["institution"]
    raw_id_fields = ["user"]


@admin.register(InstitutionEvent)
class InstitutionEventAdmin(EventLabels, admin.ModelAdmin):
    list_display = [
        "at",
        "institution",
        "action_label",
        "from_label",
        "to_label",
        "effective_on",
        "actor",
        "reason",
    ]
    list_filter = [
        labelled_filter("action", gettext_lazy("操作"), ACTIONS.items),
        labelled_filter("to_status", gettext_lazy("新状态"), lambda: Institution.Status.choices),
    ]
    list_select_related = ["institution", "actor"]
    search_fields = ["institution__code", "institution__name"]
    fields = [
        "institution",
        "agreement",
        "action_label",
        "from_label",
        "to_label",
        "effective_on",
        "reason",
        "actor",
        "at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
