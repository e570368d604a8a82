"""The admin form of a policy record, one per kind, generated from the kind's schema (never raw JSON).

One form field per schema field, labelled with the schema's Chinese title; every value is checked by the
same pydantic model as a pack file, and each message names the field (title and code).
"""

import types
import typing

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from .models import PolicyRecord
from .policy_schema import KINDS, Value, canonical, validate_value

NULL_FIELD = "_left_for_staff"


def _unwrap(annotation):
    """(inner annotation, nullable) of ``X | None``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def _base(annotation):
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _sub_model(annotation) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        item = _base(typing.get_args(annotation)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _form_field(name: str, info) -> forms.Field:
    annotation, nullable = _unwrap(info.annotation)
    annotation = _base(annotation)
    label = f"{gettext(info.title or name)}（{name}）"
    help_text = gettext("留空：留待经办人员录入，用到它的计算会停止并提示") if nullable else ""
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return forms.BooleanField(label=label, required=False)
    if origin is typing.Literal:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "---------")] + [(c, c) for c in typing.get_args(annotation)],
        )
    if origin is list and (item := _base(typing.get_args(annotation)[0])) is not None:
        if typing.get_origin(item) is typing.Literal:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(c, c) for c in typing.get_args(item)],
            )
        sub = _sub_model(annotation)
        if sub is None:
            raise TypeError(f"{name}: a list field must hold literals or a sub-model")
        columns = " ".join(f"{gettext(f.title or n)}（{n}）" for n, f in sub.model_fields.items())
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=gettext("每行一项，依次填写：%(columns)s，以空格分隔") % {"columns": columns},
        )
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"} if "date" in str(annotation) else {}),
    )


def _initial(value, model: type[Value]) -> dict:
    out = {}
    for name, info in model.model_fields.items():
        item = (value or {}).get(name)
        if _sub_model(_unwrap(info.annotation)[0]) and isinstance(item, list):
            item = "\n".join(" ".join(str(v) for v in row.values()) for row in item if isinstance(row, dict))
        out[name] = item
    return out


class PolicyRecordForm(forms.ModelForm):
    """Base of the generated forms: validity, note, and the value's fields of one kind (and key)."""

    schema: type[Value]
    kind: str
    key: str

    class Meta:
        model = PolicyRecord
        fields = ["scheme", "valid_from", "valid_to", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.value is not None:
            for name, item in _initial(self.instance.value, self.schema).items():
                self.initial.setdefault(name, item)
        self.initial.setdefault(NULL_FIELD, bool(self.instance.pk) and self.instance.value is None)

    def _value(self) -> dict:
        data = {}
        for name, info in self.schema.model_fields.items():
            item = self.cleaned_data.get(name)
            sub = _sub_model(_unwrap(info.annotation)[0])
            if sub is not None:
                rows = [line.split() for line in (item or "").splitlines() if line.strip()]
                item = [
                    dict(zip(sub.model_fields, row, strict=False))
                    if len(row) == len(sub.model_fields)
                    else {"_": " ".join(row)}
                    for row in rows
                ]
            elif item in ("", None) and not isinstance(item, bool):
                if not _unwrap(info.annotation)[1]:
                    continue  # the schema's own default, or reported missing by the schema
                item = None  # left for staff
            elif isinstance(item, str):
                item = item.strip()
            data[name] = item
        return data

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", gettext("失效日期不能早于生效日期"))
        value = None if cleaned.get(NULL_FIELD) else self._value()
        model, errors = validate_value(self.kind, self.key, value)
        for error in errors:
            field = error.field.split(".")[0]
            info = self.schema.model_fields.get(field)
            title = f"{gettext(info.title or field)}（{field}）" if info else field
            shown = "" if error.value is None else gettext("（填写的是 %(value)s）") % {"value": error.value}
            self.add_error(field if field in self.fields else None, f"{title}：{error.reason}{shown}")
        if not errors:
            self.instance.value = canonical(model) if value is not None else None
        self.instance.kind, self.instance.key = self.kind, self.key
        scheme = cleaned.get("scheme")
        if scheme and start and not self.errors:
            self._check_overlap(scheme, start, end)
        return cleaned

    def _check_overlap(self, scheme, start, end):
        other = (
            PolicyRecord.objects.overlapping(start, end)
            .filter(scheme=scheme, kind=self.kind, key=self.key)
            .exclude(pk=self.instance.pk)
            .order_by("valid_from")
            .first()
        )
        if other is not None:
            self.add_error(
                "valid_from",
                gettext("有效期与 %(from)s 起的同一参数重叠：请先结束那条记录")
                % {"from": other.valid_from.isoformat()},
            )

    def save(self, commit=True):
        self.instance.is_default = False  # staff saved it: the value is confirmed (SPEC 2)
        return super().save(commit)


def form_for(kind: str, key: str, value=None, form_choice: str = "") -> type[PolicyRecordForm]:
    """The form class of a kind and key (contribution standards: the fixed or the rate form)."""
    declared = KINDS.get(kind)
    probe = value if isinstance(value, dict) else ({"form": form_choice} if form_choice else None)
    # an unknown kind or key (a record written outside the admin) gets no value fields and clean() says why
    schema = declared.model_for(key, probe) if declared and declared.key_ok(key) else Value
    attrs: dict[str, typing.Any] = {
        name: _form_field(name, info) for name, info in schema.model_fields.items()
    }
    attrs[NULL_FIELD] = forms.BooleanField(
        label=_("整条标准留待录入"),
        required=False,
        help_text=_("勾选后本条取值为空（null）：用到它的计算会停止并提示“尚未录入”，不会按零支付"),
    )
    attrs.update(schema=schema, kind=kind, key=key)
    return type(f"{schema.__name__}Form", (PolicyRecordForm,), attrs)


class KindChoiceForm(forms.Form):
    """Step one of adding a record: the kind and key decide the form's fields."""

    kind = forms.ChoiceField(
        label=_("类别"), choices=[(k, f"{gettext(v.title)}（{k}）") for k, v in KINDS.items()]
    )
    key = forms.CharField(label=_("键"), initial="*")
    form = forms.ChoiceField(
        label=_("筹资方式（仅筹资标准）"), required=False, choices=[("fixed", _("定额")), ("rate", _("费率"))]
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        kind, key = cleaned.get("kind"), (cleaned.get("key") or "").strip()
        if kind and not KINDS[kind].key_ok(key):
            self.add_error(
                "key", gettext("本类别的键须为 %(pattern)s") % {"pattern": gettext(KINDS[kind].key_help)}
            )
        cleaned["key"] = key
        return cleaned


def value_summary(value) -> str:
    if value is None:
        return gettext("留待录入")
    return "; ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
