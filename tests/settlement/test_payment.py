"""Payment standards as pure functions (benefits/payment.py): table tests worked by hand from seed 001."""

import datetime as dt
from decimal import Decimal as D

import pytest

from benefits import payment
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered

BONUS = {
    "points": "0.05",
    "categories": ["pupil", "preschool", "university_student", "medical_aid", "disabled_severe"],
}


@pytest.mark.parametrize(
    ("charges", "standard", "ratio", "agreed", "expected"),
    [
        # 五(三)1(1) severe life 60 at 70%: one day charged 60 -> fund 42, person 18.
        ([D("60")], D("60"), D("0.70"), None, (D("60"), D("42.00"), D("18.00"), D("0"), ())),
        # 30 days x 60 = 1800 -> 1260 / 540.
        ([D("60")] * 30, D("60"), D("0.70"), None, (D("1800"), D("1260.00"), D("540.00"), D("0"), ())),
        # severe medical 50 at 80%.
        ([D("50")] * 30, D("50"), D("0.80"), None, (D("1500"), D("1200.00"), D("300.00"), D("0"), ())),
        # moderate life 45 at 70%: 31 days -> 1395 x 0.7 = 976.50.
        ([D("45")] * 31, D("45"), D("0.70"), None, (D("1395"), D("976.50"), D("418.50"), D("0"), ())),
        # moderate medical 25 at 80%.
        ([D("25")] * 30, D("25"), D("0.80"), None, (D("750"), D("600.00"), D("150.00"), D("0"), ())),
        # charge below the standard: the base is the charge.
        ([D("40")], D("60"), D("0.70"), None, (D("40"), D("28.00"), D("12.00"), D("0"), ())),
        # charge above the agreed price 55: 25 OVER_PRICE, base 55.
        ([D("80")], D("60"), D("0.70"), D("55"), (D("80"), D("38.50"), D("16.50"), D("25"), ("OVER_PRICE",))),
        # rounding at line level: 3 x 33.33 = 99.99 x 0.7 = 69.993 -> 69.99 (per day would be 3 x 23.33 = 69.99 too)
        ([D("33.33")] * 3, D("60"), D("0.70"), None, (D("99.99"), D("69.99"), D("30.00"), D("0"), ())),
        # half-up: 0.05 x 0.70 = 0.035 -> 0.04
        ([D("0.05")], D("60"), D("0.70"), None, (D("0.05"), D("0.04"), D("0.01"), D("0"), ())),
    ],
)
def test_residential_line(charges, standard, ratio, agreed, expected):
    result = payment.residential(charges, standard_daily=standard, fund_ratio=ratio, agreed_price=agreed)
    assert (result.charged, result.fund, result.personal, result.rejected, result.codes) == expected
    assert result.charged == result.fund + result.personal + result.rejected


def test_bonus_groups_raise_the_ratio_by_five_points():
    assert payment.effective_ratio(D("0.70"), categories=["pupil"], bonus=BONUS) == D("0.75")
    assert payment.effective_ratio(D("0.80"), categories=["disabled_severe"], bonus=BONUS) == D("0.85")
    assert payment.effective_ratio(D("0.70"), categories=["low_income"], bonus=BONUS) == D("0.70")
    assert payment.effective_ratio(D("1.00"), categories=["pupil"], bonus=BONUS) == D("1")


@pytest.mark.parametrize(
    ("limit", "days", "dim", "expected"),
    [
        (D("900"), 31, 31, D("900")),
        (D("900"), 21, 31, D("609.68")),  # 900 x 21 / 31 = 609.677...
        (D("600"), 15, 30, D("300.00")),
        (D("300"), 10, 31, D("96.77")),  # 96.774...
        (D("900"), 0, 30, D("0.00")),
    ],
)
def test_prorated_monthly_limit(limit, days, dim, expected):
    assert payment.prorated_limit(limit, eligible_days=days, days_in_month=dim) == expected


def test_a_month_under_two_classes_prorates_each_limit_by_its_days_and_rounds_once():
    # severe 10 days, moderate 21 days of May: (900 x 10 + 600 x 21) / 31 = 696.774... -> 696.77; the sum is
    # rounded once: (900 + 600) / 31 = 48.387 -> 48.39, where the rounded parts would give 29.03 + 19.35
    assert payment.prorated_limits([(D("900"), 10), (D("600"), 21)], days_in_month=31) == D("696.77")
    assert payment.prorated_limits([(D("900"), 1), (D("600"), 1)], days_in_month=31) == D("48.39")
    assert payment.prorated_limits([], days_in_month=31) == D("0.00")
    assert payment.prorated_limits([(D("900"), 21)], days_in_month=31) == payment.prorated_limit(
        D("900"), eligible_days=21, days_in_month=31
    )


def test_home_visits_within_the_limit_all_from_the_fund():
    result = payment.within_limit([D("100")] * 8, limit=D("900"))
    assert (result.fund, result.personal, result.rejected, result.codes) == (D("800"), D("0"), D("0"), ())


def test_home_visits_over_the_limit_only_the_excess_is_rejected():
    result = payment.within_limit([D("100")] * 10, limit=D("900"))
    assert (result.fund, result.personal, result.rejected, result.codes) == (
        D("900.00"),
        D("0.00"),
        D("100"),
        ("OVER_LIMIT",),
    )
    assert result.items[-1] == (D("0"), D("100"))  # the last visit carries the excess
    assert result.items[-2] == (D("100"), D("0"))


@pytest.mark.parametrize(
    ("daily", "days", "trained", "expected"),
    [
        (D("20"), 31, True, D("620.00")),
        (D("20"), 31, False, D("496.00")),  # 80% for an untrained carer
        (D("10"), 30, None, D("300.00")),  # unknown training status is not reduced
        (D("10"), 7, False, D("56.00")),
    ],
)
def test_family_care_allowance(daily, days, trained, expected):
    result = payment.family_allowance(
        daily=daily, eligible_days=days, carer_trained=trained, untrained_ratio=D("0.80")
    )
    assert (result.charged, result.fund, result.personal, result.rejected) == (expected, expected, 0, 0)


def test_remote_cash_allowance():
    assert payment.allowance(daily=D("30"), eligible_days=30).fund == D("900.00")
    assert payment.allowance(daily=D("20"), eligible_days=12).fund == D("240.00")


def test_nantong_package_copay_five_yuan_a_visit():
    # 17 visits x 70 = 1190: person 17 x 5 = 85; fund min(1105, 1100) = 1100; 5 over the limit.
    result = payment.package_with_copay([D("70")] * 17, limit=D("1100"), copay_per_visit=D("5"))
    assert (result.charged, result.fund, result.personal, result.rejected) == (
        D("1190"),
        D("1100"),
        D("85"),
        D("5"),
    )


def test_nantong_devices_eight_to_two_within_the_yearly_limit():
    # 3000 with 6000 already used of 8000: base 2000 -> fund 1600, person 400, 1000 over.
    result = payment.devices(
        [D("3000")], yearly_limit=D("8000"), used_this_year=D("6000"), fund_ratio=D("0.80")
    )
    assert (result.fund, result.personal, result.rejected, result.codes) == (
        D("1600.00"),
        D("400.00"),
        D("1000"),
        ("OVER_LIMIT",),
    )


def test_amounts_must_add_up():
    with pytest.raises(ValueError, match="charged"):
        payment.Amounts(charged=D("10"), fund=D("5"))


def test_standards_for_reads_the_xuzhou_pack(xuzhou):
    on = dt.date(2024, 5, 1)
    life = payment.standards_for("residential", "severe", "life", on=on)
    assert (life.amount("daily"), life.amount("fund_ratio")) == (D("60.00"), D("0.70"))
    assert life.values["institution_types"] == ["elderly_care", "medical"]
    assert payment.standards_for("home_visits", "moderate", on=on).amount("monthly_limit") == D("600.00")
    assert payment.standards_for("home_family", "severe", on=on).amount("untrained_ratio") == D("0.80")
    assert payment.standards_for("remote_cash", "moderate", on=on).amount("daily") == D("20.00")
    assert payment.ratio_bonus(on=on)["points"] == D("0.05")


def test_standard_before_the_pack_is_in_force_is_an_error(xuzhou):
    with pytest.raises(NoPolicyInForce, match="payment_standard"):
        payment.standards_for("residential", "severe", "life", on=dt.date(2021, 12, 31))


def test_missing_form_never_falls_back(xuzhou):
    with pytest.raises(NoPolicyInForce, match="daily_allowance:severe"):
        payment.standards_for("daily_allowance", "severe", on=dt.date(2024, 5, 1))


def test_jinjiang_standards_are_left_for_staff_and_name_themselves(load_pack):
    load_pack("jinjiang-2023")
    with pytest.raises(PolicyNotEntered, match=r"residential:severe:life"):
        payment.standards_for("residential", "severe", "life", on=dt.date(2024, 5, 1))


def test_national_framework_amount_not_entered_names_the_field(load_pack):
    load_pack("national-2020")
    standard = payment.standards_for("residential", "severe", "life", on=dt.date(2024, 5, 1))
    assert standard.amount("fund_ratio") == D("0.70")
    with pytest.raises(PolicyNotEntered, match="field 'daily'"):
        standard.amount("daily")


def test_nantong_pack_has_its_three_home_benefits(load_pack):
    load_pack("nantong")
    on = dt.date(2024, 5, 1)
    assert payment.standards_for("daily_allowance", "severe", on=on).amount("daily") == D("15.00")
    assert payment.standards_for("daily_allowance", "moderate", on=on).amount("daily") == D("8.00")
    assert payment.standards_for("device", "moderate", on=on).amount("yearly_limit") == D("6000.00")
    assert payment.standards_for("home_package_copay", "severe", on=on).amount("copay_per_visit") == D("5.00")
