"""Forms of the insured person's site: login, activation, online application."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessment.forms import MultipleFileField


class LoginForm(forms.Form):
    national_id = forms.CharField(
        label=_("公民身份号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ActivateForm(forms.Form):
    national_id = forms.CharField(
        label=_("公民身份号码"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    code = forms.CharField(label=_("激活码"), max_length=8)
    password = forms.CharField(
        label=_("设置密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            raise ValidationError(_("两次输入的密码不一致"))
        if data.get("password"):
            validate_password(data["password"])
        return data


class ApplyForm(forms.Form):
    disability_since = forms.DateField(
        label=_("失能开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("申请说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    documents = MultipleFileField(label=_("诊断证明等材料（PDF/JPG/PNG，每个不超过10 MB）"))

    def clean_documents(self):
        """SPEC 4.1: medical documents of the standard treatment are attached to every application."""
        if not self.cleaned_data["documents"]:
            raise ValidationError(_("请上传至少一份诊断证明等医疗材料。"))
        return self.cleaned_data["documents"]


class ObjectionForm(forms.Form):
    """An objection to a conclusion on public notice (公示异议), with optional supporting documents."""

    reason = forms.CharField(
        label=_("异议理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写异议理由。")},
    )
    documents = MultipleFileField(label=_("证明材料（可选，PDF/JPG/PNG，每个不超过10 MB）"), required=False)
