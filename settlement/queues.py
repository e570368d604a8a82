"""Settlement's work queues on the staff dashboard (ltci.core.workqueues): runs waiting for audit, approval and
payment, open appeals, charges held above the ceiling, and the fund's early warnings."""

from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import HELD_WAITING, Appeal, FundWarning, ServiceRecord, SettlementRun

Run = SettlementRun.State


def _run_queue(key, label, capability, state, order):
    return WorkQueue(
        key=key,
        label=label,
        capability=capability,
        model=SettlementRun,
        filters={"state__exact": state},
        order=order,
    )


register(
    _run_queue("settlement.to_audit", _("待审核结算"), "settlement.audit", Run.DRAFT, 40),
    _run_queue("settlement.to_approve", _("待批准结算"), "settlement.approve", Run.AUDITED, 41),
    _run_queue("settlement.to_pay", _("待支付结算"), "settlement.pay", Run.APPROVED, 42),
    WorkQueue(
        key="settlement.appeals",
        label=_("待处理申诉"),
        capability="settlement.appeals",
        model=Appeal,
        filters={"state__exact": Appeal.State.OPEN},
        order=43,
    ),
    WorkQueue(
        key="settlement.held_charges",
        label=_("待确认超上限收费"),
        capability="settlement.confirm_charges",
        model=ServiceRecord,
        # the list's own filter "charge_hold" (admin), not a lookup: the count is given beside it
        filters={"charge_hold": "waiting"},
        counted=lambda today: ServiceRecord.objects.filter(HELD_WAITING).count(),
        order=44,
    ),
    WorkQueue(
        key="settlement.fund_warnings",
        label=_("基金预警"),
        capability="fund.reports",
        model=FundWarning,
        filters={"acknowledged__exact": False},
        warning=True,
        order=90,
    ),
)
