"""Assessment fees by policy (SPEC 4.3), one row per application for the fund ledger."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.dates import display_date
from ltci.core.money import fen
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered, policy_record, record_value

from ..models import Application, AssessmentFee
from ..rules import fee_kind_and_payer
from .conclusions import AssessmentError

KIND_NAMES = {
    "first": gettext_lazy("首次评估"),
    "office_ordered": gettext_lazy("经办机构组织的评估"),
    "review": gettext_lazy("申请复核"),
}


def fee_record(
    *,
    application: Application,
    on: dt.date,
    review_grade: int | None = None,
    original_grade: int | None = None,
) -> AssessmentFee:
    """Record the application's fee from the `assessment_fee` policy in force on ``on`` (idempotent)."""
    existing = AssessmentFee.objects.filter(application=application).first()
    if existing is not None:
        return existing
    kind, payer = fee_kind_and_payer(
        application_kind=application.kind, review_grade=review_grade, original_grade=original_grade
    )
    try:
        record = policy_record("assessment_fee", key=kind, on=on)
        amount = fen(record_value(record)["amount"])
    except PolicyNotEntered:
        raise AssessmentError(
            _(
                "评估费标准（%(kind_name)s）尚未录入：请先在“政策参数”中录入 assessment_fee [%(kind)s] 后再办结。"
            )
            % {"kind_name": KIND_NAMES[kind], "kind": kind}
        ) from None
    except NoPolicyInForce:
        raise AssessmentError(
            _("%(on)s没有有效的评估费标准（%(kind_name)s）。")
            % {"on": display_date(on), "kind_name": KIND_NAMES[kind]}
        ) from None
    assert application.agency is not None  # a fee is recorded once an agency has assessed
    return AssessmentFee.objects.create(
        application=application,
        agency=application.agency,
        kind=kind,
        payer=payer,
        amount=amount,
        incurred_on=on,
        region_code=application.person.region_code,
        policy_record=record,
    )
