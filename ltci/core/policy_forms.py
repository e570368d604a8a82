"""The admin form of a policy record, one per kind, generated from the kind's schema (never raw JSON).

One form field per schema field, labelled with the schema's Chinese title; every value is checked by the
same pydantic model as a pack file, and each message names the field (title and code).
"""

import types
import typing
from collections.abc import Mapping, Sequence

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from .formatting import EMPTY, coded, money, percent
from .models import PolicyRecord
from .policy_schema import KINDS, Value, canonical, validate_value

NULL_FIELD = "_left_for_staff"

# The labels of the codes a policy value or key holds, one mapping per vocabulary ({code: label}). The schema's
# own literals are labelled here; the others (care forms, categories, classes, regions...) belong to their apps,
# whose labels the admin passes in (``PolicyRecordAdmin.vocabularies``): a literal takes its labels from the
# first vocabulary that holds all of its codes.
Vocabularies = Sequence[Mapping[str, object]]
SCHEMA_LABELS: dict[str, object] = {
    "fixed": _("定额"),
    "rate": _("费率"),
    "full": _("全年"),
    "prorated": _("按月折算"),
    "conclusion_date": _("评估结论作出之日"),
    "*": _("全部"),
}


def _vocabulary(codes, vocabularies: Vocabularies) -> Mapping[str, object]:
    wanted = set(codes)
    return next((v for v in (*vocabularies, SCHEMA_LABELS) if wanted <= v.keys()), {})


def code_label(code: str, codes, vocabularies: Vocabularies = ()) -> str:
    """The label of one of ``codes`` (a literal's members), or the code itself when none is known."""
    label = _vocabulary(codes, vocabularies).get(code)
    return str(label) if label else code


def key_label(key: str, vocabularies: Vocabularies = ()) -> str:
    """A record key as the office reads it: each part by its label, the key after them,
    机构护理 · 重度失能 · 生活照料（residential:severe:life）; the key alone when a part has no label."""
    labels = [code_label(part, [part], vocabularies) for part in key.split(":")]
    if any(label == part for label, part in zip(labels, key.split(":"), strict=True)):
        return key
    return coded(key, " · ".join(labels))


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


def _form_field(name: str, info, vocabularies: Vocabularies = ()) -> forms.Field:
    annotation, nullable = _unwrap(info.annotation)
    annotation = _base(annotation)
    label = coded(name, gettext(info.title or name))
    help_text = gettext("留空：留待经办人员录入，用到它的计算会停止并提示") if nullable else ""
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return forms.BooleanField(label=label, required=False)
    if origin is typing.Literal:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "---------")] + _choices(typing.get_args(annotation), vocabularies),
        )
    if origin is list and (item := _base(typing.get_args(annotation)[0])) is not None:
        if typing.get_origin(item) is typing.Literal:
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=_choices(typing.get_args(item), vocabularies),
            )
        sub = _sub_model(annotation)
        if sub is None:
            raise TypeError(f"{name}: a list field must hold literals or a sub-model")
        columns = " ".join(coded(n, gettext(f.title or n)) for n, f in sub.model_fields.items())
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


def _choices(codes, vocabularies: Vocabularies) -> list[tuple[str, str]]:
    return [(c, coded(c, code_label(c, codes, vocabularies))) for c in codes]


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
            title = coded(field, gettext(info.title or field)) if info else field
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


def form_for(
    kind: str, key: str, value=None, form_choice: str = "", vocabularies: Vocabularies = ()
) -> type[PolicyRecordForm]:
    """The form class of a kind and key (contribution standards: the fixed or the rate form); its choices show
    each code with its label from ``vocabularies``."""
    declared = KINDS.get(kind)
    probe = value if isinstance(value, dict) else ({"form": form_choice} if form_choice else None)
    # an unknown kind or key (a record written outside the admin) gets no value fields and clean() says why
    schema = declared.model_for(key, probe) if declared and declared.key_ok(key) else Value
    attrs: dict[str, typing.Any] = {
        name: _form_field(name, info, vocabularies) for name, info in schema.model_fields.items()
    }
    attrs[NULL_FIELD] = forms.BooleanField(
        label=_("整条标准留待录入"),
        required=False,
        help_text=_("勾选后本条取值为空（null）：用到它的计算会停止并提示“尚未录入”，不会按零支付"),
    )
    attrs.update(schema=schema, kind=kind, key=key)
    return type(f"{schema.__name__}Form", (PolicyRecordForm,), attrs)


def kind_choices() -> list[tuple[str, str]]:
    """Every policy kind by its title and code, in the active language."""
    return [(k, coded(k, gettext(v.title))) for k, v in KINDS.items()]


class KindChoiceForm(forms.Form):
    """Step one of adding a record: the kind and key decide the form's fields."""

    kind = forms.ChoiceField(label=_("类别"), choices=kind_choices)
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


def _limits(info) -> dict:
    """The constraints of a schema field (ge, le, decimal_places), wherever pydantic keeps them."""
    found: dict = {}
    items = list(getattr(info, "metadata", []))
    annotation = _unwrap(info.annotation)[0]
    if typing.get_origin(annotation) is typing.Annotated:
        for extra in typing.get_args(annotation)[1:]:
            items += [extra, *getattr(extra, "metadata", [])]
    for item in items:
        for name in ("le", "decimal_places"):
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
    return found


def _shown(item, info, vocabularies: Vocabularies) -> str:
    """One field's value as the office reads it: money in yuan, ratios as percentages, codes by label."""
    if item is None:
        return gettext("留待录入")
    annotation = _base(_unwrap(info.annotation)[0])
    if isinstance(item, bool):
        return gettext("是") if item else gettext("否")
    if typing.get_origin(annotation) is typing.Literal:
        return code_label(item, typing.get_args(annotation), vocabularies)
    if isinstance(item, list):
        sub = _sub_model(annotation)
        if sub is not None:
            return "；".join(_joined(row, sub, vocabularies, "，") for row in item if isinstance(row, dict))
        codes = typing.get_args(_base(typing.get_args(annotation)[0])) if typing.get_args(annotation) else ()
        return "、".join(code_label(c, codes or [c], vocabularies) for c in item) or EMPTY
    limits = _limits(info)
    if annotation is not int and limits.get("le") == 1:
        return percent(item)
    if limits.get("decimal_places") == 2 and "le" not in limits:
        return money(item)
    return str(item)


def _joined(value: dict, model: type[BaseModel], vocabularies: Vocabularies, sep: str) -> str:
    return sep.join(
        f"{gettext(info.title or name)}：{_shown(value[name], info, vocabularies)}"
        for name, info in model.model_fields.items()
        if name in value
    )


def value_summary(value, kind: str = "", key: str = "", vocabularies: Vocabularies = ()) -> str:
    """A record's value through its kind's schema: each field's title and its value as the office reads it,
    床日费标准（元）：¥80.00；基金支付比例：70.00%；支付的机构类型：养老机构、医疗机构."""
    if value is None:
        return gettext("留待录入")
    declared = KINDS.get(kind)
    if declared is None or not declared.key_ok(key) or not isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
    return _joined(value, declared.model_for(key, value), vocabularies, "；")
