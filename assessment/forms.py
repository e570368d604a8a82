"""Portal forms: the on-site form is built from the scale's items and options (radio buttons)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ltci.core.idnumber import parse_id_number

from .scales import DEFAULT_VERSION, get_scale
from .validators import validate_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors, cleaned = [], []
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
            cleaned.append(upload)
        if errors:
            raise ValidationError(errors)
        return cleaned


def item_groups(scale_version: str = DEFAULT_VERSION):
    """Return [(indicator name, [item keys])] in the order of the scale."""
    scale = get_scale(scale_version)
    return [(ind.name_zh, [item.key for item in ind.items]) for ind in scale.indicators.values()]


class VisitForm(forms.Form):
    """Every item of the scale as a required radio choice; no grade field exists."""

    visited_on = forms.DateField(label=_("评估日期"), widget=forms.DateInput(attrs={"type": "date"}))
    present = forms.CharField(label=_("在场人员（本人、监护人/代理人）"), max_length=200, required=False)
    notes = forms.CharField(label=_("现场记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("现场照片（JPG/PNG/PDF，每个不超过10 MB）"), required=False)

    def __init__(self, *args, scale_version: str = DEFAULT_VERSION, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = get_scale(scale_version)
        self.fields["visited_on"].initial = timezone.localdate()
        for item in self.scale.items.values():
            choices = [
                (
                    str(o.points),
                    gettext("%(points)s分：%(text_zh)s") % {"points": o.points, "text_zh": o.text_zh},
                )
                for o in sorted(item.options, key=lambda o: -o.points)
            ]
            self.fields[f"item_{item.key}"] = forms.TypedChoiceField(
                label=item.name_zh,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext("请选择“%(name_zh)s”的评估结果。") % {"name_zh": item.name_zh}
                },
            )

    def items(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"item_{key}"] for key in self.scale.items}

    def grouped(self):
        """Yield (indicator name, [bound fields]) for the template."""
        for name, keys in item_groups(self.scale.version):
            yield name, [self[f"item_{key}"] for key in keys]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("拒绝原因（如需回避、无法到场）"), max_length=200)


class InstitutionApplyForm(forms.Form):
    """A care institution applies for an assessment on behalf of a person in its care (SPEC 4.1)."""

    national_id = forms.CharField(label=_("申请人公民身份号码"), max_length=18)
    name = forms.CharField(label=_("申请人姓名"), max_length=100)
    disability_since = forms.DateField(
        label=_("失能起始日期（经规范诊疗后）"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("申请理由与病情说明"), widget=forms.Textarea(attrs={"rows": 3}))
    documents = MultipleFileField(label=_("诊断证明等材料（PDF/JPG/PNG，每个不超过10 MB）"))

    def clean_national_id(self):
        try:
            return parse_id_number(self.cleaned_data["national_id"].strip()).number
        except ValueError as exc:
            raise ValidationError(_("身份号码有误：%(reason)s"), params={"reason": exc}) from None

    def clean_disability_since(self):
        since = self.cleaned_data["disability_since"]
        if since > timezone.localdate():
            raise ValidationError(_("失能起始日期不能晚于今天。"))
        return since

    def clean_documents(self):
        documents = self.cleaned_data["documents"]
        if not documents:
            raise ValidationError(_("请上传至少一份诊断证明等医疗材料。"))
        return documents
