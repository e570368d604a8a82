"""Admin of policy schemes and records (SPEC 2): a form per kind from the schema, the default marks, and a
preview of what a change affects before it is saved."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ltci.core.history_admin import HistoryAdmin

from .admin_mixins import KeepRowsMixin, labelled_filter
from .formatting import coded
from .models import PolicyRecord, PolicyScheme
from .policy_forms import (
    SCHEMA_LABELS,
    KindChoiceForm,
    Vocabularies,
    form_for,
    key_label,
    kind_choices,
    value_summary,
)
from .policy_schema import KINDS

CONFIRM = "_confirm_policy_change"


class PolicySchemeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "active", "loaded_at"]  # the name with its code: 徐州市…（xuzhou-2022）

    def get_readonly_fields(self, request, obj=None):
        # a scheme's code is its identity in pack files: shown with the name once it exists, never a bare slug
        return ["code_shown"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "source", "active"]
        return ["code_shown", *fields[1:]] if obj is not None else fields

    @admin.display(description=_("代码"))
    def code_shown(self, obj):
        return str(obj)


class PolicyRecordAdmin(KeepRowsMixin, HistoryAdmin):
    list_display = [
        "scheme",
        "kind_title",
        "key_text",
        "valid_from",
        "valid_to",
        "value_text",
        "default_mark",
    ]
    list_filter = ["scheme", labelled_filter("kind", _("类别"), kind_choices), "is_default"]
    search_fields = ["kind", "key", "default_reason"]
    readonly_fields = ["kind_title", "key_text", "default_mark", "value_text"]

    @admin.display(description=_("类别"), ordering="kind")
    def kind_title(self, obj):
        declared = KINDS.get(obj.kind)
        return coded(obj.kind, gettext(declared.title)) if declared else obj.kind

    def vocabularies(self) -> Vocabularies:
        """The labels of the codes in keys and values ({code: label} each, see policy_forms): core knows only
        the schema's own; the project's top app adds those of the apps (care forms, categories, regions...)."""
        return [SCHEMA_LABELS]

    @admin.display(description=_("键"), ordering="key")
    def key_text(self, obj):
        return key_label(obj.key, self.vocabularies())

    @admin.display(description=_("取值"))
    def value_text(self, obj):
        return value_summary(obj.value, obj.kind, obj.key, self.vocabularies())

    @admin.display(description=_("默认值"), ordering="is_default")
    def default_mark(self, obj):
        if not obj or not obj.is_default:
            return "—"
        # the pack's reason (its authors' note, in English) on hover; the page says what it means to staff
        return format_html(
            '<span class="policy-default" title="{}" style="background:#fff3cd;color:#7a5b00;'
            'padding:1px 6px;border-radius:3px">{}</span> {}',
            obj.default_reason,
            gettext("默认值"),
            gettext("政策文件未规定，采用方案的默认取值，请经办人员核实后保存"),
        )

    # --- the form of the record's kind -------------------------------------------------------------------
    def _kind_key(self, request, obj):
        if obj is not None:
            return obj.kind, obj.key, ""
        params = request.GET
        return params.get("kind", ""), params.get("key", "*"), params.get("form", "")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kind, key, form_choice = self._kind_key(request, obj)
        return form_for(kind, key, obj.value if obj is not None else None, form_choice, self.vocabularies())

    def get_fieldsets(self, request, obj=None):
        form = self.get_form(request, obj)
        value_fields = [n for n in form.base_fields if n not in ("scheme", "valid_from", "valid_to", "note")]
        head = ["kind_title", "key_text", "default_mark"] if obj is not None else []
        if obj is not None and not self.has_change_permission(request, obj):
            value_fields = ["value_text"]  # read only: the value as the office reads it, not empty inputs
        return [
            (None, {"fields": [*head, "scheme", "valid_from", "valid_to"]}),
            (_("取值"), {"fields": value_fields}),
            (None, {"fields": ["note"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kind = request.GET.get("kind")
        chooser = KindChoiceForm(request.GET if kind else None)
        if not kind or not chooser.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": chooser,
                "title": _("新增政策参数：选择类别"),
            }
            return TemplateResponse(request, "admin/core/policyrecord/choose_kind.html", context)
        return super().add_view(request, form_url, extra_context)

    # --- preview of the change's effect before saving ------------------------------------------------------
    def change_impact(self, *, kind: str, key: str, start, end) -> list[dict]:
        """What a change of kind/key over [start, end] affects: sections of {title, rows}. The project's
        top app overrides it (the settlement admin knows runs, months and persons); core knows none."""
        return []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and CONFIRM not in request.POST:
            obj = self.get_object(request, object_id) if object_id else None
            if (obj is None and object_id is None and self.has_add_permission(request)) or (
                obj is not None and self.has_change_permission(request, obj)
            ):
                preview = self._preview(request, obj)
                if preview is not None:
                    return preview
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview(self, request, obj):
        before = (obj.valid_from, obj.valid_to, obj.value) if obj is not None else None
        form = self.get_form(request, obj)(request.POST, request.FILES, instance=obj)
        if not form.is_valid():
            return None  # the normal change form shows the errors
        record = form.instance
        start = min(d for d in (record.valid_from, before and before[0]) if d)
        ends = [record.valid_to] + ([before[1]] if before else [])
        end = None if None in ends else max(ends)
        data = QueryDict(mutable=True)
        data.update(request.POST)
        data.pop("csrfmiddlewaretoken", None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("确认修改政策参数"),
            "record": record,
            "kind_title": self.kind_title(record),
            "key_text": self.key_text(record),
            "before": before and value_summary(before[2], record.kind, record.key, self.vocabularies()),
            "after": value_summary(record.value, record.kind, record.key, self.vocabularies()),
            "start": start,
            "end": end,
            "sections": self.change_impact(kind=record.kind, key=record.key, start=start, end=end),
            "hidden": [(k, v) for k in data for v in data.getlist(k)],
            "confirm": CONFIRM,
        }
        return TemplateResponse(request, "admin/core/policyrecord/confirm.html", context)


admin.site.register(PolicyScheme, PolicySchemeAdmin)
admin.site.register(PolicyRecord, PolicyRecordAdmin)
