"""Properties of the money (issue 14 "Tests that must exist: Property test"; SPEC 7.2, 7.3).

A small Xuzhou world built through the real imports and services; hypothesis draws sequences of valid
operations (service records, settlement runs of ended months and their audit, approval and payment, re-runs,
corrections, contribution payments, account credits recovering arrears, donations, handling fees). After
EACH step: on every settlement line charged = fund + personal + rejected; no fund, personal or rejected
amount of a service line is negative, so the fund ratio applied (fund / (fund + personal)) lies in 0..1; an
adjustment never takes back more than the fund paid; statements and payouts are never negative; and the
fund ledger reconciles with its sources without any sync. An operation the system refuses (a month already
approved, a correction over the limit) must leave everything as it was.
"""

import datetime as dt
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from enrollment.services.fund import fund_income_record
from ltci.core import roles
from ltci.core.money import fen
from settlement import states
from settlement.models import HandlingFee, LedgerEntry, Payout, SettlementLine, SettlementRun, Statement
from settlement.services.appeals import AppealRefused, correction_create
from settlement.services.fund import reconcile
from settlement.services.run import SettlementError, latest_run, settlement_run

from .conftest import CAREGIVER, D, bed_days, new_id, pay_through_the_bank, staff, visit

MONTHS = [D(2024, 5, 1), D(2024, 6, 1)]  # ended long before 2026-12 (SPEC 7.2)
AMOUNTS = st.sampled_from(["0.01", "5.00", "15.00", "100.00", "1234.56"])
MONTH = st.integers(0, len(MONTHS) - 1)
OPERATION = st.one_of(
    st.tuples(
        st.just("bed_days"), MONTH, st.integers(1, 28), st.integers(1, 8), st.sampled_from(["45", "60", "80"])
    ),
    st.tuples(st.just("visits"), MONTH, st.integers(1, 12), st.sampled_from(["80.00", "150.00", "300.00"])),
    st.tuples(st.just("advance"), MONTH, st.integers(1, 4)),  # 1 step (run or audit) .. 4 (paid)
    st.tuples(st.just("advance"), MONTH, st.just(4)),
    st.tuples(st.just("rerun"), MONTH),
    st.tuples(st.just("correct"), MONTH, st.sampled_from(["0.1", "0.5", "1", "2"]), st.booleans()),
    st.tuples(st.just("credit"), AMOUNTS, st.integers(1, 28)),
    st.tuples(st.just("pay"), st.integers(1, 28)),
    st.tuples(st.just("donation"), AMOUNTS),
    st.tuples(st.just("handling_fee"), MONTH, AMOUNTS),
)


class _Rollback(Exception):
    pass


@contextmanager
def example_rolled_back():
    """Each example starts from the same world: its writes are undone with a savepoint."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def city(world):
    """Three beneficiaries (a nursing-home resident, a home-visit client, a cash payout), an employee whose
    empty personal account leaves the 2025 contribution short, a young resident who has not paid 2025."""
    people = {
        "resident": world.beneficiary(form="residential", institution="YL001"),
        "home": world.beneficiary(form="home_visits", institution="JJ001"),
        "cash": world.beneficiary(form="remote_cash"),
        "employee": new_id("19750101"),
        "young": new_id("19850101"),
    }
    world.persons(
        [
            {"national_id": people["employee"], "insurance_type": "employee", "has_personal_account": "true"},
            {"national_id": people["young"]},
        ]
    )
    call_command("run_contributions", "--year", "2025", "--on", "2025-01-05", stdout=io.StringIO())
    users = {
        "officer": staff("officer", roles.SETTLEMENT_OFFICER),
        "boss": staff("boss", roles.SUPERVISOR),
        "accountant": staff("accountant", roles.FUND_ACCOUNTANT),
    }
    return world, people, users


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def apply(operation, world, people, users) -> None:
    """Do one operation through the services or commands a user would use."""
    kind, *args = operation
    if kind == "bed_days":
        month, first, days, charge = MONTHS[args[0]], args[1], args[2], args[3]
        start = month.replace(day=first)
        end = min(start + dt.timedelta(days=days - 1), _month_end(month))
        world.records(bed_days("YL001", people["resident"], start, end, charge=f"{charge}.00"))
    elif kind == "visits":
        month, count, charge = MONTHS[args[0]], args[1], args[2]
        world.records(
            [
                visit("JJ001", people["home"], month.replace(day=d).isoformat(), charge, CAREGIVER)
                for d in range(1, count + 1)
            ]
        )
    elif kind == "advance":
        for _ in range(args[1]):
            advance(MONTHS[args[0]], users)
    elif kind == "rerun":
        settlement_run(month=MONTHS[args[0]], actor=users["officer"])
    elif kind == "correct":
        correct(MONTHS[args[0]], Decimal(args[1]), recover=args[2], actor=users["officer"])
    elif kind == "credit":
        world.run(
            "import_account_events",
            ["national_id", "event", "amount", "occurred_on"],
            [
                {
                    "national_id": people["employee"],
                    "event": "credit",
                    "amount": args[0],
                    "occurred_on": f"2025-03-{args[1]:02d}",
                }
            ],
        )
    elif kind == "pay":
        world.run(
            "import_payments",
            ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"],
            [
                {
                    "national_id": people["young"],
                    "year": "2025",
                    "amount": "20.00",
                    "paid_on": f"2025-02-{args[0]:02d}",
                    "channel": "resident_premium",
                }
            ],
        )
    elif kind == "donation":
        fund_income_record(
            source="donation",
            amount=Decimal(args[0]),
            booked_on=D(2025, 4, 1),
            donor="慈善会",
            purpose="助老",
        )
    elif kind == "handling_fee":
        HandlingFee.objects.create(month=MONTHS[args[0]], amount=Decimal(args[1]), note="经办")


def advance(month: dt.date, users) -> None:
    """Move the month one step on: run it, audit, approve (another person), bank file and pay."""
    run = latest_run(month)
    if run is None:
        settlement_run(month=month, actor=users["officer"])
    elif run.state == "draft":
        states.run_transition(run=run, to="audited", actor=users["officer"])
    elif run.state == "audited":
        states.run_transition(run=run, to="approved", actor=users["boss"])
    elif run.state == "approved":
        pay_through_the_bank(run)


def correct(month: dt.date, fraction: Decimal, *, recover: bool, actor) -> None:
    """A staff correction of the month's first service line: take back or pay a fraction of what it allows."""
    line = (
        SettlementLine.objects.filter(
            run__month=month, run__state__in=["approved", "paid"], is_adjustment=False
        )
        .order_by("id")
        .first()
    )
    if line is None:
        return
    base = line.fund_amount if recover else line.rejected_amount + line.personal_amount
    amount = fen(base * fraction) * (-1 if recover else 1)
    if amount:
        correction_create(line=line, amount=amount, reason="属性测试更正", actor=actor)


def snapshot() -> tuple:
    return (
        LedgerEntry.objects.count(),
        LedgerEntry.objects.aggregate(s=Sum("amount"))["s"],
        SettlementLine.objects.count(),
        Statement.objects.count(),
    )


def check_money() -> None:
    lines = SettlementLine.objects.values_list(
        "id",
        "charged_amount",
        "fund_amount",
        "personal_amount",
        "rejected_amount",
        "is_adjustment",
        "adjusts_id",
    )
    fund_of = {}
    for pk, charged, fund, personal, rejected, is_adjustment, _ in lines:
        assert charged == fund + personal + rejected, pk
        if not is_adjustment:
            assert min(fund, personal, rejected) >= 0, (pk, fund, personal, rejected)
            if fund + personal:
                assert 0 <= fund / (fund + personal) <= 1, pk  # the ratio applied
            fund_of[pk] = fund
    taken_back: dict[int, Decimal] = {}
    for _pk, _, fund, *_, is_adjustment, adjusts in lines:
        if is_adjustment and adjusts:
            taken_back[adjusts] = taken_back.get(adjusts, Decimal("0")) + fund
    for adjusted, total in taken_back.items():
        if adjusted in fund_of:
            assert fund_of[adjusted] + total >= 0, (adjusted, fund_of[adjusted], total)
    assert not Statement.objects.filter(fund_payable__lt=0).exists()
    assert not Statement.objects.filter(deposit_withheld__lt=0).exists()
    assert not Payout.objects.filter(amount__lt=0).exists()
    for run in SettlementRun.objects.filter(state="paid"):
        # what the ledger spent on a paid month is what its lines give from the fund
        refs = [f"statement:{pk}" for pk in run.statements.values_list("pk", flat=True)]
        refs += [f"payout:{pk}" for pk in Payout.objects.filter(run=run).values_list("pk", flat=True)]
        spent = -(LedgerEntry.objects.filter(reference__in=refs).aggregate(s=Sum("amount"))["s"] or 0)
        assert spent == (run.lines.aggregate(s=Sum("fund_amount"))["s"] or 0), run
    assert reconcile()[0] == []


# The world is built once per test (function-scoped fixture); each example rolls its writes back.
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(steps=st.lists(OPERATION, min_size=2, max_size=8))
@example(  # always tried: a paid month, a recovery from it settled in the next month, a payment and a credit
    steps=[
        ("bed_days", 0, 1, 8, "80"),
        ("visits", 0, 10, "150.00"),
        ("advance", 0, 4),
        ("correct", 0, "0.5", True),
        ("correct", 0, "1", False),
        ("pay", 10),
        ("credit", "15.00", 5),
        ("advance", 1, 3),
        ("rerun", 0),
    ]
)
def test_money_holds_after_every_step_of_any_sequence(city, steps):
    world, people, users = city
    with example_rolled_back():
        check_money()
        for operation in steps:
            before = snapshot()
            try:
                with transaction.atomic():
                    apply(operation, world, people, users)
            except (SettlementError, states.TransitionRefused, AppealRefused) as exc:
                assert snapshot() == before, operation  # a refusal changes nothing
                event(f"refused: {operation[0]} ({type(exc).__name__})")
            check_money()
        # what the examples reached (--hypothesis-show-statistics)
        event(
            f"final months: {SettlementLine.objects.filter(run__state__in=['approved', 'paid']).values('run').distinct().count()}"
        )
        event(f"adjustment lines: {SettlementLine.objects.filter(is_adjustment=True).exists()}")
