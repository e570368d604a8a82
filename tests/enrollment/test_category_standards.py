"""Category-specific contribution standards (SPEC 3.2: per year, insurance type and optionally category)."""

import datetime as dt
from decimal import Decimal

import pytest

from enrollment.imports import import_payments
from enrollment.models import Contribution, FundIncome
from enrollment.services.run import contribution_run_year
from ltci.core.models import PolicyRecord
from ltci.core.policy import PolicyError, PolicyNotEntered

from .conftest import nid

PAY = "national_id,year,amount,paid_on,channel,payer_national_id\n"


def add_standard(scheme, key, value, valid_from=dt.date(2022, 1, 1)):
    return PolicyRecord.objects.create(
        scheme=scheme, kind="contribution_standard", key=key, valid_from=valid_from, value=value
    )


@pytest.fixture
def people(roster):
    roster(
        f"{nid(1)},甲,resident,320302,2022-01-01,pupil,false,,",
        f"{nid(3)},乙,resident,320302,2022-01-01,,false,,",
        f"{nid(5)},丙,resident,320302,2022-01-01,preschool;pupil,false,,",
        f"{nid(7)},丁,employee,320302,2022-01-01,pupil,false,,",
    )


def by_name(year=2026):
    return {c.person.name: c for c in Contribution.objects.select_related("person").filter(year=year)}


def test_category_standard_applies_to_its_type_and_category_only(xuzhou, people):
    add_standard(
        xuzhou,
        "resident:pupil",
        {"form": "fixed", "total": "50.00", "individual": "10.00", "pooled_fund": "30.00", "fiscal": "10.00"},
    )
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    c = by_name()
    assert (c["甲"].total_amount, c["甲"].individual_amount, c["甲"].fiscal_amount) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("10.00"),
    )
    assert c["甲"].policy_record.key == "resident:pupil"
    assert c["乙"].total_amount == Decimal("70.00")  # no category: the type's standard
    assert c["丁"].total_amount == Decimal("70.00")  # employee pupil: no employee:pupil standard
    fiscal = FundIncome.objects.get(source="fiscal_city", region_code="320302")
    assert fiscal.amount == fen_half(Decimal("20.00") * 2 + Decimal("10.00") * 2)


def fen_half(total):
    return (total / 2).quantize(Decimal("0.01"))


def test_person_in_two_categories_gets_the_first_in_spec_order(xuzhou, people):
    add_standard(
        xuzhou,
        "resident:pupil",
        {"form": "fixed", "total": "50.00", "individual": "10.00", "pooled_fund": "30.00", "fiscal": "10.00"},
    )
    add_standard(
        xuzhou,
        "resident:preschool",
        {"form": "fixed", "total": "40.00", "individual": "0.00", "pooled_fund": "30.00", "fiscal": "10.00"},
    )
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    # SPEC 11.10 lists pupil before preschool.
    assert by_name()["丙"].total_amount == Decimal("50.00")


def test_category_standard_only_in_its_validity(xuzhou, people):
    add_standard(
        xuzhou,
        "resident:pupil",
        {"form": "fixed", "total": "50.00", "individual": "10.00", "pooled_fund": "30.00", "fiscal": "10.00"},
        valid_from=dt.date(2027, 1, 1),
    )
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    assert by_name()["甲"].total_amount == Decimal("70.00")


def test_category_standard_left_for_staff_stops_the_run(xuzhou, people):
    add_standard(xuzhou, "resident:pupil", None)
    with pytest.raises(PolicyNotEntered, match=r"\[resident:pupil\]"):
        contribution_run_year(year=2026)
    assert not Contribution.objects.exists()


def test_unknown_category_in_a_standard_key_is_an_error(xuzhou, people):
    add_standard(xuzhou, "resident:rich", {"form": "fixed", "total": "1.00", "individual": "1.00"})
    with pytest.raises(PolicyError, match="unknown person category 'rich'"):
        contribution_run_year(year=2026)


def test_payment_before_the_run_uses_the_category_standard(xuzhou, people):
    add_standard(
        xuzhou,
        "resident:pupil",
        {"form": "fixed", "total": "50.00", "individual": "10.00", "pooled_fund": "30.00", "fiscal": "10.00"},
    )
    report = import_payments(
        content=(PAY + f"{nid(1)},2026,10.00,2026-01-10,resident_premium,\n").encode(), filename="p.csv"
    )
    assert report.errors == []
    c = Contribution.objects.get()
    assert (c.individual_amount, c.status, c.fully_paid_on) == (
        Decimal("10.00"),
        "paid",
        dt.date(2026, 1, 10),
    )
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    assert Contribution.objects.get(person__name="甲").total_amount == Decimal("50.00")
