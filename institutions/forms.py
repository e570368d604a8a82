"""Portal and admin forms: validate input; the services do the writing."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ltci.core.money import AmountField

from . import rules
from .models import Institution, InstitutionUser, ViolationAction, ViolationType

# An <input type="date"> only accepts ISO dates: never the locale's format (zh-hans renders 2026/12/01).
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PortalLoginForm(AuthenticationForm):
    """Only active institution users may log in to the portal (staff use /admin/)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not InstitutionUser.objects.filter(user=user).exists():
            raise forms.ValidationError(
                _("此账号不是协议机构用户，经办人员请从管理后台登录。"), code="not_portal_user"
            )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["address", "contact_name", "contact_phone"]


class BedForm(forms.Form):
    label = forms.CharField(label=_("床位号"), max_length=30)
    registered_from = forms.DateField(label=_("备案日期"), widget=DATE, initial=timezone.localdate)


class BedDayForm(forms.Form):
    """The day whose registered beds (capacity) the beds page counts."""

    on = forms.DateField(label=_("查询日期"), widget=DATE, required=False)


class BedEndForm(forms.Form):
    registered_to = forms.DateField(
        label=_("撤销日期（最后备案日）"), widget=DATE, initial=timezone.localdate
    )


class CaregiverForm(forms.Form):
    national_id = forms.CharField(label=_("公民身份号码"), max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=100)
    qualification = forms.CharField(label=_("资质"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    employed_from = forms.DateField(label=_("入职日期"), widget=DATE, initial=timezone.localdate)

    # The ID number is checked by services.caregiver_employ: an invalid number and one registered under
    # another name get the same message (docs/decisions.md, "The shared caregiver record").


class CaregiverEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    qualification = forms.CharField(label=_("资质"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)


class CertificateForm(forms.Form):
    name = forms.CharField(label=_("证书名称"), max_length=100)
    number = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE, required=False)
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE, required=False)


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("培训课程"), max_length=100)
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    hours = forms.DecimalField(label=_("学时"), min_value=0, max_digits=6, decimal_places=1, initial=0)
    passed = forms.BooleanField(label=_("考核合格"), required=False, initial=True)


class EmploymentEndForm(forms.Form):
    employed_to = forms.DateField(label=_("离职日期"), widget=DATE, initial=timezone.localdate)


class PortalUserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=InstitutionUser.Role.choices)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=8)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=InstitutionUser.Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100)


class ReasonForm(forms.Form):
    """Admin lifecycle actions: the reason and the effective date of the move."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE, initial=timezone.localdate)


class SignForm(ReasonForm):
    valid_from = forms.DateField(label=_("协议开始"), widget=DATE)
    valid_to = forms.DateField(label=_("协议结束"), widget=DATE)
    care_forms = forms.MultipleChoiceField(
        label=_("服务形式"), widget=forms.CheckboxSelectMultiple, choices=[], required=False
    )
    # The policy's ceiling (agreement_checks) and the standard are checked by the sign service on the
    # agreement's first day; the field itself only bounds the amount to the money column.
    price_life = AmountField(label=_("生活照料约定日价（空=按标准）"), required=False)
    price_medical = AmountField(label=_("医疗护理约定日价（空=按标准）"), required=False)
    insurance_expires_on = forms.DateField(label=_("责任险到期日"), widget=DATE)

    def __init__(self, *args, **kwargs):
        from .models import CareForm

        super().__init__(*args, **kwargs)
        self.fields["care_forms"].choices = CareForm.agreement_choices()


class ViolationForm(forms.Form):
    type = forms.ChoiceField(label=_("违规类型"), choices=ViolationType.choices)
    description = forms.CharField(label=_("违规情况"), widget=forms.Textarea(attrs={"rows": 3}))
    found_on = forms.DateField(label=_("查实日期"), widget=DATE, initial=timezone.localdate)
    amount_to_recover = AmountField(label=_("追回金额"), initial=0)
    penalty = AmountField(label=_("违约金"), initial=0)
    action = forms.ChoiceField(label=_("处理方式"), choices=ViolationAction.choices)


class EvidenceField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value:
            head = value.read(8)
            value.seek(0)
            error = rules.evidence_error(value.name, value.size, head)
            if error:
                raise forms.ValidationError(error)
