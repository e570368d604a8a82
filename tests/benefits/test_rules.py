"""Hand-worked tables for the per-day eligibility rules (SPEC 5.1, 5.2 dates, 7.2 codes)."""

import datetime as dt

import pytest

from benefits import rules
from benefits.rules import Block, DecisionView

D = dt.date
COVERED = frozenset({"severe", "moderate"})
DECISION = DecisionView(
    id=1,
    starts_on=D(2024, 3, 1),
    ends_on=D(2024, 3, 20),
    care_form="home_family",
    institution_id=None,
    carer_trained=True,
)


@pytest.mark.parametrize(
    ("day", "admitted", "discharged", "expected"),
    [
        (D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 9), False),  # before admission
        (D(2024, 3, 5), D(2024, 3, 5), D(2024, 3, 9), True),  # admission day is not payable
        (D(2024, 3, 8), D(2024, 3, 5), D(2024, 3, 9), True),  # day before discharge
        (D(2024, 3, 9), D(2024, 3, 5), D(2024, 3, 9), False),  # discharge day payable again
        (D(2024, 3, 5), D(2024, 3, 5), D(2024, 3, 5), False),  # same-day discharge: nothing excluded
        (D(2025, 1, 1), D(2024, 3, 5), None, True),  # open stay covers every later day
    ],
)
def test_hospital_day_runs_from_admission_to_day_before_discharge(day, admitted, discharged, expected):
    assert rules.hospital_day(day, admitted, discharged) is expected


def test_day_of_death_is_still_covered_and_the_next_day_is_not():
    assert rules.dead_on(D(2024, 3, 10), D(2024, 3, 10)) is False
    assert rules.dead_on(D(2024, 3, 11), D(2024, 3, 10)) is True
    assert rules.dead_on(D(2024, 3, 11), None) is False


def _verdict(day, *, died_on=None, blocks=(), benefit_class="severe", decision=DECISION, stays=()):
    failures = rules.day_failures(
        day=day,
        died_on=died_on,
        blocks=list(blocks),
        benefit_class=benefit_class,
        covered_classes=COVERED,
        decision=decision if decision and decision.covers(day) else None,
        stays=list(stays),
    )
    return rules.first_failure(failures)[0]


ARREARS_BLOCK = Block(D(2024, 3, 1), D(2024, 3, 31), "ARREARS", "2024 contribution in arrears")
WAITING_BLOCK = Block(D(2024, 3, 1), D(2024, 3, 5), "WAITING", "waiting period until 2024-03-05")
NOT_COVERED_BLOCK = Block(D(2024, 3, 15), D(2024, 3, 31), "NOT_COVERED", "coverage ended 2024-03-14")
STAY = (D(2024, 3, 10), D(2024, 3, 12), "市一院")


@pytest.mark.parametrize(
    ("day", "kwargs", "expected"),
    [
        (D(2024, 3, 8), {}, None),  # everything holds
        (D(2024, 3, 21), {}, "NO_DECISION"),  # decision ended on the 20th
        (D(2024, 3, 20), {}, None),  # decision end day included
        (D(2024, 3, 8), {"benefit_class": None}, "NO_CONCLUSION"),
        (D(2024, 3, 8), {"benefit_class": "mild"}, "NO_CONCLUSION"),  # mild not covered
        (D(2024, 3, 8), {"blocks": [ARREARS_BLOCK]}, "ARREARS"),
        (
            D(2024, 3, 3),
            {"blocks": [ARREARS_BLOCK, WAITING_BLOCK]},
            "ARREARS",
        ),  # order: arrears before waiting
        (D(2024, 3, 3), {"blocks": [WAITING_BLOCK]}, "WAITING"),
        (D(2024, 3, 6), {"blocks": [WAITING_BLOCK]}, None),  # block end is inclusive
        (D(2024, 3, 10), {"stays": [STAY]}, "HOSPITAL"),
        (D(2024, 3, 11), {"stays": [STAY]}, "HOSPITAL"),
        (D(2024, 3, 12), {"stays": [STAY]}, None),  # discharge day
        (D(2024, 3, 10), {"stays": [STAY], "benefit_class": None}, "NO_CONCLUSION"),  # earlier condition wins
        (D(2024, 3, 16), {"blocks": [NOT_COVERED_BLOCK, ARREARS_BLOCK]}, "NOT_COVERED"),
        (D(2024, 3, 10), {"died_on": D(2024, 3, 10)}, None),  # the day of death is payable
        (D(2024, 3, 11), {"died_on": D(2024, 3, 10)}, "NOT_COVERED"),
        (D(2024, 3, 11), {"died_on": D(2024, 3, 10), "decision": None}, "NOT_COVERED"),
    ],
)
def test_first_failing_condition_gives_the_reason_code(day, kwargs, expected):
    assert _verdict(day, **kwargs) == expected


def test_decision_on_picks_the_decision_covering_the_day():
    later = DecisionView(
        id=2,
        starts_on=D(2024, 3, 21),
        ends_on=None,
        care_form="residential",
        institution_id=7,
        carer_trained=None,
    )
    assert rules.decision_on(D(2024, 3, 20), [DECISION, later]).id == 1
    assert rules.decision_on(D(2024, 3, 21), [DECISION, later]).id == 2
    assert rules.decision_on(D(2024, 2, 29), [DECISION, later]) is None


def test_days_lists_the_range_inclusive():
    assert rules.days(D(2024, 2, 27), D(2024, 3, 1)) == [
        D(2024, 2, 27),
        D(2024, 2, 28),
        D(2024, 2, 29),
        D(2024, 3, 1),
    ]
