"""Institution lifecycle (SPEC 6) as data, and the one service that moves an institution between states.

application -> qualification review -> on-site evaluation -> active (agreement signed) -> renewal
(active -> active with a new agreement); active <-> suspended; any state -> terminated. Every move
locks the institution row, is refused with a clear message when not allowed, and writes an
InstitutionEvent with the reason, the staff member and the time.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InstitutionError
from .models import Institution, InstitutionEvent

S = Institution.Status

TRANSITIONS: dict[str, set[str]] = {
    S.APPLIED: {S.QUALIFICATION_REVIEW, S.TERMINATED},
    S.QUALIFICATION_REVIEW: {S.ONSITE_EVALUATION, S.TERMINATED},
    S.ONSITE_EVALUATION: {S.ACTIVE, S.TERMINATED},
    S.ACTIVE: {S.ACTIVE, S.SUSPENDED, S.TERMINATED},
    S.SUSPENDED: {S.ACTIVE, S.TERMINATED},
    S.TERMINATED: set(),
}

# Human names of the actions (event.action), used in the admin and the portal.
ACTIONS = {
    "submit_review": gettext_lazy("提交资格审核"),
    "pass_review": gettext_lazy("资格审核通过，安排现场评估"),
    "sign": gettext_lazy("签订服务协议"),
    "renew": gettext_lazy("续签服务协议"),
    "suspend": gettext_lazy("暂停定点"),
    "reinstate": gettext_lazy("恢复定点"),
    "terminate": gettext_lazy("解除协议"),
    "reject": gettext_lazy("不予准入"),
    "import": gettext_lazy("导入"),
}


class TransitionError(InstitutionError):
    """A lifecycle move that is not allowed from the current state."""


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())


def transition(
    *,
    institution_id: int,
    to: str,
    action: str,
    actor,
    reason: str,
    on: dt.date | None = None,
    agreement=None,
    imported: bool = False,
) -> Institution:
    """Lock the institution, check the move, set the status and write the audited event.

    Callers (the services) make their agreement changes inside the same transaction. `imported`
    (import_institutions only) records the state an earlier pilot system had, skipping the pipeline.
    """
    if not (reason or "").strip():
        raise TransitionError(_("请填写变更原因"))
    with transaction.atomic():
        institution = Institution.objects.select_for_update().get(pk=institution_id)
        current = institution.status
        if not imported and not allowed(current, to):
            raise TransitionError(
                _("机构%(code)s当前状态为“%(status)s”，不能执行“%(action)s”（变更为“%(to)s”）")
                % {
                    "code": institution.code,
                    "status": S(current).label,
                    "action": ACTIONS.get(action, action),
                    "to": S(to).label,
                }
            )
        if current != to:
            institution.status = to
            institution.save(update_fields=["status"])
        InstitutionEvent.objects.create(
            institution=institution,
            agreement=agreement,
            action=action,
            from_status=current,
            to_status=to,
            effective_on=on or timezone.localdate(),
            reason=reason.strip(),
            actor=actor if getattr(actor, "pk", None) else None,
        )
        return institution
