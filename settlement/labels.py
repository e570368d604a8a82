"""Codes the settlement writes, as the office reads them (issue 16): the fund ledger's, a line's details.

The ledger triggers (services/fund.py, SOURCES) write a posting's source, reference and memo as codes
(``contribution``, ``contribution_tx:29``, ``account_transfer 2025``): they are frozen in a migration and
compared with the sources by a test, so they stay codes in the table and are labelled here, when shown.
"""

from django.utils.translation import gettext_lazy as _

from assessment.models import AssessmentFee
from benefits.models import BenefitClass
from enrollment.models import ContributionTransaction, FundIncome
from ltci.core.formatting import EMPTY, coded, money

from .rules import reason_text

# LedgerEntry.source, one per kind of source record (services/fund.py SOURCES)
SOURCE_LABELS = {
    "fund_income": _("基金收入"),
    "contribution": _("个人缴费"),
    "settlement": _("结算"),
    "assessment": _("评估"),
    "handling_fee": _("经办及其他业务费用"),
    "reserve": _("调剂金"),
}
# LedgerEntry.reference is "<kind>:<id of the source record>"
REFERENCE_LABELS = {
    "fund_income": _("基金收入"),
    "contribution_tx": _("缴费交易"),
    "statement": _("结算单"),
    "recovery": _("追回"),
    "payout": _("个人补助"),
    "assessment_fee": _("评估费"),
    "deposit_kept": _("扣留保证金"),
    "handling_fee": _("经办及其他业务费用"),
    "reserve": _("调剂金"),
}
# The codes a memo names, by the posting's source: the income's source, the transaction's kind, the fee's kind
MEMO_CODES = {
    "fund_income": FundIncome.Source.choices,
    "contribution": ContributionTransaction.Kind.choices,
    "assessment": AssessmentFee.Kind.choices,
}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source)) if source else EMPTY


def reference_label(reference: str) -> str:
    """contribution_tx:29 -> 缴费交易 29."""
    kind, _sep, number = reference.partition(":")
    label = REFERENCE_LABELS.get(kind)
    return f"{label} {number}" if label is not None and number else reference


def memo_label(source: str, memo: str) -> str:
    """The memo with each code it names by its label: "account_transfer 2025" -> "个人账户划转 2025"."""
    if not memo:
        return EMPTY
    labels = {code: str(label) for code, label in MEMO_CODES.get(source, ())}
    return " ".join(labels.get(word, word) for word in memo.split(" "))


def line_details(details: dict | None) -> str:
    """A settlement line's details (written by the run as JSON) in words: the days paid per class, the
    relief approvals, the unpaid days per reason, the appeal or correction the line settles."""
    if not details:
        return EMPTY
    classes = dict(BenefitClass.choices)
    said = []
    for part in details.get("parts", []):
        text = _("%(class)s %(days)s天 %(amount)s") % {
            "class": classes.get(part.get("class"), part.get("class") or EMPTY),
            "days": part.get("days"),
            "amount": money(part.get("amount")),
        }
        if part.get("carer_trained") is not None:
            text += "（%s）" % (_("护理人员经培训") if part["carer_trained"] else _("护理人员未经培训"))
        said.append(text)
    for grant in details.get("grants", []):
        said.append(
            _("救助批准 %(no)s %(amount)s")
            % {"no": grant.get("approval_no"), "amount": money(grant.get("amount"))}
        )
    for code, days in (details.get("unpaid_days") or {}).items():
        said.append(_("%(reason)s %(days)s天") % {"reason": coded(code, reason_text(code)), "days": days})
    if "appeal" in details:
        said.append(_("申诉 %(id)s") % {"id": details["appeal"]})
    if "correction" in details:
        said.append(_("更正 %(id)s") % {"id": details["correction"]})
    return "；".join(str(s) for s in said) or EMPTY
