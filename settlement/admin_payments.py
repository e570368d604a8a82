"""Staff screens for bank accounts, payment batches and payments (issue 19); thin: every write is a service.

Imported by settlement/admin.py. Who may do what: ``settlement.bank_accounts`` (enter, import accounts)
and ``settlement.payments`` (batches, bank files, bank returns), declared in ltci.core.permissions.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import ReadOnlyMixin
from ltci.core.admin_views import import_view
from ltci.core.formatting import coded
from ltci.core.permissions import can, requires

from .bank_imports import ACCOUNT_FORMAT, RETURN_FORMAT
from .imports import import_bank_accounts, import_bank_return
from .models import BankAccount, Payment, PaymentBatch
from .services.payments import (
    AccountInput,
    PaymentError,
    account_problems,
    bank_account_register,
    bank_file,
    bank_file_name,
    payee,
)


class BankAccountForm(forms.ModelForm):
    """A new account for a person or an institution, checked as the import checks it (one rule)."""

    class Meta:
        model = BankAccount
        fields = ["person", "institution", "bank_code", "bank_name", "account_no", "holder_name"]

    def clean(self):
        data = super().clean()
        person, institution = data.get("person"), data.get("institution")
        if (person is None) == (institution is None):
            raise forms.ValidationError(_("请选择一名参保人或一家机构（只选其一）"))
        values = AccountInput(
            *(data.get(k) or "" for k in ("bank_code", "bank_name", "account_no", "holder_name"))
        )
        problems, _link = account_problems(
            person=person, institution=institution, data=values, on=timezone.localdate()
        )
        for field, reason in problems:
            self.add_error(field, reason)
        return data


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    """Accounts are never changed or deleted: a new one supersedes the current one, which is kept."""

    form = BankAccountForm
    list_display = [
        "owner",
        "holder_name",
        "agent_link",
        "bank_name",
        "masked_no",
        "valid_from",
        "valid_to",
        "origin",
        "created_by",
    ]
    list_filter = ["origin"]
    list_select_related = ["person", "institution", "agent_link", "created_by"]
    search_fields = ["=person__national_id", "=institution__code", "holder_name"]
    raw_id_fields = ["person", "institution"]
    show_full_result_count = False
    change_list_template = "admin/settlement/bankaccount_changelist.html"

    @admin.display(description=gettext_lazy("收款人"))
    def owner(self, obj):
        return obj.person or obj.institution

    @admin.display(description=gettext_lazy("账号"))
    def masked_no(self, obj):
        return obj.masked_no

    def get_urls(self):
        return [
            path(
                "import/", self.admin_site.admin_view(self.import_file), name="settlement_bankaccount_import"
            ),
            *super().get_urls(),
        ]

    @requires("settlement.bank_accounts")
    def import_file(self, request):
        return import_view(
            self,
            request,
            title=_("导入银行账户（import_bank_accounts）"),
            fmt=ACCOUNT_FORMAT,
            importer=import_bank_accounts,
        )

    def has_add_permission(self, request):
        return can(request.user, "settlement.bank_accounts")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = AccountInput(*(data[k] for k in ("bank_code", "bank_name", "account_no", "holder_name")))
        try:
            account, _created = bank_account_register(
                person=data.get("person"),
                institution=data.get("institution"),
                data=values,
                actor=request.user,
            )
        except PaymentError as exc:  # a change between the form's check and the save
            messages.error(request, str(exc))
            return
        obj.pk = account.pk


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ["reference", "payee", "account", "amount", "state", "value_date", "bank_reason", "reissue_of"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=gettext_lazy("收款人"))
    def payee(self, obj):
        return payee(obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "run",
        "layout_shown",
        "payment_count",
        "created_by",
        "created_at",
        "exported_at",
        "file",
    ]
    list_select_related = ["run", "created_by"]
    readonly_fields = ["number", "run", "layout_shown", "created_by", "created_at", "exported_at"]
    fields = readonly_fields
    inlines = [PaymentInline]

    @admin.display(description=gettext_lazy("文件格式"), ordering="layout")
    def layout_shown(self, obj):
        return coded(obj.layout, _("默认格式") if obj.layout == "default" else obj.layout)

    change_list_template = "admin/settlement/paymentbatch_changelist.html"

    @admin.display(description=gettext_lazy("笔数"))
    def payment_count(self, obj):
        return obj.payments.count()

    @admin.display(description=gettext_lazy("银行文件"))
    def file(self, obj):
        url = reverse("admin:settlement_paymentbatch_bank_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/bank-file/",
                self.admin_site.admin_view(self.bank_file_view),
                name="settlement_paymentbatch_bank_file",
            ),
            path(
                "return/", self.admin_site.admin_view(self.return_view), name="settlement_paymentbatch_return"
            ),
            *super().get_urls(),
        ]

    @requires("settlement.payments")
    def bank_file_view(self, request, object_id):
        batch = get_object_or_404(PaymentBatch, pk=object_id)
        try:
            body = bank_file(batch=batch)
        except PaymentError as exc:
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        response = HttpResponse(body, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{bank_file_name(batch)}"'
        return response

    @requires("settlement.payments")
    def return_view(self, request):
        return import_view(
            self,
            request,
            title=_("导入银行回单（import_bank_return）"),
            fmt=RETURN_FORMAT,
            importer=import_bank_return,
        )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "run",
        "payee",
        "amount",
        "state",
        "value_date",
        "bank_reason",
        "batch",
        "reissue_of",
    ]
    list_filter = ["state", "run__month"]
    list_select_related = ["run", "batch", "reissue_of", "statement__institution", "payout__person"]
    search_fields = ["=reference", "=payout__person__national_id", "=statement__institution__code"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("收款人"))
    def payee(self, obj):
        return payee(obj)
