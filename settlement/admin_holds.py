"""Admin of charges held at submission (SPEC 7.1): the list filter and the confirm / reject actions, each with
a confirmation step, governed by the capability settlement.confirm_charges (ltci.core.permissions)."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.admin_mixins import MoneyColumnsMixin
from ltci.core.permissions import can

from .models import HELD_WAITING, HoldDecision
from .services.holds import CAPABILITY, HoldRefused, records_decide_hold

WAITING, CONFIRMED, REJECTED = "waiting", "confirmed", "rejected"


class ChargeHoldFilter(admin.SimpleListFilter):
    title = gettext_lazy("超上限收费确认")
    parameter_name = "charge_hold"

    def lookups(self, request, model_admin):
        return [
            (WAITING, _("待确认（超上限）")),
            (CONFIRMED, _("已确认收费")),
            (REJECTED, _("已驳回")),
        ]

    def queryset(self, request, queryset):
        if self.value() == WAITING:
            return queryset.filter(HELD_WAITING)
        if self.value() in (CONFIRMED, REJECTED):
            return queryset.filter(hold_decision=self.value())
        return queryset


def _decide(model_admin, request, queryset, decision: str, label: str):
    """The confirmation page first (the held records selected), then the decision on POST with ``apply``."""
    held = list(queryset.filter(HELD_WAITING).select_related("institution", "person"))
    if "apply" in request.POST:
        try:
            decided, skipped = records_decide_hold(
                record_ids=[r.pk for r in held], decision=decision, actor=request.user
            )
        except HoldRefused as exc:
            messages.error(request, str(exc))
            return None
        skipped += queryset.count() - len(held)
        messages.success(request, _("%(action)s：%(count)s 条服务记录") % {"action": label, "count": decided})
        if skipped:
            messages.warning(
                request, _("%(count)s 条记录不是待确认的超上限收费，未处理") % {"count": skipped}
            )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": label,
        "records": held,
        "others": queryset.count() - len(held),
        "action": request.POST.get("action", ""),
        "action_label": label,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
    }
    return TemplateResponse(request, "admin/settlement/charge_hold_confirm.html", context)


class ChargeHoldAdminMixin(MoneyColumnsMixin):
    """Mixed into ServiceRecordAdmin."""

    actions = ["confirm_charge", "reject_charge"]

    def has_settlement_confirm_charges_permission(self, request):
        return can(request.user, CAPABILITY)

    @admin.action(
        description=gettext_lazy("确认收费（超上限记录）"), permissions=["settlement_confirm_charges"]
    )
    def confirm_charge(self, request, queryset):
        return _decide(self, request, queryset, HoldDecision.CONFIRMED, _("确认收费"))

    @admin.action(
        description=gettext_lazy("驳回（超上限记录，不予支付）"), permissions=["settlement_confirm_charges"]
    )
    def reject_charge(self, request, queryset):
        return _decide(self, request, queryset, HoldDecision.REJECTED, _("驳回"))
