"""Lifecycle services: review, signing, renewal, suspension, reinstatement, termination, insurance."""

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules, states
from ..errors import InstitutionError
from ..models import Agreement, AgreementPause, CareForm, Institution, InsuranceNotice
from ..selectors import agreed_price_errors

logger = logging.getLogger("ltci.institutions")
S = Institution.Status
A = Agreement.State


def _today(on):
    return on or timezone.localdate()


def institution_submit_review(*, institution: Institution, actor, reason: str, on=None) -> Institution:
    return states.transition(
        institution_id=institution.pk,
        to=S.QUALIFICATION_REVIEW,
        action="submit_review",
        actor=actor,
        reason=reason,
        on=on,
    )


def institution_pass_review(*, institution: Institution, actor, reason: str, on=None) -> Institution:
    return states.transition(
        institution_id=institution.pk,
        to=S.ONSITE_EVALUATION,
        action="pass_review",
        actor=actor,
        reason=reason,
        on=on,
    )


def institution_reject(*, institution: Institution, actor, reason: str, on=None) -> Institution:
    if institution.status not in (S.APPLIED, S.QUALIFICATION_REVIEW, S.ONSITE_EVALUATION):
        raise InstitutionError(_("只有申请中的机构可以不予准入；已签约机构请使用“解除协议”"))
    return states.transition(
        institution_id=institution.pk, to=S.TERMINATED, action="reject", actor=actor, reason=reason, on=on
    )


def validate_agreement_terms(
    *,
    valid_from: dt.date,
    valid_to: dt.date,
    care_forms: list[str],
    price_life: Decimal | None,
    price_medical: Decimal | None,
    insurance_expires_on: dt.date | None,
    on: dt.date,
) -> None:
    """Refuse terms that cannot be signed: term order, care forms, prices above the standard, insurance."""
    if valid_to < valid_from:
        raise InstitutionError(
            _("协议结束日期%(valid_to)s早于开始日期%(valid_from)s")
            % {"valid_to": valid_to, "valid_from": valid_from},
            field="valid_to",
        )
    unknown = [c for c in care_forms if c not in CareForm.values]
    if unknown:
        raise InstitutionError(
            _("未知的服务形式代码：%(codes)s") % {"codes": ", ".join(unknown)}, field="care_forms"
        )
    errors = agreed_price_errors(prices={"life": price_life, "medical": price_medical}, on=valid_from)
    for field, error in errors.items():
        raise InstitutionError(error, field=field)
    if not rules.insurance_valid(insurance_expires_on, max(on, valid_from)):
        message = (
            _("第三方责任保险未填写到期日，不能签订或恢复协议")
            if insurance_expires_on is None
            else _("第三方责任保险已于%(expires_on)s到期，不能签订或恢复协议")
            % {"expires_on": insurance_expires_on}
        )
        raise InstitutionError(message, field="insurance_expires_on")


@transaction.atomic
def agreement_sign(
    *,
    institution: Institution,
    valid_from: dt.date,
    valid_to: dt.date,
    care_forms: list[str],
    insurance_expires_on: dt.date,
    price_life: Decimal | None = None,
    price_medical: Decimal | None = None,
    deposit_rate: Decimal | None = None,
    actor,
    reason: str,
    on: dt.date | None = None,
    renews: Agreement | None = None,
    action: str = "sign",
) -> Agreement:
    """Sign (activate) an agreement after the on-site evaluation, or a renewal of an active one."""
    on = _today(on)
    validate_agreement_terms(
        valid_from=valid_from,
        valid_to=valid_to,
        care_forms=care_forms,
        price_life=price_life,
        price_medical=price_medical,
        insurance_expires_on=insurance_expires_on,
        on=on,
    )
    error = rules.deposit_rate_error(deposit_rate)
    if error:
        raise InstitutionError(error, field="deposit_rate")
    if not states.allowed(Institution.objects.get(pk=institution.pk).status, S.ACTIVE):
        # Let the transition produce the message (it locks and re-checks).
        states.transition(
            institution_id=institution.pk, to=S.ACTIVE, action=action, actor=actor, reason=reason, on=on
        )
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                institution=institution,
                valid_from=valid_from,
                valid_to=valid_to,
                care_forms=list(care_forms),
                price_life=price_life,
                price_medical=price_medical,
                insurance_expires_on=insurance_expires_on,
                deposit_rate=deposit_rate,
                state=A.ACTIVE,
                renews=renews,
            )
    except IntegrityError:
        raise InstitutionError(
            _("协议期间%(valid_from)s至%(valid_to)s与本机构其他生效协议重叠")
            % {"valid_from": valid_from, "valid_to": valid_to},
            field="valid_from",
        ) from None
    states.transition(
        institution_id=institution.pk,
        to=S.ACTIVE,
        action=action,
        actor=actor,
        reason=reason,
        on=on,
        agreement=agreement,
    )
    return agreement


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    valid_to: dt.date,
    insurance_expires_on: dt.date,
    actor,
    reason: str,
    care_forms: list[str] | None = None,
    price_life=None,
    price_medical=None,
    on: dt.date | None = None,
) -> Agreement:
    """Renewal (续签): a new agreement from the day after the current one ends; prices default to the old."""
    if agreement.state != A.ACTIVE:
        raise InstitutionError(_("只有生效中的协议可以续签"))
    return agreement_sign(
        institution=agreement.institution,
        valid_from=agreement.valid_to + dt.timedelta(days=1),
        valid_to=valid_to,
        care_forms=care_forms if care_forms is not None else agreement.care_forms,
        price_life=price_life if price_life is not None else agreement.price_life,
        price_medical=price_medical if price_medical is not None else agreement.price_medical,
        insurance_expires_on=insurance_expires_on,
        deposit_rate=agreement.deposit_rate,
        actor=actor,
        reason=reason,
        on=on,
        renews=agreement,
        action="renew",
    )


def _live_agreements(institution: Institution):
    return Agreement.objects.select_for_update().filter(
        institution=institution, state__in=[A.ACTIVE, A.SUSPENDED]
    )


@transaction.atomic
def institution_suspend(
    *, institution: Institution, actor, reason: str, on: dt.date | None = None, action: str = "suspend"
) -> Institution:
    """Suspend (暂停定点) from `on`: its agreements stop counting agreement days until reinstated.

    `action="import"` records a suspension carried over from an earlier pilot system (import_institutions).
    """
    on = _today(on)
    result = states.transition(
        institution_id=institution.pk,
        to=S.SUSPENDED,
        action=action,
        actor=actor,
        reason=reason,
        on=on,
        imported=action == "import",
    )
    for agreement in _live_agreements(institution).filter(state=A.ACTIVE):
        agreement.state = A.SUSPENDED
        agreement.save(update_fields=["state"])
        if not agreement.pauses.filter(paused_to__isnull=True).exists():
            AgreementPause.objects.create(agreement=agreement, paused_from=on, reason=reason)
    return result


@transaction.atomic
def institution_reinstate(
    *, institution: Institution, actor, reason: str, on: dt.date | None = None
) -> Institution:
    """Lift a suspension from `on`; refused while the liability insurance is expired."""
    on = _today(on)
    suspended = list(_live_agreements(institution).filter(state=A.SUSPENDED))
    for agreement in suspended:
        if not rules.insurance_valid(agreement.insurance_expires_on, on):
            raise InstitutionError(
                _("第三方责任保险已于%(expires_on)s到期，请先登记续保再恢复定点")
                % {"expires_on": agreement.insurance_expires_on},
                field="insurance_expires_on",
            )
    result = states.transition(
        institution_id=institution.pk, to=S.ACTIVE, action="reinstate", actor=actor, reason=reason, on=on
    )
    for agreement in suspended:
        agreement.state = A.ACTIVE
        agreement.save(update_fields=["state"])
        for pause in agreement.pauses.filter(paused_to__isnull=True):
            pause.paused_to = max(pause.paused_from, on - dt.timedelta(days=1))
            if pause.paused_from >= on:
                pause.delete()
            else:
                pause.save(update_fields=["paused_to"])
    return result


@transaction.atomic
def institution_terminate(
    *, institution: Institution, actor, reason: str, on: dt.date | None = None
) -> Institution:
    """Terminate (解除协议) from `on`: the agreements end the day before."""
    on = _today(on)
    result = states.transition(
        institution_id=institution.pk, to=S.TERMINATED, action="terminate", actor=actor, reason=reason, on=on
    )
    for agreement in _live_agreements(institution):
        agreement.state = A.TERMINATED
        agreement.terminated_on = on
        agreement.save(update_fields=["state", "terminated_on"])
    return result


@transaction.atomic
def agreement_set_insurance(*, agreement: Agreement, expires_on: dt.date, actor) -> Agreement:
    """Record a renewed liability insurance (续保): the new expiry must not be earlier than the old one."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.insurance_expires_on and expires_on < agreement.insurance_expires_on:
        raise InstitutionError(
            _("新的责任险到期日%(new)s早于原到期日%(old)s")
            % {"new": expires_on, "old": agreement.insurance_expires_on},
            field="insurance_expires_on",
        )
    agreement.insurance_expires_on = expires_on
    agreement.save(update_fields=["insurance_expires_on"])
    return agreement


def insurance_check(*, on: dt.date | None = None) -> dict[str, int]:
    """Daily: warn LTCI_EXPIRY_WARNING_DAYS (30) days before the liability insurance expires; suspend the day after it expired.

    Safe to run twice: notices are unique per agreement, kind and expiry; suspension is a state move.
    """
    on = _today(on)
    counts = {"warned": 0, "suspended": 0}
    soon = Agreement.objects.filter(
        state=A.ACTIVE,
        insurance_expires_on__gte=on,
        insurance_expires_on__lte=on + dt.timedelta(days=settings.LTCI_EXPIRY_WARNING_DAYS),
    )
    for agreement in soon.select_related("institution"):
        assert agreement.insurance_expires_on is not None  # the filter above
        __, created = InsuranceNotice.objects.get_or_create(
            agreement=agreement,
            kind=InsuranceNotice.Kind.WARNING,
            expires_on=agreement.insurance_expires_on,
            defaults={"created_on": on},
        )
        if created:
            counts["warned"] += 1
            logger.warning(
                "liability insurance of %s expires on %s",
                agreement.institution.code,
                agreement.insurance_expires_on,
            )
    expired = Agreement.objects.in_force(on).filter(state=A.ACTIVE, insurance_expires_on__lt=on)
    for agreement in expired.select_related("institution"):
        assert agreement.insurance_expires_on is not None  # the filter above
        with transaction.atomic():
            institution_suspend(
                institution=agreement.institution,
                actor=None,
                on=on,
                reason=f"第三方责任保险已于{agreement.insurance_expires_on}到期（系统自动暂停）",
            )
            InsuranceNotice.objects.get_or_create(
                agreement=agreement,
                kind=InsuranceNotice.Kind.SUSPENDED,
                expires_on=agreement.insurance_expires_on,
                defaults={"created_on": on},
            )
        counts["suspended"] += 1
        logger.warning(
            "agreement of %s suspended: liability insurance expired on %s",
            agreement.institution.code,
            agreement.insurance_expires_on,
        )
    return counts


def agreements_expire(*, on: dt.date | None = None) -> int:
    """Daily: mark agreements whose term has ended as expired (no state move of the institution)."""
    on = _today(on)
    return Agreement.objects.filter(state=A.ACTIVE, valid_to__lt=on).update(state=A.EXPIRED)
