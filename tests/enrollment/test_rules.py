"""Hand-worked table tests of the contribution conditions (SPEC 3.4)."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from enrollment import rules
from ltci.core.policy import PolicyNotEntered, checked_value

D = dt.date


def facts(spans, years, *, first_year=2022, died_on=None, exemptions=()):
    return rules.Facts(
        died_on=died_on,
        spans=tuple(
            rules.Span(s, e, "enrolled", "", f"CoveragePeriod#{i}") for i, (s, e) in enumerate(spans, 1)
        ),
        years={
            y: rules.YearPaid(y, status, due, paid, f"Contribution#{y}") for y, status, due, paid in years
        },
        first_system_year=first_year,
        waiting_months=lambda day: 6,
        deadline=lambda year: D(year, 1, 31),
        exemptions=tuple(exemptions),
    )


def verdict(f, on):
    return {c.code: (c.passed, c.reason_code) for c in rules.conditions(f, on)}


# A newly insured person enrolled 2024-03-01, paid in full 2024-03-05 -> payable from 2024-09-06.
NEW = facts([(D(2024, 3, 1), None)], [(2024, "paid", D(2024, 3, 31), D(2024, 3, 5))])
# Insured before the system's first year (2022), always on time; 2023 paid on the deadline day.
OLD = facts(
    [(D(2020, 1, 1), None)],
    [(2022, "paid", D(2022, 1, 31), D(2022, 1, 15)), (2023, "paid", D(2023, 1, 31), D(2023, 1, 31))],
)
# Old person, late payer in year 2: 2023 paid on 2023-03-05.
LATE = facts(
    [(D(2020, 1, 1), None)],
    [(2022, "paid", D(2022, 1, 31), D(2022, 1, 15)), (2023, "paid", D(2023, 1, 31), D(2023, 3, 5))],
)


@pytest.mark.parametrize(
    ("f", "on", "expected"),
    [
        (NEW, D(2024, 2, 29), {"covered": (False, "NOT_COVERED")}),
        (NEW, D(2024, 3, 4), {"covered": (True, None), "contribution_paid": (False, "ARREARS")}),
        (NEW, D(2024, 3, 5), {"contribution_paid": (True, None), "waiting_period": (False, "WAITING")}),
        (NEW, D(2024, 9, 5), {"waiting_period": (False, "WAITING")}),  # day before the payable date
        (NEW, D(2024, 9, 6), {"waiting_period": (True, None)}),  # payable date
        # First system year, insured before it: grace until the deadline as if the year before was on time.
        (OLD, D(2022, 1, 5), {"contribution_paid": (True, None), "waiting_period": (True, None)}),
        (OLD, D(2023, 1, 20), {"contribution_paid": (True, None), "waiting_period": (True, None)}),  # grace
        (
            OLD,
            D(2023, 1, 31),
            {"contribution_paid": (True, None), "waiting_period": (True, None)},
        ),  # deadline day
        (LATE, D(2023, 1, 31), {"contribution_paid": (True, None)}),  # still in grace on the deadline day
        (LATE, D(2023, 2, 1), {"contribution_paid": (False, "ARREARS")}),
        (LATE, D(2023, 3, 5), {"contribution_paid": (True, None), "waiting_period": (False, "WAITING")}),
        (LATE, D(2023, 9, 5), {"waiting_period": (False, "WAITING")}),
        (LATE, D(2023, 9, 6), {"waiting_period": (True, None)}),
    ],
)
def test_condition_table(f, on, expected):
    got = verdict(f, on)
    for code, value in expected.items():
        assert got[code] == value, (on, code, rules.conditions(f, on))


def test_payable_date_detail_names_the_payment():
    cond = rules.conditions(NEW, D(2024, 6, 1))[2]
    assert cond.detail == "等待期至 2024-09-05，2024-09-06 起可享受待遇（2024-03-05 缴足）"
    assert cond.record == "Contribution#2024"
    assert rules.payable_from(NEW) == D(2024, 9, 6)
    assert rules.payable_from(OLD) is None


def test_death_day_is_covered_and_the_next_day_not():
    f = facts(
        [(D(2020, 1, 1), None)], [(2022, "paid", D(2022, 1, 31), D(2022, 1, 10))], died_on=D(2022, 5, 10)
    )
    assert verdict(f, D(2022, 5, 10))["covered"] == (True, None)
    assert rules.conditions(f, D(2022, 5, 11))[0].detail == "2022-05-10 死亡"


def test_year_without_contribution_is_arrears_after_the_deadline():
    assert rules.conditions(OLD, D(2024, 2, 1))[1].detail == "2024 年度无缴费记录"
    assert verdict(OLD, D(2024, 1, 15))["contribution_paid"] == (True, None)  # grace: 2023 paid on time


def test_mid_year_enrollee_on_time_within_enrolment_month_still_waits():
    f = facts([(D(2024, 6, 10), None)], [(2024, "paid", D(2024, 6, 30), D(2024, 6, 30))])
    assert verdict(f, D(2024, 12, 30))["waiting_period"] == (False, "WAITING")
    assert rules.payable_from(f) == D(2025, 1, 1)


def test_exemption_follows_the_first_application_date():
    """Seed 001 五(一): 2021年度已经参加我市基本医疗保险并享受待遇的人员,2022年首次申请长护险待遇,不受等待期限制."""
    exemption = [(D(2022, 1, 1), D(2022, 12, 31), D(2022, 1, 1))]

    def enrolled_2021(first_applied_on):
        return dataclasses.replace(
            facts(
                [(D(2021, 11, 15), None)],
                [(2021, "paid", D(2021, 11, 30), D(2021, 11, 20))],
                first_year=2021,
                exemptions=exemption,
            ),
            first_applied_on=first_applied_on,
        )

    applied_2022 = enrolled_2021(D(2022, 1, 10))
    assert rules.conditions(applied_2022, D(2022, 1, 11))[2].passed
    assert rules.payable_from(applied_2022) is None
    applied_2023 = enrolled_2021(D(2023, 1, 10))  # first application after the window: the wait stands
    assert verdict(applied_2023, D(2022, 1, 1))["waiting_period"] == (False, "WAITING")
    assert rules.payable_from(applied_2023) == D(2022, 5, 21)


def test_blocks_priority_and_merging():
    got = rules.blocks(LATE, D(2023, 1, 1), D(2023, 12, 31))
    assert got == [
        (D(2023, 2, 1), D(2023, 3, 4), "ARREARS", "2023 年度缴费至 2023-03-05 才缴足"),
        (
            D(2023, 3, 5),
            D(2023, 9, 5),
            "WAITING",
            "等待期至 2023-09-05，2023-09-06 起可享受待遇（2023-03-05 缴足）",
        ),
    ]
    dead = facts([(D(2020, 1, 1), None)], [], died_on=D(2023, 2, 10))
    assert rules.blocks(dead, D(2023, 2, 1), D(2023, 2, 28)) == [
        (D(2023, 2, 1), D(2023, 2, 10), "ARREARS", "2023 年度无缴费记录"),
        (D(2023, 2, 11), D(2023, 2, 28), "NOT_COVERED", "2023-02-10 死亡"),
    ]


def test_standard_fixed_and_rate_forms():
    fixed = rules.standard_amounts(
        checked_value(
            "contribution_standard",
            "employee",
            {
                "form": "fixed",
                "total": "70.00",
                "individual": "20.00",
                "pooled_fund": "30.00",
                "fiscal": "20.00",
            },
        ),
        name="x",
    )
    assert (fixed.total, fixed.individual, fixed.pooled_fund, fixed.fiscal) == (70, 20, 30, 20)
    rate = rules.standard_amounts(
        checked_value(
            "contribution_standard",
            "employee",
            {"form": "rate", "base": "5000.00", "individual_rate": "0.0025", "employer_rate": "0.0025"},
        ),
        name="x",
    )
    assert (rate.individual, rate.employer, rate.total) == (
        Decimal("12.50"),
        Decimal("12.50"),
        Decimal("25.00"),
    )
    with pytest.raises(PolicyNotEntered, match="standard S has not been entered"):
        rules.standard_amounts(None, name="S")


def test_due_by_for_mid_year_enrollee_is_end_of_enrolment_month():
    assert rules.due_by(year=2026, deadline="01-31", coverage_start=D(2026, 5, 10)) == D(2026, 5, 31)
    assert rules.due_by(year=2026, deadline="01-31", coverage_start=D(2020, 5, 10)) == D(2026, 1, 31)
