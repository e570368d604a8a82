"""Relief decided case by case (一事一议, seed 003 (六)): who may receive it is policy data (`relief`)."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from ltci.core.policy import NoPolicyInForce, PolicyNotEntered, policy_in_force

from .decisions import DecisionError


def relief_refusal(*, person, month: dt.date, amount: Decimal | None) -> DecisionError | None:
    """The reason a relief grant cannot be recorded for the person and month, or None."""
    if amount is not None and amount <= 0:
        return DecisionError(_("救助金额必须大于 0"), field="amount")
    try:
        categories = set(policy_in_force("relief", on=month.replace(day=1))["categories"])
    except (NoPolicyInForce, PolicyNotEntered):
        return DecisionError(
            _("%(month)s 的政策没有一事一议临时救助") % {"month": f"{month:%Y-%m}"}, field="month"
        )
    if not categories & set(person.categories or ()):
        return DecisionError(
            _("参保人不属于可申请临时救助的困难人员类别（%(categories)s）")
            % {"categories": ", ".join(sorted(categories))},
            field="person",
        )
    return None
