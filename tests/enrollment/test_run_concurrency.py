"""The yearly run's account transfer and a payment import on the same contribution (security review,
finding 16), with two real connections: the payment import holds the contribution (as payments_apply locks
it before computing) while the run's chunk is started and seen waiting, then pays and commits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from enrollment.imports import import_payments
from enrollment.models import AccountEvent, Contribution, ContributionTransaction, Person
from enrollment.services.run import contribution_run_year

from ..concurrency import InThread, wait_until_blocked
from .conftest import nid


@pytest.fixture
def due_with_balance(roster):
    """An employee whose 2026 contribution was created while the account was empty (20.00 due), and whose
    account then shows a balance of 50.00."""
    assert roster(f"{nid(1)},甲,employee,320302,2022-01-01,,true,,").errors == []
    contribution_run_year(year=2026, on=dt.date(2026, 1, 5))
    AccountEvent.objects.create(
        person=Person.objects.get(), event="balance", amount=50, occurred_on=dt.date(2026, 1, 6)
    )
    contribution = Contribution.objects.get()
    assert (contribution.individual_paid, contribution.status) == (Decimal("0.00"), "due")
    return contribution


def payment_file(amount="20.00") -> bytes:
    return (
        f"national_id,year,amount,paid_on,channel,payer_national_id\n"
        f"{nid(1)},2026,{amount},2026-01-15,cash,\n"
    ).encode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payment_committed_while_the_run_transfers_is_not_collected_twice(due_with_balance):
    with transaction.atomic():
        Contribution.objects.select_for_update().get(pk=due_with_balance.pk)  # the import's lock, taken first
        run = InThread(contribution_run_year, year=2026, on=dt.date(2026, 1, 20))
        wait_until_blocked(run)
        report = import_payments(content=payment_file(), filename="payments.csv")
        assert report.errors == [] and report.applied == 1
    run.join()
    assert run.error is None, run.error
    contribution = Contribution.objects.get()
    assert (contribution.individual_paid, contribution.status) == (Decimal("20.00"), "paid")
    assert list(ContributionTransaction.objects.values_list("kind", "amount")) == [
        ("payment", Decimal("20.00"))
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payment_waiting_for_the_run_transfer_is_refused_as_overpayment(due_with_balance):
    with transaction.atomic():
        contribution_run_year(year=2026, on=dt.date(2026, 1, 20))  # transfers 20.00, not yet committed
        payment = InThread(import_payments, content=payment_file(), filename="payments.csv")
        wait_until_blocked(payment)
    payment.join()
    assert payment.error is None, payment.error
    assert [e.reason for e in payment.result.errors] == [
        "「缴费金额（amount）」：20.00 超过 2026 年度应缴金额（尚欠 0.00）"
    ]
    contribution = Contribution.objects.get()
    assert (contribution.individual_paid, contribution.status) == (Decimal("20.00"), "paid")
    assert list(ContributionTransaction.objects.values_list("kind", "amount")) == [
        ("account_transfer", Decimal("20.00"))
    ]
