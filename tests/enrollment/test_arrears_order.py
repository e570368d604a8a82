"""Arrears recovery in any order (SPEC 3.3 从下期账户划入额中抵扣; SPEC 9 daily arrears recovery).

Xuzhou: individual part 20, deadline 31 January. Employee 甲 with a personal account, enrolled 2023-01-01.
"""

import datetime as dt
from decimal import Decimal

import pytest

from enrollment import tasks
from enrollment.imports import import_account_events, import_payments
from enrollment.models import AccountEvent, Contribution, ContributionTransaction, Person
from enrollment.services.run import contribution_run_year

from .conftest import nid


def events(*rows):
    body = "national_id,event,amount,occurred_on\n" + "".join(r + "\n" for r in rows)
    report = import_account_events(content=body.encode(), filename="e.csv")
    assert report.errors == []
    return report


def pay(*rows):
    body = "national_id,year,amount,paid_on,channel,payer_national_id\n" + "".join(r + "\n" for r in rows)
    assert import_payments(content=body.encode(), filename="p.csv").errors == []


@pytest.fixture
def employee(roster):
    roster(f"{nid(1)},甲,employee,320303,2023-01-01,,true,,")
    AccountEvent.objects.create(
        person=Person.objects.get(national_id=nid(1)),
        event="balance",
        amount=5,
        occurred_on=dt.date(2025, 1, 1),
    )


def state(year=2025):
    c = Contribution.objects.get(person__national_id=nid(1), year=year)
    return c.status, c.individual_paid, c.fully_paid_on


def recoveries():
    return sorted(
        (t.contribution.year, t.amount, t.occurred_on, t.account_event.amount)
        for t in ContributionTransaction.objects.filter(kind="arrears_recovery")
    )


def test_run_first_then_credit(employee):
    """Run on 2025-01-20: balance 5 transferred, 15 short; credit 100 on 2025-03-05 recovers 15 (paid then)."""
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    events(f"{nid(1)},credit,100.00,2025-03-05")
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 3, 5))
    assert recoveries() == [(2025, Decimal("15.00"), dt.date(2025, 3, 5), Decimal("100.00"))]


def test_credit_first_then_run(employee):
    """The credit of 2025-03-05 is imported before the 2025 run exists (nothing to recover then); the catch-up
    run booked on 2025-01-20 transfers the balance 5 and then applies the waiting credit: 15 recovered on
    2025-03-05, the same result as the other order. Rerunning books nothing more."""
    events(f"{nid(1)},credit,100.00,2025-03-05")
    assert not ContributionTransaction.objects.filter(kind="arrears_recovery").exists()
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 3, 5))
    assert recoveries() == [(2025, Decimal("15.00"), dt.date(2025, 3, 5), Decimal("100.00"))]
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    assert ContributionTransaction.objects.filter(kind="arrears_recovery").count() == 1


def test_a_credit_is_used_once_across_years_and_orders(employee):
    """Credit 10 on 2025-03-05 before the run: after the run 5 + 10 = 15 of 20 (arrears, 5 short). A second
    credit 30 on 2025-04-01 recovers the last 5: paid on 2025-04-01; the first credit is used up (never
    applied twice), the second has 25 left, which the daily job does not touch (nothing short)."""
    events(f"{nid(1)},credit,10.00,2025-03-05")
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    assert state()[:2] == ("arrears", Decimal("15.00"))
    events(f"{nid(1)},credit,30.00,2025-04-01")
    tasks.contribution_mark_arrears()
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 4, 1))
    assert recoveries() == [
        (2025, Decimal("5.00"), dt.date(2025, 4, 1), Decimal("30.00")),
        (2025, Decimal("10.00"), dt.date(2025, 3, 5), Decimal("10.00")),
    ]


def test_payment_that_creates_the_year_applies_a_waiting_credit(employee):
    """Credit 30 on 2025-03-05 first; then a cash payment of 5 on 2025-01-10 creates the 2025 contribution
    (15 short, due 31 January): the payment import applies the waiting credit at once (15 on 2025-03-05)."""
    events(f"{nid(1)},credit,30.00,2025-03-05")
    pay(f"{nid(1)},2025,5.00,2025-01-10,cash,")
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 3, 5))
    assert recoveries() == [(2025, Decimal("15.00"), dt.date(2025, 3, 5), Decimal("30.00"))]


def test_daily_job_picks_up_what_the_import_could_not(employee):
    """A contribution made short outside an import and the run (staff correction in the admin lowers the
    paid amount to 5): the next daily job applies the credit of 2025-03-05 that was waiting."""
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    Contribution.objects.filter(year=2025).update(
        individual_paid=20, status="paid", fully_paid_on=dt.date(2025, 1, 20)
    )
    events(f"{nid(1)},credit,100.00,2025-03-05")
    assert not ContributionTransaction.objects.filter(kind="arrears_recovery").exists()
    Contribution.objects.filter(year=2025).update(individual_paid=5, status="arrears", fully_paid_on=None)
    tasks.contribution_mark_arrears()
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 3, 5))


def test_payment_before_or_after_the_run(roster):
    """Payments: a cash payment of 5 before the run leaves 15 for the account transfer (balance 100); after
    the run (balance 5, 15 short) a payment of 15 completes it. Either order: paid, 20 in total."""
    roster(
        f"{nid(1)},甲,employee,320303,2023-01-01,,true,,", f"{nid(3)},乙,employee,320303,2023-01-01,,true,,"
    )
    for n, amount in ((1, 100), (3, 5)):
        AccountEvent.objects.create(
            person=Person.objects.get(national_id=nid(n)),
            event="balance",
            amount=amount,
            occurred_on=dt.date(2025, 1, 1),
        )
    pay(f"{nid(1)},2025,5.00,2025-01-10,cash,")
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    pay(f"{nid(3)},2025,15.00,2025-03-05,cash,")
    got = {
        c.person.national_id: (c.status, c.individual_paid, c.fully_paid_on)
        for c in Contribution.objects.select_related("person")
    }
    assert got == {
        nid(1): ("paid", Decimal("20.00"), dt.date(2025, 1, 20)),
        nid(3): ("paid", Decimal("20.00"), dt.date(2025, 3, 5)),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_and_daily_job_at_the_same_time_apply_a_credit_once(roster, django_db_blocker):
    """Two connections: A (the credit import) holds the person's contribution locked mid-recovery; B (the
    daily job) must wait for A's commit (seen waiting on a lock in pg_stat_activity), then find nothing left
    to recover: 15 recovered once, paid 20 (not 35)."""
    import threading

    from django.db import connection, connections

    from enrollment.services.arrears import recover_arrears, recover_pending

    roster(f"{nid(1)},甲,employee,320303,2023-01-01,,true,,")
    person = Person.objects.get()
    AccountEvent.objects.create(person=person, event="balance", amount=5, occurred_on=dt.date(2025, 1, 1))
    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    AccountEvent.objects.create(person=person, event="credit", amount=100, occurred_on=dt.date(2025, 3, 5))
    a_locked, release = threading.Event(), threading.Event()
    results = {}

    def a():
        from django.db import transaction

        with django_db_blocker.unblock():
            with transaction.atomic():
                results["a"] = recover_arrears({person.pk})
                a_locked.set()
                release.wait(20)
            connections.close_all()

    def b():
        with django_db_blocker.unblock():
            results["b"] = recover_pending()
            connections.close_all()

    ta, tb = threading.Thread(target=a), threading.Thread(target=b)
    ta.start()
    assert a_locked.wait(20)
    tb.start()
    try:
        waiting = False
        for _ in range(2000):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    waiting = True
                    break
            tb.join(0.01)
        assert waiting, "B never waited for A's lock"
    finally:
        release.set()
        ta.join()
        tb.join()
    assert (results["a"], results["b"]) == (1, 0)
    assert state() == ("paid", Decimal("20.00"), dt.date(2025, 3, 5))
    assert ContributionTransaction.objects.filter(kind="arrears_recovery").count() == 1


def test_migration_links_recoveries_booked_before_it(employee):
    """Migration 0009: a recovery booked before it (no account_event, the credit only in the source_key
    hash) is linked to its credit, so that credit's rest is not applied a second time."""
    import hashlib
    import importlib

    from django.apps import apps
    from django.db import connection

    contribution_run_year(year=2025, on=dt.date(2025, 1, 20))
    credit = AccountEvent.objects.create(
        person=Person.objects.get(), event="credit", amount=15, occurred_on=dt.date(2025, 3, 5)
    )
    c = Contribution.objects.get()
    key = "recovery:" + hashlib.sha256(f"{credit.pk}:{c.pk}".encode()).hexdigest()[:32]
    ContributionTransaction.objects.create(
        contribution=c,
        kind="arrears_recovery",
        amount=15,
        channel="account_credit",
        occurred_on=credit.occurred_on,
        source_key=key,
    )
    Contribution.objects.filter(pk=c.pk).update(
        individual_paid=20, status="paid", fully_paid_on=credit.occurred_on
    )
    migration = importlib.import_module("enrollment.migrations.0009_recovery_credit_link")
    with connection.schema_editor() as editor:
        migration.link_recoveries(apps, editor)
    assert ContributionTransaction.objects.get(source_key=key).account_event_id == credit.pk
    Contribution.objects.filter(pk=c.pk).update(individual_paid=5, status="arrears", fully_paid_on=None)
    tasks.contribution_mark_arrears()  # the credit is used up: nothing recovered again
    assert ContributionTransaction.objects.filter(kind="arrears_recovery").count() == 1
