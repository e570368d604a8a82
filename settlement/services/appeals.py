"""Appeals against rejected lines and staff corrections of approved lines (SPEC 6 portal, 7.2): both become
adjustment lines in a later run."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.permissions import can

from ..models import Appeal, Correction, RecordAudit, SettlementLine


class AppealRefused(Exception):
    pass


@transaction.atomic
def appeal_create(
    *, institution, line: SettlementLine, comment: str, actor, audit: RecordAudit | None = None
) -> Appeal:
    """File an appeal of the institution against one of its lines of an approved or paid settlement."""
    if line.institution_id != getattr(institution, "pk", None):
        raise AppealRefused(_("只能对本机构的结算明细提出申诉"))
    if not line.run.is_final:
        raise AppealRefused(_("结算批准后才能申诉；审核期间请联系经办机构更正"))
    if line.rejected_amount <= 0:
        raise AppealRefused(_("该明细没有拒付金额，无需申诉"))
    if audit is not None and audit.line_id != line.pk:
        raise AppealRefused(_("所选服务记录不属于该结算明细"))
    if not (comment or "").strip():
        raise AppealRefused(_("请填写申诉理由"))
    if Appeal.objects.filter(line=line, audit=audit, state=Appeal.State.OPEN).exists():
        raise AppealRefused(_("该明细已有待处理的申诉"))
    return Appeal.objects.create(
        institution=institution,
        line=line,
        audit=audit,
        comment=comment.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, upheld: bool, actor, note: str = "", amount: Decimal | None = None
) -> Appeal:
    """Uphold (with the fund amount to pay) or dismiss an open appeal; only settlement staff decide."""
    appeal = Appeal.objects.select_for_update().select_related("line").get(pk=appeal.pk)
    if not can(actor, "settlement.appeals"):
        raise AppealRefused(_("无权处理申诉"))
    if appeal.state != Appeal.State.OPEN:
        raise AppealRefused(_("该申诉已处理"))
    if upheld:
        ceiling = appeal.audit.rejected_amount if appeal.audit else appeal.line.rejected_amount
        amount = ceiling if amount is None else amount
        if amount <= 0 or amount > ceiling:
            raise AppealRefused(_("调整金额须大于0且不超过拒付金额 %(ceiling)s") % {"ceiling": ceiling})
        appeal.amount = amount
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.DISMISSED
    appeal.decision_note = note
    appeal.decided_by, appeal.decided_at = actor, timezone.now()
    appeal.save()
    return appeal


@transaction.atomic
def correction_create(*, line: SettlementLine, amount: Decimal, reason: str, actor) -> Correction:
    """Record a correction of a line of an approved or paid month; the next run of a later month pays it."""
    correction_check(line=line, amount=amount, reason=reason, actor=actor)
    return Correction.objects.create(
        line=line,
        amount=amount,
        reason=reason.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def correction_check(*, line: SettlementLine, amount: Decimal, reason: str, actor) -> None:
    """Raise AppealRefused (Chinese reason) when the correction may not be recorded."""
    if not can(actor, "settlement.appeals"):
        raise AppealRefused(_("无权登记结算更正"))
    if not line.run.is_final:
        raise AppealRefused(_("只能更正已批准或已支付月份的明细；未批准的月份请重新运行结算"))
    if line.is_adjustment:
        raise AppealRefused(_("调整明细不能再更正，请更正原明细"))
    if amount is None or amount == 0:
        raise AppealRefused(_("调整金额不能为0"))
    already = sum((c.amount for c in line.corrections.all()), Decimal("0"))
    if line.fund_amount + already + amount < 0:
        raise AppealRefused(
            _("追回金额不能超过该明细的基金支付 %(amount)s") % {"amount": line.fund_amount + already}
        )
    if amount > 0 and already + amount > line.rejected_amount + line.personal_amount:
        raise AppealRefused(
            _("补付金额不能超过该明细的拒付与个人负担合计 %(amount)s")
            % {"amount": line.rejected_amount + line.personal_amount}
        )
    if not (reason or "").strip():
        raise AppealRefused(_("请填写更正原因"))
