"""Personal service packages (服务包, seed 001 五(二)1): filed per resident within the payment standard."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from ltci.core.policy import PolicyError

from .decisions import DecisionError


def package_refusal(*, decision, filed_on: dt.date, daily_amount: Decimal | None) -> DecisionError | None:
    """The reason a package cannot be filed for the decision, or None: a residential decision in force on the
    filing day, and a daily amount within the residential standards of its class (life care, plus medical
    care in a medical institution) in force that day."""
    from benefits.payment import standards_for

    if decision.care_form != "residential" or decision.institution_id is None:
        return DecisionError(_("服务包只为入住协议机构的参保人备案"), field="decision")
    if filed_on < decision.starts_on or (decision.ends_on is not None and filed_on > decision.ends_on):
        return DecisionError(_("备案日期不在待遇核定期间内"), field="filed_on")
    if daily_amount is None:
        return None
    components = ["life", "medical"] if decision.institution.type == "medical" else ["life"]
    try:
        limit = sum(
            (
                standards_for("residential", decision.benefit_class, c, on=filed_on).amount("daily")
                for c in components
            ),
            Decimal(0),
        )
    except PolicyError as exc:
        return DecisionError(str(exc), field="daily_amount")
    if daily_amount > limit:
        return DecisionError(
            _("服务包标准 %(amount)s 元/天超出支付标准 %(limit)s 元/天")
            % {"amount": daily_amount, "limit": limit},
            field="daily_amount",
        )
    return None
