"""Violations (with evidence and the action's state change) and annual appraisals (SPEC 6)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.policy import PolicyError, policy_in_force

from .. import rules
from ..errors import InstitutionError
from ..models import (
    Appraisal,
    AppraisalScore,
    Institution,
    Violation,
    ViolationAction,
    ViolationEvidence,
    ViolationType,
)
from .lifecycle import institution_suspend, institution_terminate


def _check_evidence(files) -> None:
    for upload in files:
        head = upload.read(8)
        upload.seek(0)
        error = rules.evidence_error(upload.name, upload.size, head)
        if error:
            raise InstitutionError(error, field="evidence")


@transaction.atomic
def violation_record(
    *,
    institution: Institution,
    type: str,
    description: str,
    found_on: dt.date,
    action: str,
    actor,
    amount_to_recover: Decimal = Decimal("0"),
    penalty: Decimal = Decimal("0"),
    evidence=(),
) -> Violation:
    """Record a violation and carry out its action: suspension and termination change the agreement."""
    if type not in ViolationType.values:
        raise InstitutionError(_("未知的违规类型：%(type)s") % {"type": type}, field="type")
    if action not in ViolationAction.values:
        raise InstitutionError(_("未知的处理方式：%(action)s") % {"action": action}, field="action")
    if not (description or "").strip():
        raise InstitutionError(_("请填写违规情况"), field="description")
    for value, label, name in (
        (amount_to_recover, _("追回金额"), "amount_to_recover"),
        (penalty, _("违约金"), "penalty"),
    ):
        if value is None or value < 0:
            raise InstitutionError(_("%(label)s不能为负数") % {"label": label}, field=name)
    _check_evidence(evidence)
    violation = Violation.objects.create(
        institution=institution,
        type=type,
        description=description.strip(),
        found_on=found_on,
        amount_to_recover=amount_to_recover,
        penalty=penalty,
        action=action,
        decided_by=actor if getattr(actor, "pk", None) else None,
    )
    for upload in evidence:
        ViolationEvidence.objects.create(
            violation=violation, file=upload, uploaded_by=actor if getattr(actor, "pk", None) else None
        )
    reason = f"违规处理：{ViolationType(type).label}（{description.strip()[:100]}）"
    if action == ViolationAction.SUSPENSION:
        institution_suspend(institution=institution, actor=actor, reason=reason, on=found_on)
    elif action == ViolationAction.TERMINATION:
        institution_terminate(institution=institution, actor=actor, reason=reason, on=found_on)
    violation_notify(violation)
    return violation


def violation_notify(violation: Violation) -> None:
    """Tell the institution of a violation recorded against it (issue 19), once per violation."""
    from ltci.core.notify import Event, notify

    from ..selectors import institution_recipient

    notify(
        event=Event.VIOLATION,
        key=f"violation:{violation.pk}",
        recipients=[institution_recipient(violation.institution)],
        context={
            "occurred_on": violation.found_on,
            "kind": ViolationType(violation.type).label,
            "number": f"WG{violation.pk:06d}",
        },
    )


@transaction.atomic
def violation_add_evidence(
    *, violation: Violation, files, actor, description: str = ""
) -> list[ViolationEvidence]:
    files = list(files)
    _check_evidence(files)
    return [
        ViolationEvidence.objects.create(
            violation=violation,
            file=f,
            description=description,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        for f in files
    ]


def violations_mark_deducted(*, institution_ids, until: dt.date, period: str, ids=None) -> int:
    """Settlement calls this when it has deducted recoverable_amounts(until=...) in `period` (YYYY-MM);
    with `ids`, only those violations (the ones the approved statements deducted)."""
    qs = Violation.objects.filter(
        institution_id__in=list(institution_ids), found_on__lte=until, deducted_in=""
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(deducted_in=period)


@transaction.atomic
def appraisal_record(
    *, institution: Institution, year: int, scores: list[tuple[str, Decimal, Decimal]], actor, note: str = ""
) -> Appraisal:
    """Record (or redo) the appraisal of a year: scores [(indicator, max_points, points)].

    The release rate comes from the policy table `deposit_release` in force on 31 December of the year.
    """
    if not scores:
        raise InstitutionError(_("请至少填写一项考核指标"), field="scores")
    names = [s[0] for s in scores]
    if len(set(names)) != len(names):
        raise InstitutionError(_("考核指标重复"), field="scores")
    try:
        total = rules.appraisal_total([(Decimal(p), Decimal(m)) for __, m, p in scores])
        bands = policy_in_force("deposit_release", on=dt.date(year, 12, 31))["bands"]
        rate = rules.deposit_release_rate(total, bands)
    except (ValueError, PolicyError) as exc:
        raise InstitutionError(str(exc), field="scores") from None
    appraisal, __ = Appraisal.objects.update_or_create(
        institution=institution,
        year=year,
        defaults={
            "total": total,
            "release_rate": rate,
            "note": note,
            "decided_at": timezone.now(),
            "decided_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    appraisal.scores.all().delete()
    AppraisalScore.objects.bulk_create(
        [
            AppraisalScore(appraisal=appraisal, indicator=i, max_points=Decimal(m), points=Decimal(p))
            for i, m, p in scores
        ]
    )
    return appraisal


@transaction.atomic
def appraisal_recompute(*, appraisal: Appraisal, actor) -> Appraisal:
    """Recompute total and release rate from the stored indicator scores (admin edits the scores)."""
    scores = [(s.indicator, s.max_points, s.points) for s in appraisal.scores.all()]
    return appraisal_record(
        institution=appraisal.institution,
        year=appraisal.year,
        scores=scores,
        actor=actor,
        note=appraisal.note,
    )
