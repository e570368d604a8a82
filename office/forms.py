"""The case page's query: a date, a care form and what is paid for the eligibility explanation (GET,
validated)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.rules import ALLOWANCE, SERVICE
from institutions.models import CareForm


class EligibilityForm(forms.Form):
    on = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空为今天"),
        error_messages={"invalid": _("请输入有效日期（年-月-日）")},
    )
    care_form = forms.ChoiceField(
        label=_("护理形式"),
        required=False,
        choices=[("", _("（任一）"))] + list(CareForm.choices),
        error_messages={"invalid_choice": _("未知的护理形式")},
    )
    kind = forms.ChoiceField(
        label=_("支付内容"),
        required=False,
        choices=[
            ("", _("（按护理形式）")),
            (SERVICE, _("机构服务（床日、上门、辅具）")),
            (ALLOWANCE, _("发给本人的补贴（亲情照护等）")),
        ],
        error_messages={"invalid_choice": _("未知的支付内容")},
    )

    def query(self):
        """(date, care form or None, kind or None) of a valid form; today, any form and what the form pays
        when the fields are empty."""
        data = self.cleaned_data if self.is_bound else {}
        return data.get("on") or timezone.localdate(), data.get("care_form") or None, data.get("kind") or None
