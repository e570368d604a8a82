"""Appeals against rejected lines (SPEC 6 portal, 7.2): upheld appeals become adjustments in a later run."""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ltci.core import roles

from ..models import Appeal, RecordAudit, SettlementLine


class AppealRefused(Exception):
    pass


@transaction.atomic
def appeal_create(*, institution, line: SettlementLine, comment: str, actor, audit: RecordAudit | None = None) -> Appeal:
    """File an appeal of the institution against one of its lines of an approved or paid settlement."""
    if line.institution_id != getattr(institution, "pk", None):
        raise AppealRefused("只能对本机构的结算明细提出申诉")
    if not line.run.is_final:
        raise AppealRefused("结算批准后才能申诉；审核期间请联系经办机构更正")
    if line.rejected_amount <= 0:
        raise AppealRefused("该明细没有拒付金额，无需申诉")
    if audit is not None and audit.line_id != line.pk:
        raise AppealRefused("所选服务记录不属于该结算明细")
    if not (comment or "").strip():
        raise AppealRefused("请填写申诉理由")
    if Appeal.objects.filter(line=line, audit=audit, state=Appeal.State.OPEN).exists():
        raise AppealRefused("该明细已有待处理的申诉")
    return Appeal.objects.create(institution=institution, line=line, audit=audit, comment=comment.strip(),
                                 created_by=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def appeal_decide(*, appeal: Appeal, upheld: bool, actor, note: str = "", amount: Decimal | None = None) -> Appeal:
    """Uphold (with the fund amount to pay) or dismiss an open appeal; only settlement staff decide."""
    appeal = Appeal.objects.select_for_update().select_related("line").get(pk=appeal.pk)
    if not roles.has_role(actor, roles.SETTLEMENT_OFFICER, roles.SUPERVISOR):
        raise AppealRefused("无权处理申诉")
    if appeal.state != Appeal.State.OPEN:
        raise AppealRefused("该申诉已处理")
    if upheld:
        ceiling = appeal.audit.rejected_amount if appeal.audit else appeal.line.rejected_amount
        amount = ceiling if amount is None else amount
        if amount <= 0 or amount > ceiling:
            raise AppealRefused(f"调整金额须大于0且不超过拒付金额 {ceiling}")
        appeal.amount = amount
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.DISMISSED
    appeal.decision_note = note
    appeal.decided_by, appeal.decided_at = actor, timezone.now()
    appeal.save()
    return appeal
