"""Settlement's work queues on the staff dashboard (ltci.core.workqueues): runs waiting for audit, approval and
payment, open appeals, charges held above the ceiling, and the fund's early warnings.

Its to-dos on the provider portal's home: last month's claim before or after its deadline, generated bed-days
to confirm, the latest statement, appeals the office answered lately."""

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ltci.core.dates import add_months
from ltci.core.policy import NoPolicyInForce
from ltci.core.workqueues import PortalTodo, Todo, WorkQueue, register, register_portal

from . import selectors
from .models import HELD_WAITING, Appeal, Claim, FundWarning, ServiceRecord, SettlementRun

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


def _portal_month(month: dt.date, name: str = "settlement_portal:index") -> str:
    return reverse(name) + f"?month={month:%Y-%m}"


def _claim_due(institution, today) -> list[Todo]:
    """Last month's claim while it is not submitted, if an agreement was in force during that month."""
    from institutions.selectors import agreement_days

    from .services.records import claim_deadline

    month = add_months(today.replace(day=1), -1)
    end = today.replace(day=1) - dt.timedelta(days=1)
    if not agreement_days(institution_ids=[institution.pk], start=month, end=end):
        return []
    if Claim.objects.filter(institution=institution, month=month).exists():
        return []
    try:
        deadline = claim_deadline(month)
    except NoPolicyInForce:  # no pack loaded yet (a new installation): the claim is still due
        return [Todo(label=gettext("上月申报待提交"), url=_portal_month(month), detail=f"{month:%Y-%m}")]
    values = {"month": f"{month:%Y-%m}", "date": f"{deadline:%Y-%m-%d}"}
    detail = (
        gettext("%(month)s 月度申报已逾期（截止日 %(date)s），请尽快提交")
        if today > deadline
        else gettext("%(month)s 月度申报截止日 %(date)s")
    ) % values
    return [
        Todo(
            label=gettext("上月申报待提交"), url=_portal_month(month), detail=detail, urgent=today > deadline
        )
    ]


def _bed_days_to_confirm(institution, today) -> list[Todo]:
    months = (
        ServiceRecord.objects.filter(
            institution=institution, origin=ServiceRecord.Origin.GENERATED, confirmed=False
        )
        .annotate(month=TruncMonth("service_date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return [
        Todo(
            label=gettext("床日待确认"),
            url=_portal_month(row["month"]),
            count=row["n"],
            detail=gettext("%(month)s 生成的床日") % {"month": f"{row['month']:%Y-%m}"},
        )
        for row in months
    ]


def _statement_ready(institution, today) -> list[Todo]:
    """The latest month's statement while that month is one of the last two (a run follows its month)."""
    recent = add_months(today.replace(day=1), -2)
    statement = (
        selectors.statements_for_institution(institution=institution)
        .filter(run__month__gte=recent)
        .order_by("-run__month", "-run__version")
        .first()
    )
    if statement is None:
        return []
    return [
        Todo(
            label=gettext("结算单可下载"),
            url=reverse("settlement_portal:statement", args=[statement.pk, "pdf"]),
            detail=gettext("%(month)s 结算单 %(no)s")
            % {"month": f"{statement.run.month:%Y-%m}", "no": statement.document_no},
        )
    ]


def _appeals_answered(institution, today) -> list[Todo]:
    since = today - dt.timedelta(days=settings.LTCI_EXPIRY_WARNING_DAYS)
    answered = Appeal.objects.filter(institution=institution, decided_at__date__gte=since).exclude(
        state=Appeal.State.OPEN
    )
    latest = answered.select_related("line__run").order_by("-decided_at").first()
    if latest is None:
        return []
    return [
        Todo(
            label=gettext("申诉已答复"),
            url=_portal_month(latest.line.run.month, "settlement_portal:results"),
            count=answered.count(),
            detail=gettext("近 %(days)s 天经办机构处理的申诉") % {"days": settings.LTCI_EXPIRY_WARNING_DAYS},
        )
    ]


register_portal(
    PortalTodo(key="settlement.claim", capability="portal.settlement", items=_claim_due, order=10),
    PortalTodo(
        key="settlement.bed_days", capability="portal.settlement", items=_bed_days_to_confirm, order=11
    ),
    PortalTodo(key="settlement.statement", capability="portal.settlement", items=_statement_ready, order=12),
    PortalTodo(key="settlement.appeals", capability="portal.settlement", items=_appeals_answered, order=13),
)
