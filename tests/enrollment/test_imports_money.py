import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from enrollment.imports import import_account_events, import_payments
from enrollment.models import AccountEvent, Contribution, ContributionTransaction, FundIncome
from enrollment.services.run import contribution_run_year

from .conftest import nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


PAY = "national_id,year,amount,paid_on,channel,payer_national_id\n"
EVT = "national_id,event,amount,occurred_on\n"


def pay(*rows):
    return import_payments(content=(PAY + "".join(r + "\n" for r in rows)).encode(), filename="p.csv")


def events(*rows):
    return import_account_events(content=(EVT + "".join(r + "\n" for r in rows)).encode(), filename="e.csv")


@pytest.fixture
def people(roster):
    roster(
        f"{nid(1)},甲,resident,320302,2022-01-01,,false,,", f"{nid(3)},乙,employee,320303,2022-01-01,,true,,"
    )


def test_partial_then_full_payment_sets_paid_on_the_completing_date(people):
    assert pay(f"{nid(1)},2026,5.00,2026-01-10,resident_premium,").errors == []
    c = Contribution.objects.get()
    assert (c.status, c.individual_paid, c.due_by) == ("arrears", Decimal("5.00"), dt.date(2026, 1, 31))
    pay(f"{nid(1)},2026,15.00,2026-01-20,cash,")
    c.refresh_from_db()
    assert (c.status, c.fully_paid_on) == ("paid", dt.date(2026, 1, 20))


def test_same_payment_file_twice_is_unchanged(people):
    rows = [f"{nid(1)},2026,5.00,2026-01-10,resident_premium,"]
    pay(*rows)
    second = pay(*rows)
    assert (second.applied, second.unchanged) == (0, 1)
    assert ContributionTransaction.objects.filter(kind="payment").count() == 1


def test_overpayment_is_rejected(people):
    report = pay(f"{nid(1)},2026,25.00,2026-01-10,cash,")
    assert [str(e) for e in report.errors] == [
        "row 2, field amount: 25.00 exceeds the amount due for 2026 (outstanding 20.00) (缴费金额)"
    ]
    assert not Contribution.objects.exists()


def test_unknown_person_and_bad_payer_rules(people):
    report = pay(
        f"{nid(99)},2026,5.00,2026-01-10,cash,",
        f"{nid(1)},2026,5.00,2026-01-10,cash,{nid(3)}",
        f"{nid(1)},2026,5.00,2026-01-10,family_account,",
    )
    assert [str(e) for e in report.errors] == [
        f"row 2, field national_id: no insured person with ID number {nid(99)} (not in the roster) (公民身份号码)",
        "row 3, field payer_national_id: must be empty for channel cash (only family_account) (代缴人公民身份号码)",
        "row 4, field payer_national_id: is required for channel family_account (代缴人公民身份号码)",
    ]


def test_family_payment_needs_the_policy(people):
    report = pay(f"{nid(1)},2026,5.00,2026-01-10,family_account,{nid(3)}")
    assert "not allowed by the policy in force" in str(report.errors[0])


def test_credit_recovers_arrears_oldest_first(people):
    events(f"{nid(3)},balance,5.00,2025-01-01")
    contribution_run_year(year=2025, on=dt.date(2025, 2, 5))
    contribution_run_year(year=2026, on=dt.date(2026, 2, 5))
    report = events(f"{nid(3)},credit,30.00,2026-03-01")
    assert report.errors == []
    rows = {
        c.year: (c.status, c.individual_paid) for c in Contribution.objects.filter(person__national_id=nid(3))
    }
    # the 5.00 of the 2025-01-01 balance went to 2025's transfer: with no newer balance, 2026 has nothing to
    # transfer (issue 18: debits after a balance are subtracted), so the credit's 30.00 pays 15 + 15
    assert rows == {2025: ("paid", Decimal("20.00")), 2026: ("arrears", Decimal("15.00"))}
    recoveries = ContributionTransaction.objects.filter(kind="arrears_recovery").order_by(
        "contribution__year"
    )
    assert [r.amount for r in recoveries] == [Decimal("15.00"), Decimal("15.00")]
    again = events(f"{nid(3)},credit,30.00,2026-03-01")
    assert (again.applied, again.unchanged) == (0, 1)
    assert ContributionTransaction.objects.filter(kind="arrears_recovery").count() == 2


def test_account_events_for_person_without_account_rejected(people):
    report = events(f"{nid(1)},balance,5.00,2025-01-01", f"{nid(3)},credit,0.00,2025-01-01")
    assert [str(e) for e in report.errors] == [
        "row 2, field national_id: the person has no personal account (has_personal_account is false in the roster) "
        "(公民身份号码)",
        "row 3, field amount: '0.00' must be greater than 0 (金额)",
    ]
    assert not AccountEvent.objects.exists()


def test_transactions_and_fund_income_are_immutable(people):
    pay(f"{nid(1)},2026,5.00,2026-01-10,cash,")
    contribution_run_year(year=2026, on=dt.date(2026, 1, 5))
    tx = ContributionTransaction.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ContributionTransaction.objects.filter(pk=tx.pk).update(amount=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ContributionTransaction.objects.filter(pk=tx.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        FundIncome.objects.all().delete()


def test_credit_after_the_transfer_but_before_the_deadline_recovers_on_time(people):
    events(f"{nid(3)},balance,5.00,2026-01-01")
    contribution_run_year(year=2026, on=dt.date(2026, 1, 10))
    c = Contribution.objects.get(person__national_id=nid(3))
    assert (c.status, c.individual_paid, c.booked_on) == (
        "partly_paid",
        Decimal("5.00"),
        dt.date(2026, 1, 10),
    )
    assert events(f"{nid(3)},credit,40.00,2026-01-25").errors == []
    c.refresh_from_db()
    assert (c.status, c.individual_paid, c.fully_paid_on) == ("paid", Decimal("20.00"), dt.date(2026, 1, 25))


def test_credit_dated_before_the_transfer_does_not_recover(people):
    events(f"{nid(3)},balance,5.00,2026-01-01")
    contribution_run_year(year=2026, on=dt.date(2026, 1, 10))
    events(f"{nid(3)},credit,40.00,2026-01-05")  # already inside the balance the run used
    assert Contribution.objects.get(person__national_id=nid(3)).individual_paid == Decimal("5.00")


def test_catch_up_run_after_the_deadline_recovers_from_credits_after_the_deadline(people):
    events(f"{nid(3)},balance,0.00,2026-01-01")
    contribution_run_year(year=2026, on=dt.date(2026, 6, 1))
    assert Contribution.objects.get(person__national_id=nid(3)).status == "arrears"
    events(f"{nid(3)},credit,20.00,2026-03-01")
    c = Contribution.objects.get(person__national_id=nid(3))
    assert (c.status, c.fully_paid_on) == ("paid", dt.date(2026, 3, 1))


def test_duplicated_payment_rows_in_one_file_are_rejected(people):
    row = f"{nid(1)},2026,5.00,2026-01-10,resident_premium,"
    report = pay(row, row)
    assert [str(e) for e in report.errors] == ["row 3, field *: duplicate: the same as row 2"]
    assert ContributionTransaction.objects.filter(kind="payment").count() == 1


def test_duplicated_account_event_rows_in_one_file_are_rejected(people):
    row = f"{nid(3)},balance,5.00,2026-01-01"
    report = events(row, row)
    assert [str(e) for e in report.errors] == ["row 3, field *: duplicate: the same as row 2"]
    assert AccountEvent.objects.count() == 1


def test_payment_file_whose_rows_are_all_bad_changes_nothing(people):
    report = pay(
        f"{nid(1)},2026,50.00,2026-01-10,cash,",
        f"{nid(1)},2026,5.00,2026-13-10,cash,",
        f"{nid(1)},1999,5.00,2026-01-10,cash,",
    )
    assert report.applied == 0 and report.rejected == 3
    assert not Contribution.objects.exists() and not ContributionTransaction.objects.exists()
