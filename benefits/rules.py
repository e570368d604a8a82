"""Pure eligibility rules (SPEC 5.1, 5.2 dates, 7.2 reason codes): no ORM, no I/O.

The per-day verdict combines the person-level conditions 1-5 of SPEC 5.1 in their order; the first failing
condition gives the reason code. Condition 6 (institution agreement, registered bed) is checked per record
by the settlement run and by ``explain``.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.rules import ARREARS, NOT_COVERED, WAITING  # conditions 1-2 of SPEC 5.1 are enrollment's
from ltci.core.dates import in_period

# SPEC 7.2 codes of the person-level conditions, in the order of SPEC 5.1.
NO_CONCLUSION = "NO_CONCLUSION"
NO_DECISION = "NO_DECISION"
HOSPITAL = "HOSPITAL"
OTHER_FUND = (
    "EXCLUDED_OTHER_FUND"  # condition 5's second half: work-injury or maternity benefits (SPEC 5.3 code)
)
FORM_NOT_AGREED = "FORM_NOT_AGREED"
BED = "BED"
REASON_ORDER = (NOT_COVERED, ARREARS, WAITING, NO_CONCLUSION, NO_DECISION, HOSPITAL, OTHER_FUND)
# What each eligibility code means (SPEC 7.2's texts; the settlement's table adds its own codes to these).
ELIGIBILITY_REASON_TEXT = {
    NOT_COVERED: gettext_lazy("当日未参保或参保人已死亡"),
    ARREARS: gettext_lazy("当年度个人缴费未足额缴纳（欠费）"),
    WAITING: gettext_lazy("处于待遇等待期内"),
    NO_CONCLUSION: gettext_lazy("无有效的失能评估结论（或等级不在保障范围）"),
    NO_DECISION: gettext_lazy("无该护理形式和机构的有效待遇核定"),
    HOSPITAL: gettext_lazy("当日住院"),
    OTHER_FUND: gettext_lazy("应由其他社会保险基金支付"),
    FORM_NOT_AGREED: gettext_lazy("护理形式或服务内容不在机构有效协议范围内"),
    BED: gettext_lazy("床位未备案或当日超出备案床位数"),
}
# The names of the conditions ``explain`` returns (SPEC 5.1; condition 2 is two checks).
CONDITION_TITLES = {
    "covered": gettext_lazy("参保状态"),
    "contribution_paid": gettext_lazy("年度缴费"),
    "waiting_period": gettext_lazy("等待期"),
    "conclusion": gettext_lazy("失能评估结论"),
    "decision": gettext_lazy("待遇核定"),
    "not_in_hospital": gettext_lazy("非住院及其他基金"),
    "agreement": gettext_lazy("协议机构与护理形式"),
}

# Care forms delivered by an agreement institution (SPEC 5.1 condition 6). home_family includes the
# institution's home visits; remote_cash and daily_allowance are paid to the person.
INSTITUTION_FORMS = frozenset(
    {"residential", "home_visits", "home_family", "home_package_copay", "community", "device", "prevention"}
)
INSTITUTION_REQUIRED_FORMS = frozenset({"residential", "home_visits", "home_family"})
# Forms granted case by case (一事一议, benefits.models.ReliefGrant), never by a benefit decision.
CASE_BY_CASE_FORMS = frozenset({"relief"})

# What is paid for a day of care: an institution's service (a bed-day, visit or device record) or an
# allowance paid to the person for the eligible day without records (SPEC 5.2, 7.2 payouts).
SERVICE = "service"
ALLOWANCE = "allowance"
KINDS = (SERVICE, ALLOWANCE)
# Forms paid to the person per eligible day (SPEC 5.2): the family-care allowance of option B2 (whose
# visits are services), the remote cash allowance and Nantong's daily allowance.
ALLOWANCE_FORMS = ("home_family", "remote_cash", "daily_allowance")


def default_kind(care_form: str | None) -> str:
    """What a care form pays when the question does not say: an allowance for the forms paid only to the
    person, else the institution's services (for home_family: its visits)."""
    if care_form in ALLOWANCE_FORMS and care_form not in INSTITUTION_FORMS:
        return ALLOWANCE
    return SERVICE


def agreement_applies(care_form: str, kind: str) -> bool:
    """True when SPEC 5.1 condition 6 (the institution's agreement covers the form, the registered bed)
    applies to this care: care by an institution, i.e. the services of an institution form. An allowance
    paid to the person is never care by an institution: the family-care allowance of option B2 is paid for
    the family's care, whatever the agreement of the institution making the B2 visits (seed 001 五(二)2 and
    五(三)2; SPEC 5.2 B). The one definition: the explanation asks it; the settlement audits condition 6 on
    every record (services) and on no allowance.
    """
    return kind == SERVICE and care_form in INSTITUTION_FORMS


def paid_as(kind: str, care_form: str) -> bool:
    """True when the care form pays this kind of care: every form pays services except the allowance-only
    forms; only the allowance forms pay an allowance (SPEC 5.2)."""
    if kind == ALLOWANCE:
        return care_form in ALLOWANCE_FORMS
    return care_form in INSTITUTION_FORMS


@dataclass(frozen=True)
class DecisionView:
    """The parts of a benefit decision the verdict needs."""

    id: int
    starts_on: dt.date
    ends_on: dt.date | None
    care_form: str
    institution_id: int | None
    carer_trained: bool | None

    def covers(self, day: dt.date) -> bool:
        return in_period(day, self.starts_on, self.ends_on)


@dataclass(frozen=True)
class Block:
    """A non-payable interval from enrollment (coverage, arrears, waiting), inclusive of both ends."""

    start: dt.date
    end: dt.date
    reason_code: str
    detail: str


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Return every day from start to end inclusive."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def hospital_day(day: dt.date, admitted_on: dt.date, discharged_on: dt.date | None) -> bool:
    """True when the day is non-payable for a hospital stay: admitted_on .. discharged_on - 1 (SPEC 5.2 dates).

    The discharge day is payable again; an open stay (no discharge yet) covers every later day.
    """
    return admitted_on <= day and (discharged_on is None or day < discharged_on)


def dead_on(day: dt.date, died_on: dt.date | None) -> bool:
    """True when the person has died before the day; the day of death itself is still covered."""
    return died_on is not None and day > died_on


def decision_on(day: dt.date, decisions: Iterable[DecisionView]) -> DecisionView | None:
    """Return the decision in force on the day (decisions never overlap: SPEC 5.4)."""
    for decision in decisions:
        if decision.covers(day):
            return decision
    return None


def first_failure(failures: dict[str, str]) -> tuple[str | None, str]:
    """Return (reason_code, detail) of the first failing condition in SPEC 5.1 order, or (None, "")."""
    for code in REASON_ORDER:
        if code in failures:
            return code, failures[code]
    return None, ""


def day_failures(
    *,
    day: dt.date,
    died_on: dt.date | None,
    blocks: Sequence[Block],
    benefit_class: str | None,
    covered_classes: frozenset[str] | set[str],
    decision: DecisionView | None,
    stays: Sequence[tuple[dt.date, dt.date | None, str]],
    other_funds: Sequence[tuple[dt.date, dt.date | None, str]] = (),
) -> dict[str, str]:
    """Return {reason_code: detail} of every person-level condition failing on the day (SPEC 5.1 1-5).

    ``stays`` are (admitted_on, discharged_on, hospital); ``other_funds`` (starts_on, ends_on, fund) the
    periods of work-injury or maternity benefits.
    """
    failures: dict[str, str] = {}
    if died_on is not None and dead_on(day, died_on):
        failures[NOT_COVERED] = _("%(date)s 死亡") % {"date": died_on.isoformat()}
    for block in blocks:
        if block.start <= day <= block.end and block.reason_code not in failures:
            failures[block.reason_code] = block.detail
    if benefit_class is None:
        failures[NO_CONCLUSION] = _("无有效的失能评估结论")
    elif benefit_class not in covered_classes:
        failures[NO_CONCLUSION] = _("失能类别（%(benefit_class)s）不在保障范围") % {
            "benefit_class": benefit_class
        }
    if decision is None:
        failures[NO_DECISION] = _("无有效的待遇核定")
    for admitted_on, discharged_on, hospital in stays:
        if hospital_day(day, admitted_on, discharged_on):
            until = discharged_on.isoformat() if discharged_on else _("未出院")
            failures[HOSPITAL] = _("%(start)s 起在%(hospital)s住院（出院：%(until)s）") % {
                "hospital": hospital,
                "start": admitted_on.isoformat(),
                "until": until,
            }
            break
    for starts_on, ends_on, fund in other_funds:
        if other_fund_day(day, starts_on, ends_on):
            failures[OTHER_FUND] = other_fund_detail(starts_on, ends_on, fund)
            break
    return failures


def other_fund_day(day: dt.date, starts_on: dt.date, ends_on: dt.date | None) -> bool:
    """True when the day is in a period of work-injury or maternity benefits (both dates included)."""
    return in_period(day, starts_on, ends_on)


def other_fund_detail(starts_on: dt.date, ends_on: dt.date | None, fund: str) -> str:
    from benefits.models import OtherFundBenefit  # the funds' labels (choices only, no query)

    label = str(dict(OtherFundBenefit.Fund.choices).get(fund, fund))
    return _("%(start)s 至 %(end)s 享受%(fund)s护理待遇") % {
        "fund": label,
        "start": starts_on.isoformat(),
        "end": ends_on.isoformat() if ends_on else _("今"),
    }
