"""Forms of the admin workflow and the portal (validation only; services do the writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from institutions.models import Bed, CareForm, Institution

from .models import BenefitDecision


class DecisionCreateForm(forms.Form):
    national_id = forms.CharField(label=_("公民身份号码"), max_length=18)
    care_form = forms.ChoiceField(label=_("护理形式"), choices=CareForm.choices)
    institution = forms.ModelChoiceField(
        label=_("服务机构"), queryset=Institution.objects.all(), required=False
    )
    carer_trained = forms.NullBooleanField(label=_("亲情照护人员已培训"), required=False)
    starts_on = forms.DateField(label=_("开始日期"))

    def clean_national_id(self):
        from enrollment.models import Person

        number = self.cleaned_data["national_id"].strip().upper()
        person = Person.objects.filter(national_id=number).first()
        if person is None:
            raise forms.ValidationError(_("没有该身份号码的参保人"))
        self.cleaned_data["person"] = person
        return number


class ChangeFormForm(forms.Form):
    care_form = forms.ChoiceField(label=_("新护理形式"), choices=CareForm.choices)
    institution = forms.ModelChoiceField(
        label=_("服务机构"), queryset=Institution.objects.all(), required=False
    )
    carer_trained = forms.NullBooleanField(label=_("亲情照护人员已培训"), required=False)
    starts_on = forms.DateField(label=_("新形式开始日期"))


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("结束日期（含当日）"))
    reason = forms.ChoiceField(
        label=_("结束原因"),
        choices=[
            (c.value, c.label)
            for c in BenefitDecision.EndReason
            if c.value not in ("form_changed", "imported")
        ],
    )


class AdmitForm(forms.Form):
    national_id = forms.CharField(label=_("公民身份号码"), max_length=18)
    admitted_on = forms.DateField(label=_("入住日期"))
    bed = forms.ModelChoiceField(label=_("床位（留空自动分配）"), queryset=Bed.objects.none(), required=False)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = Bed.objects.filter(institution=institution)


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label=_("退住日期（不计床日）"))


class BedChangeForm(forms.Form):
    bed = forms.ModelChoiceField(label=_("新床位"), queryset=Bed.objects.none())
    on = forms.DateField(label=_("换床日期"))

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = Bed.objects.filter(institution=institution)
