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
