import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from enrollment.models import AccountEvent, Contribution, ContributionTransaction, FundIncome, Person
from enrollment.services.run import contribution_run_year
from ltci.core.policy import PolicyNotEntered

from .conftest import nid

ROWS = [
    f"{nid(1)},甲,employee,320302,2022-01-01,,true,,",  # account, balance 50 -> paid
    f"{nid(3)},乙,employee,320303,2022-01-01,,true,,",  # balance 5 -> shortfall
    f"{nid(5)},丙,resident,320311,2022-01-01,medical_aid,false,,",  # subsidised
    f"{nid(7, birth=dt.date(1950, 1, 1))},丁,resident,320305,2022-01-01,,false,,",  # aged 70+ resident
    f"{nid(9)},戊,resident,320381,2026-05-10,,false,,",  # mid-year enrollee
    f"{nid(11)},己,employee,320382,2022-01-01,,false,2025-06-30,moved_out",  # not covered in 2026
]


@pytest.fixture
def city(roster):
    report = roster(*ROWS)
    assert report.errors == []
    AccountEvent.objects.create(
        person=Person.objects.get(national_id=nid(1)),
        event="balance",
        amount=50,
        occurred_on=dt.date(2026, 1, 1),
    )
    AccountEvent.objects.create(
        person=Person.objects.get(national_id=nid(3)),
        event="balance",
        amount=5,
        occurred_on=dt.date(2026, 1, 1),
    )


def by_name():
    return {c.person.name: c for c in Contribution.objects.select_related("person").filter(year=2026)}


def test_run_creates_contributions_with_status_and_transfers(city):
    run = contribution_run_year(year=2026, on=dt.date(2026, 2, 10), chunk_size=2)
    assert run.state == "done" and run.done == 6
    c = by_name()
    assert set(c) == {"甲", "乙", "丙", "丁", "戊"}
    assert (c["甲"].status, c["甲"].individual_paid, c["甲"].fully_paid_on) == (
        "paid",
        Decimal("20.00"),
        dt.date(2026, 1, 31),  # booked late, but the balance was there by the deadline (issue 18)
    )
    assert (c["乙"].status, c["乙"].individual_paid) == ("arrears", Decimal("5.00"))
    assert (c["丙"].status, c["丙"].subsidy_category) == ("waived", "medical_aid")
    assert (c["丁"].status, c["丁"].subsidy_category) == ("waived", "resident_age_70")
    assert (c["戊"].status, c["戊"].due_by, c["戊"].individual_amount) == (
        "due",
        dt.date(2026, 5, 31),
        Decimal("20.00"),
    )


def test_fund_income_by_headcount_with_city_district_split(city):
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    lines = {(f.source, f.region_code): (f.headcount, f.amount) for f in FundIncome.objects.all()}
    assert lines[("pooled_fund", "320302")] == (1, Decimal("30.00"))
    assert lines[("fiscal_city", "320302")] == (1, Decimal("10.00"))
    assert lines[("fiscal_district", "320302")] == (1, Decimal("10.00"))
    assert lines[("fiscal", "320305")] == (1, Decimal("20.00"))
    assert lines[("fiscal_subsidy", "320311")] == (1, Decimal("20.00"))
    assert ("pooled_fund", "320382") not in lines


def snapshot():
    return (
        list(
            Contribution.objects.order_by("person_id").values_list("person_id", "status", "individual_paid")
        ),
        ContributionTransaction.objects.count(),
        ContributionTransaction.objects.aggregate(s=Sum("amount"))["s"],
        FundIncome.objects.count(),
        FundIncome.objects.aggregate(s=Sum("amount"))["s"],
    )


def test_run_twice_equals_once(city):
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20), chunk_size=2)
    once = snapshot()
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20), chunk_size=3)
    assert snapshot() == once


def test_mid_year_enrollee_after_run_books_the_difference(city, roster):
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    roster(f"{nid(13)},庚,resident,320302,2026-08-01,,false,,")
    contribution_run_year(year=2026, on=dt.date(2026, 8, 5))
    pooled = FundIncome.objects.filter(source="pooled_fund", region_code="320302").order_by("id")
    assert [(f.headcount, f.amount) for f in pooled] == [(1, Decimal("30.00")), (1, Decimal("30.00"))]


def test_null_standard_stops_the_run_naming_it(db, load_pack):
    load_pack("lianyungang-2023")
    with pytest.raises(PolicyNotEntered, match=r"contribution_standard' \[employee\]"):
        contribution_run_year(year=2024)
    assert Contribution.objects.count() == 0


def test_rate_standard_without_numbers_names_the_missing_values(db, load_pack):
    load_pack("national-2020")
    with pytest.raises(PolicyNotEntered, match="no value for individual_rate, employer_rate"):
        contribution_run_year(year=2024)


def test_rate_form_books_base_times_rate(db, load_pack, roster):
    from ltci.core.models import PolicyRecord

    load_pack("national-2020")
    PolicyRecord.objects.filter(kind="contribution_standard").update(
        value={"form": "rate", "base": "60000.00", "individual_rate": "0.001", "employer_rate": "0.0015"}
    )
    from enrollment.imports import import_roster

    from .conftest import roster_csv

    import_roster(content=roster_csv(f"{nid(1)},甲,employee,320302,2022-01-01,,false,,"), filename="r.csv")
    contribution_run_year(year=2024, on=dt.date(2024, 1, 10))
    c = Contribution.objects.get()
    assert (c.individual_amount, c.employer_amount, c.total_amount) == (
        Decimal("60.00"),
        Decimal("90.00"),
        Decimal("150.00"),
    )
    assert FundIncome.objects.get(source="employer").amount == Decimal("90.00")


def test_command_prints_summary(city, capsys):
    call_command("run_contributions", "--year", "2026", "--on", "2026-01-15")
    assert "contribution run 2026: done, 6/6 persons" in capsys.readouterr().out
