"""The pricing rules the settlement run uses (benefits.payment), with the standards read from the packs.

Worked by hand from seed 001 (徐政办发〔2021〕86号 五(三)) and seed 002 (Nantong's three home benefits). The
run prices bed-days in SQL: tests/settlement/test_differential.py holds that SQL to ``payment.residential``
on random lines.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from benefits import payment
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 5, 1)


def std(*parts):
    return payment.standards_for(*parts, on=ON)


@pytest.mark.parametrize(
    ("klass", "component", "categories", "charges", "expected"),
    [
        # severe life 60 x 70%: 30 days charged 60 -> 1260 / 540.
        ("severe", "life", (), [D("60")] * 30, (D("1800"), D("1260.00"), D("540.00"), D("0"))),
        # a pupil: 75% -> 45 a day.
        ("severe", "life", ("pupil",), [D("60")] * 30, (D("1800"), D("1350.00"), D("450.00"), D("0"))),
        # severe medical 50 x 80%, grade 1-2 disabled: 85% -> 42.50 a day; charges of 70 are cut to the standard.
        (
            "severe",
            "medical",
            ("disabled_severe",),
            [D("70")] * 30,
            (D("2100"), D("1275.00"), D("225.00"), D("600")),
        ),
        # moderate life 45, medical aid recipient 75%: 31 x 45 = 1395 x 0.75 = 1046.25.
        (
            "moderate",
            "life",
            ("medical_aid",),
            [D("45")] * 31,
            (D("1395"), D("1046.25"), D("348.75"), D("0")),
        ),
        # moderate medical 25 x 80%, low income is not a +5 group.
        ("moderate", "medical", ("low_income",), [D("25")] * 10, (D("250"), D("200.00"), D("50.00"), D("0"))),
    ],
)
def test_residential_per_class_component_and_group(xuzhou, klass, component, categories, charges, expected):
    standard = std("residential", klass, component)
    ratio = payment.effective_ratio(
        standard.amount("fund_ratio"), categories=categories, bonus=payment.ratio_bonus(on=ON)
    )
    result = payment.residential(charges, standard_daily=standard.amount("daily"), fund_ratio=ratio)
    assert (result.charged, result.fund, result.personal, result.rejected) == expected


def test_residential_agreed_price_below_the_standard_caps_the_base(xuzhou):
    standard = std("residential", "severe", "life")
    result = payment.residential(
        [D("60")] * 2,
        standard_daily=standard.amount("daily"),
        fund_ratio=standard.amount("fund_ratio"),
        agreed_price=D("50"),
    )
    assert (result.fund, result.personal, result.rejected, result.codes) == (
        D("70.00"),
        D("30.00"),
        D("20"),
        ("OVER_PRICE",),
    )


@pytest.mark.parametrize(
    ("klass", "days", "dim", "charges", "expected"),
    [
        ("severe", 31, 31, [D("100")] * 8, (D("800.00"), D("0.00"), D("0"))),
        ("severe", 31, 31, [D("100")] * 10, (D("900.00"), D("0.00"), D("100"))),
        # 21 eligible days of 31: 900 x 21 / 31 = 609.68; 700 charged -> 90.32 over the limit.
        ("severe", 21, 31, [D("100")] * 7, (D("609.68"), D("0.00"), D("90.32"))),
        ("moderate", 15, 30, [D("100")] * 4, (D("300.00"), D("0.00"), D("100"))),
    ],
)
def test_home_visits_within_the_prorated_monthly_limit(xuzhou, klass, days, dim, charges, expected):
    standard = std("home_visits", klass)
    limit = payment.prorated_limit(standard.amount("monthly_limit"), eligible_days=days, days_in_month=dim)
    result = payment.within_limit(charges, limit=limit, fund_ratio=standard.amount("fund_ratio"))
    assert (result.fund, result.personal, result.rejected) == expected


@pytest.mark.parametrize(
    ("klass", "trained", "days", "dim", "visits", "allowance", "visits_paid"),
    [
        ("severe", True, 31, 31, [D("150")] * 2, D("620.00"), (D("300.00"), D("0"))),
        ("severe", False, 31, 31, [D("200")] * 2, D("496.00"), (D("300.00"), D("100"))),  # 80%: 20 x 31 x 0.8
        # no evidence of training: decision_create records False, paid at 80%
        ("moderate", False, 30, 30, [], D("240.00"), (D("0.00"), D("0"))),
        ("moderate", True, 10, 31, [D("100")] * 2, D("100.00"), (D("96.77"), D("103.23"))),  # 300 x 10 / 31
    ],
)
def test_home_family_allowance_and_visits(xuzhou, klass, trained, days, dim, visits, allowance, visits_paid):
    standard = std("home_family", klass)
    paid = payment.family_allowance(
        daily=standard.amount("daily_allowance"),
        eligible_days=days,
        carer_trained=trained,
        untrained_ratio=standard.amount("untrained_ratio"),
    )
    limit = payment.prorated_limit(
        standard.amount("visits_monthly_limit"), eligible_days=days, days_in_month=dim
    )
    visit_part = payment.within_limit(visits, limit=limit)
    assert (paid.charged, paid.fund, paid.personal, paid.rejected) == (allowance, allowance, 0, 0)
    assert (visit_part.fund, visit_part.rejected) == visits_paid


def test_remote_cash_per_eligible_day(xuzhou):
    severe, moderate = std("remote_cash", "severe"), std("remote_cash", "moderate")
    assert payment.allowance(daily=severe.amount("daily"), eligible_days=31).fund == D("930.00")
    assert payment.allowance(daily=moderate.amount("daily"), eligible_days=12).fund == D("240.00")


def test_nantong_package_daily_allowance_and_devices(load_pack):
    load_pack("nantong")
    # 16 visits x 75 in a full month: person 16 x 5 = 80; fund min(16 x 70, 1100) = 1100; 20 over the limit.
    standard = std("home_package_copay", "severe")
    copay = standard.amount("copay_per_visit")
    package = payment.package_with_copay(
        [D("75")] * 16, limit=standard.amount("monthly_limit"), copay_per_visit=copay
    )
    assert (package.charged, package.fund, package.personal, package.rejected) == (
        D("1200"),
        D("1100"),
        D("80"),
        D("20"),
    )
    # Half a month eligible: limit 550.00; 10 visits x 75: person 50, fund 550, 150 over.
    limit = payment.prorated_limit(standard.amount("monthly_limit"), eligible_days=15, days_in_month=30)
    half = payment.package_with_copay([D("75")] * 10, limit=limit, copay_per_visit=copay)
    assert (half.fund, half.personal, half.rejected) == (D("550.00"), D("50"), D("150.00"))
    daily = std("daily_allowance", "severe").amount("daily")
    assert payment.allowance(daily=daily, eligible_days=30).fund == D("450.00")
    daily = std("daily_allowance", "moderate").amount("daily")
    assert payment.allowance(daily=daily, eligible_days=31).fund == D("248.00")
    # moderate devices: 6000 a year at 8:2; 4000 + 3000 -> base 6000, fund 4800, person 1200, 1000 over.
    moderate = std("device", "moderate")
    device = payment.devices(
        [D("4000"), D("3000")],
        yearly_limit=moderate.amount("yearly_limit"),
        used_this_year=D("0"),
        fund_ratio=moderate.amount("fund_ratio"),
    )
    assert (device.fund, device.personal, device.rejected) == (D("4800.00"), D("1200.00"), D("1000"))
    # severe, 7000 already used this year of 8000: a 2000 rental -> base 1000.
    severe = std("device", "severe")
    later = payment.devices(
        [D("2000")],
        yearly_limit=severe.amount("yearly_limit"),
        used_this_year=D("7000"),
        fund_ratio=severe.amount("fund_ratio"),
    )
    assert (later.fund, later.personal, later.rejected) == (D("800.00"), D("200.00"), D("1000"))


def test_jinjiang_amounts_left_for_staff_stop_the_calculation_naming_the_standard(load_pack):
    load_pack("jinjiang-2023")
    for parts in (
        ("residential", "severe", "life"),
        ("community", "severe"),
        ("community", "moderate"),
        ("home_visits", "moderate"),
        ("device", "severe"),
        ("device", "moderate"),
        ("prevention", "mild"),
    ):
        with pytest.raises(PolicyNotEntered, match=":".join(parts).replace("|", "")):
            std(*parts)
    with pytest.raises(NoPolicyInForce, match=r"'payment_standard' \[remote_cash:severe\]"):
        std("remote_cash", "severe")  # not a Jinjiang form: never falls back to another standard
    with pytest.raises(NoPolicyInForce, match="no policy in force"):
        payment.standards_for("residential", "severe", "life", on=dt.date(2026, 4, 1))  # after the pack's end
