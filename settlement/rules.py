"""Pure settlement rules (SPEC 7.2): reason codes and texts, record-to-form matching, double care."""

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from benefits.rules import (  # noqa: F401 (the eligibility codes of SPEC 5.1, read here by the settlement)
    ALLOWANCE,
    ARREARS,
    BED,
    ELIGIBILITY_REASON_TEXT,
    FORM_NOT_AGREED,
    HOSPITAL,
    NO_CONCLUSION,
    NO_DECISION,
    NOT_COVERED,
    REASON_ORDER,  # the order of SPEC 5.1, read by the unpaid allowance lines
    WAITING,
    first_failure,
    paid_as,
)
from institutions.rules import agreement_covers  # noqa: F401 (the agreement rule lives with agreements)
from ltci.core.formatting import EMPTY, coded

if TYPE_CHECKING:
    from benefits.eligibility import DayVerdict

DOUBLE_CARE = "DOUBLE_CARE"
DUPLICATE = "DUPLICATE"
CAREGIVER = "CAREGIVER"
OVER_LIMIT = "OVER_LIMIT"
OVER_PRICE = "OVER_PRICE"

REASON_TEXT = {
    **ELIGIBILITY_REASON_TEXT,  # conditions 1-6 of SPEC 5.1, told where eligibility is decided
    DOUBLE_CARE: gettext_lazy("当日已由其他机构或其他护理形式支付"),
    DUPLICATE: gettext_lazy("重复记录"),
    CAREGIVER: gettext_lazy("护理人员未在机构备案或上门服务时间重叠"),
    OVER_LIMIT: gettext_lazy("超出月度（年度）限额部分"),
    OVER_PRICE: gettext_lazy("超出协议价格或支付标准部分"),
    "EXCLUDED_THIRD_PARTY": gettext_lazy("依法应由第三人承担"),
    "EXCLUDED_PUBLIC_HEALTH": gettext_lazy("应由公共卫生负担"),
    "EXCLUDED_ABROAD": gettext_lazy("在境外发生"),
    "EXCLUDED_LAW": gettext_lazy("法律法规规定不予支付"),
}

# Care forms whose services an institution delivers at home (home visits of SPEC 5.2 B and C).
VISIT_FORMS = frozenset({"home_visits", "home_family", "home_package_copay", "community", "prevention"})
# The care forms of which an agreement must cover at least one for a record kind to be submitted (SPEC 7.1);
# which visit form applies to a person is the month's audit's question (FORM_NOT_AGREED).
ENTRY_FORMS = {
    "bed_day": frozenset({"residential"}),
    "home_visit": VISIT_FORMS,
    "device": frozenset({"device"}),
}


def allowance_forms_held(verdict: "DayVerdict") -> list[str]:
    """The allowance forms of the day's decision: its form and the forms held together with it (SPEC 5.1(4),
    the pack's combined_forms)."""
    return [f for f in (verdict.care_form, *verdict.also_forms) if f is not None and paid_as(ALLOWANCE, f)]


def allowance_forms(verdict: "DayVerdict") -> list[str]:
    """The allowance forms paid to the person for the day of an eligibility verdict: none when the allowance
    is refused (``allowance_refusal``), else every allowance form the decision holds that day."""
    return [] if allowance_refusal(verdict) else allowance_forms_held(verdict)


def reason_text(code: str) -> str:
    return str(REASON_TEXT.get(code, code))


def reasons_label(codes: Iterable[str]) -> str:
    """Reason codes as staff pages show them, each by its text with the code: 超出月度（年度）限额部分（OVER_LIMIT）."""
    return "；".join(coded(code, reason_text(code)) for code in codes) or EMPTY


def codes_text(codes: Iterable[str]) -> str:
    """The reasons of a line for the statement PDF: Chinese whatever the user's language (documents are)."""
    with translation.override(settings.LANGUAGE_CODE):
        return "；".join(f"{c} {reason_text(c)}" for c in codes)


def allowance_refusal(verdict: "DayVerdict") -> str | None:
    """Why no allowance is paid to the person for the day of an eligibility verdict (a SPEC 7.2 code), or
    None when it is paid: the first failing condition 1-5, else no decision of an allowance form. Condition 6
    never applies to an allowance (``benefits.rules.agreement_applies``): the family-care allowance of
    option B2 is paid after the visiting institution's agreement has ended.
    """
    failures: dict[str, str] = {}
    if not verdict.eligible:
        failures[verdict.reason_code or NOT_COVERED] = verdict.detail
    if not allowance_forms_held(verdict):
        failures[NO_DECISION] = "no allowance decision"  # condition 4, before a hospital stay (5)
    return first_failure(failures)[0]


def record_matches_form(kind: str, care_form: str | None) -> bool:
    """True when a record of this kind is a service of the decision's care form (SPEC 7.2 NO_DECISION)."""
    if care_form is None:
        return False
    if kind == "bed_day":
        return care_form == "residential"
    if kind == "home_visit":
        return care_form in VISIT_FORMS
    return care_form == "device"  # a device beside another form: only where the policy combines them


def default_form(kind: str, care_form: str | None) -> str:
    """The care form a record's line is filed under when the record does not match the decision."""
    if kind == "bed_day":
        return "residential"
    if kind == "device":
        return "device"
    return care_form if care_form in VISIT_FORMS else "home_visits"


def is_double_care(kind: str, institution_id: int, paid: Iterable[tuple[int | None, str]]) -> bool:
    """True when something else is paid for the person that day: another institution's accepted record,
    or another care form (a bed-day beside visits, any service beside a cash allowance)."""
    for other_institution, other_form in paid:
        if other_institution is not None and other_institution != institution_id:
            return True
        if kind == "bed_day" and other_form != "residential":
            return True
        if kind == "home_visit" and other_form not in VISIT_FORMS:
            return True
    return False


def times_overlap(
    start: dt.datetime, end: dt.datetime, other_start: dt.datetime, other_end: dt.datetime
) -> bool:
    """True when two visits share a moment; one ending when the other starts does not overlap (SPEC 7.1)."""
    return start < other_end and other_start < end


# Bank accounts (issue 19). Chinese account numbers are digits only; CNAPS carries at most 32. A number of
# 16-19 digits is read as a bank card (借记卡, the social-security card's bank side), whose last digit is a Luhn
# check digit; passbook and corporate (对公) accounts have other lengths or no check digit (docs/decisions.md).
ACCOUNT_DIGITS = (8, 32)
CARD_DIGITS = (16, 19)


def luhn_valid(number: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check of card numbers (ISO/IEC 7812)."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def account_number_problem(number: str, *, card_check: bool) -> str | None:
    """Why an account number cannot be paid to, or None. ``card_check``: a 16-19 digit number is a card
    (persons' accounts; an institution's corporate account is never a card)."""
    if not number.isascii() or not number.isdigit():
        return gettext("账号只能由数字组成（填写的是 %(no)s）") % {"no": number}
    low, high = ACCOUNT_DIGITS
    if not low <= len(number) <= high:
        return gettext("账号应为 %(low)s 至 %(high)s 位数字（填写的有 %(n)s 位）") % {
            "low": low,
            "high": high,
            "n": len(number),
        }
    if card_check and CARD_DIGITS[0] <= len(number) <= CARD_DIGITS[1] and not luhn_valid(number):
        return gettext("银行卡号校验位不正确（Luhn 校验未通过），请核对卡号")
    return None


def same_name(a: str, b: str) -> bool:
    """Names as a bank compares holders: spaces ignored, the middle dots of minority names unified."""

    def norm(name: str) -> str:
        for dot in ("・", "•", "．", "."):
            name = name.replace(dot, "·")
        return "".join(name.split()).casefold()

    return bool(a.strip()) and norm(a) == norm(b)
