"""The yearly run's two paths to an account transfer (issue 20): a contribution the chunk inserts gets its
transfer and status at the insert; one stored before (a rerun after the balances came) gets them from
TRANSFER and STATUS. The same rule (``account_transfers``, ``PAYMENT_STATUS_SQL``) must give the same rows."""

import datetime as dt

import pytest

from enrollment.imports import import_account_events
from enrollment.models import Contribution, ContributionTransaction
from enrollment.services.run import contribution_run_year

from .conftest import nid

# (balance on 2026-01-01, enrolled on): short, exact, more than enough, nothing; a mid-year enrollee
CASES = [
    ("5.00", "2022-01-01"),
    ("20.00", "2022-01-01"),
    ("100.00", "2022-01-01"),
    ("0.00", "2022-01-01"),
    ("7.50", "2026-03-10"),
]


def balances(serials):
    rows = "".join(f"{nid(s)},balance,{CASES[(s - 1) // 2][0]},2026-01-01\n" for s in serials)
    assert (
        import_account_events(
            content=("national_id,event,amount,occurred_on\n" + rows).encode(), filename="e.csv"
        ).errors
        == []
    )


@pytest.mark.parametrize("on", [dt.date(2026, 1, 10), dt.date(2026, 6, 1)])  # before and after the deadline
def test_transfer_at_the_insert_equals_the_transfer_of_stored_rows(roster, on):
    # serial 2k+1: balance known before the run (insert path); 2k+2: imported after the rows exist (TRANSFER)
    roster(
        *[
            f"{nid(s)},P{s},employee,320303,{CASES[(s - 1) // 2][1]},,true,,"
            for s in range(1, 2 * len(CASES) + 1)
        ]
    )
    balances(range(1, 2 * len(CASES) + 1, 2))
    contribution_run_year(year=2026, on=on)
    balances(range(2, 2 * len(CASES) + 1, 2))
    contribution_run_year(year=2026, on=on)

    def rows(serial):
        c = Contribution.objects.get(person__national_id=nid(serial), year=2026)
        tx = sorted(
            ContributionTransaction.objects.filter(contribution=c).values_list(
                "kind", "amount", "occurred_on"
            )
        )
        return (c.individual_paid, c.status, c.due_by, c.fully_paid_on, c.booked_on, tx)

    for k in range(len(CASES)):
        assert rows(2 * k + 1) == rows(2 * k + 2), CASES[k]
    assert {rows(2 * k + 1)[1] for k in range(len(CASES))} >= {"paid", "arrears" if on.month > 1 else "due"}


def test_a_fresh_chunk_leaves_nothing_for_the_passes_over_stored_rows(roster):
    """A chunk whose range held no contribution of the year skips INSERT_SUBSIDIES, TRANSFER and STATUS
    (run_chunk, STORED): the rows INSERT_CONTRIBUTIONS wrote must already be final, so running those passes
    afterwards changes nothing (no row, no transaction)."""
    from django.db import connection

    from enrollment.services.run import INSERT_SUBSIDIES, STATUS, TRANSFER, sql_params
    from enrollment.services.standards import year_policy

    on = dt.date(2026, 6, 1)  # after the deadline: arrears, and transfers dated on the due day
    roster(
        *[
            f"{nid(s)},P{s},employee,320303,{CASES[(s - 1) // 2][1]},,true,,"
            for s in range(1, 2 * len(CASES) + 1)
        ],
        f"{nid(90)},P90,resident,320303,2022-01-01,medical_aid,false,,",
        f"{nid(91)},P91,resident,320303,2022-01-01,,false,,",
    )
    balances(range(1, 2 * len(CASES) + 1))
    contribution_run_year(year=2026, on=on)

    def snapshot():
        return (
            sorted(
                Contribution.objects.values_list("person_id", "individual_paid", "status", "fully_paid_on")
            ),
            sorted(
                ContributionTransaction.objects.values_list(
                    "contribution_id", "kind", "amount", "occurred_on"
                )
            ),
        )

    before = snapshot()
    assert {s for _, _, s, _ in before[0]} >= {"paid", "arrears", "waived"}
    assert {k for _, k, _, _ in before[1]} == {"account_transfer", "fiscal_subsidy"}
    params = {**sql_params(year_policy(2026), on=on), "lo": 0, "hi": 10**12}
    with connection.cursor() as cursor:
        for sql in (INSERT_SUBSIDIES, TRANSFER, STATUS):
            cursor.execute(sql, params)
            assert cursor.rowcount == 0, sql
    assert snapshot() == before
