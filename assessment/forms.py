"""Portal forms: the on-site form is built from the scale's items and options (radio buttons)."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

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

    visited_on = forms.DateField(label="评估日期", widget=forms.DateInput(attrs={"type": "date"}))
    present = forms.CharField(label="在场人员（本人、监护人/代理人）", max_length=200, required=False)
    notes = forms.CharField(label="现场记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label="现场照片（JPG/PNG/PDF，每个不超过10 MB）", required=False)

    def __init__(self, *args, scale_version: str = DEFAULT_VERSION, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = get_scale(scale_version)
        self.fields["visited_on"].initial = timezone.localdate()
        for item in self.scale.items.values():
            choices = [(str(o.points), f"{o.points}分：{o.text_zh}")
                       for o in sorted(item.options, key=lambda o: -o.points)]
            self.fields[f"item_{item.key}"] = forms.TypedChoiceField(
                label=item.name_zh, choices=choices, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": f"请选择“{item.name_zh}”的评估结果。"})

    def items(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"item_{key}"] for key in self.scale.items}

    def grouped(self):
        """Yield (indicator name, [bound fields]) for the template."""
        for name, keys in item_groups(self.scale.version):
            yield name, [self[f"item_{key}"] for key in keys]


class DeclineForm(forms.Form):
    reason = forms.CharField(label="拒绝原因（如需回避、无法到场）", max_length=200)
