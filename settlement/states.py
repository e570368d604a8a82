"""Settlement run states (SPEC 7.2): draft -> audited -> approved -> paid, one locked transition service.

Every transition holds the month's lock (services.run.lock_month), the lock the run's write takes, so an
approval and a run of the same month never interleave; the database allows one approved or paid version
of a month (run_one_final_version_per_month)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.permissions import can, staff_roles

from .models import SettlementRun
from .services.payments import outstanding
from .services.run import (
    carried_elsewhere,
    deducted_elsewhere,
    final_run,
    lock_month,
    mark_violations_deducted,
)

S = SettlementRun.State
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.AUDITED},
    S.AUDITED: {S.APPROVED, S.DRAFT},
    S.APPROVED: {S.PAID},
    S.PAID: set(),
}
CAPABILITY = {  # who may make each move: the declaration of who may do what (ltci.core.permissions)
    S.AUDITED: "settlement.audit",
    S.DRAFT: "settlement.audit",
    S.APPROVED: "settlement.approve",
    S.PAID: "settlement.pay",
}


class TransitionRefused(Exception):
    """The move is impossible or the user may not make it; the message says why (Chinese)."""


@transaction.atomic
def run_transition(*, run: SettlementRun, to: str, actor) -> SettlementRun:
    """Move a run to a new state after checking the path, the role and the four-eyes rule, under the
    month's lock; an approval also needs the version to be the month's newest and no other version final."""
    lock_month(run.month)
    locked = SettlementRun.objects.select_for_update().filter(pk=run.pk).first()
    latest = (
        SettlementRun.objects.filter(month=run.month).order_by("-version").values_list("pk", flat=True)[:1]
    )
    if locked is None or list(latest) != [
        locked.pk
    ]:  # a run replaced it (a draft or audited version is deleted)
        raise TransitionRefused(
            _("%(month)s 第%(version)s版已被新版本取代")
            % {"month": f"{run.month:%Y-%m}", "version": run.version}
        )
    if to not in TRANSITIONS[locked.state]:
        raise TransitionRefused(
            _("结算状态不能从“%(state)s”变为“%(label)s”")
            % {"state": locked.get_state_display(), "label": S(to).label}
        )
    if not can(actor, CAPABILITY[to]):
        raise TransitionRefused(
            _("无权将结算设为“%(label)s”：需要角色 %(roles)s")
            % {"label": S(to).label, "roles": "、".join(staff_roles(CAPABILITY[to]))}
        )
    now = timezone.now()
    if to == S.AUDITED:
        locked.audited_by, locked.audited_at = actor, now
    elif to == S.APPROVED:
        if locked.started_by_id and locked.started_by_id == actor.pk:
            raise TransitionRefused(_("批准人不能是运行本次结算的人员（双人复核）"))
        if locked.audited_by_id and locked.audited_by_id == actor.pk and not actor.is_superuser:
            raise TransitionRefused(_("批准人不能是审核本次结算的人员（双人复核）"))
        final = final_run(locked.month)
        if final and final.pk != locked.pk:
            raise TransitionRefused(
                _("%(month)s 已有第%(version)s版结算“%(state)s”，不能再批准其他版本")
                % {
                    "month": f"{locked.month:%Y-%m}",
                    "version": final.version,
                    "state": final.get_state_display(),
                }
            )
        if deducted_elsewhere(locked):
            raise TransitionRefused(_("本版结算单扣减的违规金额已在其他月份扣减，请重新运行本月结算后再批准"))
        if carried_elsewhere(locked):
            raise TransitionRefused(
                _("本版结算单结转的上期负数金额已在其他月份结转，请重新运行本月结算后再批准")
            )
        locked.approved_by, locked.approved_at = actor, now
    elif to == S.PAID:
        left = outstanding(locked)
        if left:
            raise TransitionRefused(
                _("还有 %(n)s 笔支付未经银行回单确认到账：结算在每笔支付到账后自动设为已支付") % {"n": left}
            )
        locked.paid_by, locked.paid_at = actor, now
    locked.state = to
    locked.save()
    if to == S.APPROVED:
        from .services.notices import statements_ready_notify

        statements_ready_notify(locked)
        mark_violations_deducted(locked)  # the ledger posts the approved statements itself (services.fund)
    return locked


@transaction.atomic
def run_paid_when_complete(*, run: SettlementRun, actor=None) -> bool:
    """Mark an approved month paid once the bank has confirmed every payment of it (the bank return import);
    return True when it moved. The actor is whoever imported the return (empty from the command line)."""
    lock_month(run.month)
    locked = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if locked.state != S.APPROVED or outstanding(locked):
        return False
    locked.state = S.PAID
    locked.paid_at = timezone.now()
    locked.paid_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["state", "paid_at", "paid_by"])
    return True
