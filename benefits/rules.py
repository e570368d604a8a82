"""Pure eligibility rules (SPEC 5.1, 5.2 dates, 7.2 reason codes): no ORM, no I/O.

The per-day verdict combines the person-level conditions 1-5 of SPEC 5.1 in their order; the first failing
condition gives the reason code. Condition 6 (institution agreement, registered bed) is checked per record
by the settlement run and by ``explain``.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from enrollment.rules import ARREARS, NOT_COVERED, WAITING  # conditions 1-2 of SPEC 5.1 are enrollment's

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

# Care forms delivered by an agreement institution (SPEC 5.1 condition 6). home_family includes the
# institution's home visits; remote_cash and daily_allowance are paid to the person.
INSTITUTION_FORMS = frozenset(
    {"residential", "home_visits", "home_family", "home_package_copay", "community", "device", "prevention"}
)
INSTITUTION_REQUIRED_FORMS = frozenset({"residential", "home_visits", "home_family"})


@dataclass(frozen=True)
class Interval:
    """A dated record with inclusive start and end (end None = open)."""

    start: dt.date
    end: dt.date | None
    record_id: int | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


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
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


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
        failures[NOT_COVERED] = f"died on {died_on.isoformat()}"
    for block in blocks:
        if block.start <= day <= block.end and block.reason_code not in failures:
            failures[block.reason_code] = block.detail
    if benefit_class is None:
        failures[NO_CONCLUSION] = "no final conclusion in force"
    elif benefit_class not in covered_classes:
        failures[NO_CONCLUSION] = f"benefit class {benefit_class} is not covered"
    if decision is None:
        failures[NO_DECISION] = "no active benefit decision"
    for admitted_on, discharged_on, hospital in stays:
        if hospital_day(day, admitted_on, discharged_on):
            until = discharged_on.isoformat() if discharged_on else "open"
            failures[HOSPITAL] = f"inpatient in {hospital} from {admitted_on.isoformat()} (discharge {until})"
            break
    for starts_on, ends_on, fund in other_funds:
        if other_fund_day(day, starts_on, ends_on):
            failures[OTHER_FUND] = other_fund_detail(starts_on, ends_on, fund)
            break
    return failures


def other_fund_day(day: dt.date, starts_on: dt.date, ends_on: dt.date | None) -> bool:
    """True when the day is in a period of work-injury or maternity benefits (both dates included)."""
    return starts_on <= day and (ends_on is None or day <= ends_on)


def other_fund_detail(starts_on: dt.date, ends_on: dt.date | None, fund: str) -> str:
    from benefits.models import OtherFundBenefit  # the funds' labels (choices only, no query)

    label = str(dict(OtherFundBenefit.Fund.choices).get(fund, fund))
    return _("%(start)s 至 %(end)s 享受%(fund)s护理待遇") % {
        "fund": label,
        "start": starts_on.isoformat(),
        "end": ends_on.isoformat() if ends_on else _("今"),
    }
