"""Fund income entered by staff (SPEC 3.3, 7.3): donations with donor and purpose, interest.

The yearly run books the pooled-fund, fiscal and collective parts itself (run.book_fund_income); these are
the other income lines. Every line is immutable (append-only table) and records who entered it.
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import FundIncome
from ..regions import region_names

MANUAL_SOURCES = (FundIncome.Source.DONATION, FundIncome.Source.INTEREST)


def validate_manual_income(
    *, source: str, amount: Decimal, booked_on: dt.date, donor: str, purpose: str, region_code: str
) -> dict[str, str]:
    """Return {field: reason} for an entered income line (empty when valid)."""
    errors = {}
    if source not in MANUAL_SOURCES:
        errors["source"] = _("只能登记社会捐助或利息；筹资收入由年度批处理入账")
    if amount is None or amount <= 0:
        errors["amount"] = _("金额必须大于0")
    elif not isinstance(exponent := amount.as_tuple().exponent, int) or exponent < -2:  # "F": infinity
        errors["amount"] = _("金额最多两位小数（元，精确到分）")
    if booked_on is None:
        errors["booked_on"] = _("必填")
    if source == FundIncome.Source.DONATION:
        if not (donor or "").strip():
            errors["donor"] = _("社会捐助必须填写捐助方")
        if not (purpose or "").strip():
            errors["purpose"] = _("社会捐助必须填写用途")
    if region_code and region_code not in region_names():
        errors["region_code"] = _("未知地区代码 %(code)s") % {"code": region_code}
    return errors


@transaction.atomic
def fund_income_record(
    *,
    source: str,
    amount: Decimal,
    booked_on: dt.date,
    donor: str = "",
    purpose: str = "",
    region_code: str = "",
    actor=None,
    source_key: str = "",
) -> FundIncome:
    """Book a donation (捐助) or interest line; raise ValidationError naming the field on bad input."""
    errors = validate_manual_income(
        source=source,
        amount=amount,
        booked_on=booked_on,
        donor=donor,
        purpose=purpose,
        region_code=region_code,
    )
    if errors:
        raise ValidationError(errors)
    return FundIncome.objects.create(
        year=booked_on.year,
        source=source,
        region_code=region_code or "",
        headcount=0,
        amount=amount,
        booked_on=booked_on,
        donor=donor.strip(),
        purpose=purpose.strip(),
        source_key=source_key or f"manual:{uuid.uuid4().hex}",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
