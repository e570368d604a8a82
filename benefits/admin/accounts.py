"""Admin of status-page accounts: create, issue one-time codes (activation, password reset), link agents."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import contact_inline
from ltci.core.downloads import attachment
from ltci.core.history_admin import HistoryAdmin
from ltci.core.permissions import can

from ..models import AgentContact, AgentLink, InsuredAccount
from ..services.accounts import AccountError, account_create, activation_code_issue, login_name_problem


class AccountAddForm(forms.ModelForm):
    class Meta:
        model = InsuredAccount
        fields = ["national_id", "name"]

    def clean(self):
        data = super().clean()
        try:
            from ltci.core.idnumber import parse_id_number

            number = parse_id_number(data.get("national_id", "")).number
        except ValueError as exc:
            raise forms.ValidationError(_("身份号码无效：%(reason)s") % {"reason": exc}) from None
        problem = (
            "" if InsuredAccount.objects.filter(national_id=number).exists() else login_name_problem(number)
        )
        if problem:
            raise forms.ValidationError(problem)
        return data


class AgentLinkInline(admin.TabularInline):
    model = AgentLink
    fk_name = "account"
    extra = 0
    raw_id_fields = ["principal"]
    fields = ["principal", "relation", "valid_from", "valid_to"]


@admin.register(InsuredAccount)
class InsuredAccountAdmin(HistoryAdmin):
    list_display = ["name", "masked", "person", "code_issued_at", "activated_at"]
    search_fields = ["=national_id", "name"]
    show_full_result_count = False
    readonly_fields = ["person", "user", "code_issued_at", "activated_at", "created_at"]
    exclude = ["activation_code_hash"]
    inlines = [AgentLinkInline, contact_inline(AgentContact)]
    actions = ["issue_codes", "issue_code_with_certificate"]

    @admin.display(description=gettext_lazy("身份号码"))
    def masked(self, obj):
        from ltci.core.idnumber import mask_id

        return mask_id(obj.national_id)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AccountAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["national_id"] if obj else [])

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            account = account_create(national_id=obj.national_id, name=obj.name, actor=request.user)
        except AccountError as exc:
            messages.error(request, str(exc))
            raise
        obj.pk = account.pk
        obj.__dict__.update(account.__dict__)

    def save_formset(self, request, form, formset, change):
        for link in formset.save(commit=False):
            link.created_by = link.created_by or request.user
            link.save()
        for gone in formset.deleted_objects:
            gone.delete()

    def has_benefits_activation_codes_permission(self, request):
        return can(request.user, "benefits.activation_codes")

    @admin.action(
        description=gettext_lazy("签发一次性激活码（首次激活/重置密码）"),
        permissions=["benefits_activation_codes"],
    )
    def issue_codes(self, request, queryset):
        for account in queryset:
            code = activation_code_issue(account=account, actor=request.user)
            messages.warning(
                request,
                _("%(name)s（%(masked)s）激活码：%(code)s（仅显示一次，30天内有效）")
                % {"name": account.name, "masked": self.masked(account), "code": code},
            )

    @admin.action(
        description=gettext_lazy("签发激活码并打印参保缴费证明（单个账户）"),
        permissions=["benefits_activation_codes"],
    )
    def issue_code_with_certificate(self, request, queryset):
        """Issue the one-time code and return the person's latest contribution certificate with it printed."""

        from ..documents import certificate_document_no, certificate_pdf

        if queryset.count() != 1:
            messages.error(request, _("请只选择一个账户"))
            return None
        account = queryset.select_related("person").first()
        contribution = account.person.contributions.order_by("-year").first() if account.person_id else None
        if contribution is None:
            messages.error(
                request, _("该账户没有参保缴费记录，无法打印参保缴费证明；请使用“签发一次性激活码”")
            )
            return None
        code = activation_code_issue(account=account, actor=request.user)
        return attachment(
            certificate_pdf(contribution, activation_code=code),
            f"{certificate_document_no(contribution)}-code.pdf",
        )


@admin.register(AgentLink)
class AgentLinkAdmin(HistoryAdmin):
    list_display = ["account", "principal", "relation", "valid_from", "valid_to"]
    list_select_related = ["account", "principal"]
    raw_id_fields = ["account", "principal"]
    search_fields = ["=principal__national_id", "=account__national_id"]
    show_full_result_count = False
