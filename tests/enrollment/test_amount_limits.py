"""Finding 5 (issue 13): large or odd amounts are row errors (row, field, reason), never a 500 or a traceback."""

import pytest
from django.core.management import call_command
from django.utils import translation

from enrollment.imports import import_account_events, import_payments
from enrollment.models import AccountEvent, ContributionTransaction
from ltci.core.models import ImportBatch

from .conftest import nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


PAY = "national_id,year,amount,paid_on,channel,payer_national_id\n"


@pytest.fixture
def people(roster):
    roster(
        f"{nid(1)},甲,resident,320302,2022-01-01,,false,,", f"{nid(3)},乙,employee,320303,2022-01-01,,true,,"
    )


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1E+30", "'1E+30' is not an amount"),
        ("1E+13", "'1E+13' is not an amount"),
        ("1_000", "'1_000' is not an amount"),
        ("NaN", "'NaN' is not an amount"),
        ("-Infinity", "'-Infinity' is not an amount"),
        ("10000000000000", "'10000000000000' exceeds the maximum of 999999999999.99"),
    ],
)
def test_payment_amounts_out_of_notation_or_range_are_row_errors(people, amount, reason):
    body = f"{PAY}{nid(1)},2026,{amount},2026-01-10,cash,\n{nid(1)},2026,5.00,2026-01-10,cash,\n"
    with translation.override("en"):
        report = import_payments(content=body.encode(), filename="p.csv")
    expected = f"row 2, field amount: {reason}"
    assert [str(e)[: len(expected)] for e in report.errors] == [expected]
    assert report.applied == 1 and ContributionTransaction.objects.filter(kind="payment").count() == 1
    assert ImportBatch.objects.get(kind="payments").error_report.splitlines()[1].startswith("2,amount,")


def test_account_balance_with_thousands_separator_is_read(people):
    body = f'national_id,event,amount,occurred_on\n{nid(3)},balance,"1,234.50",2026-01-01\n'
    assert import_account_events(content=body.encode(), filename="e.csv").errors == []
    assert str(AccountEvent.objects.get().amount) == "1234.50"


def test_command_reports_the_huge_amount_instead_of_a_traceback(people, tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text(f"{PAY}{nid(1)},2026,1E+13,2026-01-10,cash,\n", encoding="utf-8")
    with translation.override("en"):
        call_command("import_payments", str(path))
    assert "row 2, field amount: '1E+13' is not an amount" in capsys.readouterr().err
    assert (tmp_path / "p.csv.errors.csv").exists()
    assert not ContributionTransaction.objects.exists()
