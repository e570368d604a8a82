"""The fund ledger (SPEC 7.3): postings derived from the source records, and the reconciliation.

Every posting has a unique reference to its source record, so posting is idempotent (ON CONFLICT DO
NOTHING) and the reconciliation can compare the ledger with what the sources say, posting by posting.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from ..models import LedgerEntry

A = LedgerEntry.Account
INCOME_ACCOUNTS = {
    "pooled_fund": A.INCOME_POOLED_FUND,
    "fiscal": A.INCOME_FISCAL,
    "fiscal_city": A.INCOME_FISCAL,
    "fiscal_district": A.INCOME_FISCAL,
    "fiscal_subsidy": A.INCOME_FISCAL,
    "employer": A.INCOME_EMPLOYER,
    "collective_city": A.INCOME_COLLECTIVE,
    "collective_town": A.INCOME_COLLECTIVE,
    "donation": A.INCOME_DONATION,
    "interest": A.INCOME_INTEREST,
}

# Each source as SQL returning (reference, booked_on, account, source, region, amount, memo).
SOURCES = {
    "fund_income": """
        SELECT 'fund_income:' || f.id, f.booked_on, f.source, 'fund_income', f.region_code, f.amount,
               left(coalesce(nullif(f.donor, ''), f.source) || ' ' || f.year, 200)
        FROM enrollment_fundincome f""",
    # The individual's own money (transfers, payments, recoveries); fiscal payment of the individual part is
    # booked by the yearly run as FundIncome(fiscal_subsidy), so its transactions are not posted twice.
    "contribution": """
        SELECT 'contribution_tx:' || t.id, t.occurred_on, 'income_individual', 'contribution', c.region_code,
               t.amount, t.kind || ' ' || c.year
        FROM enrollment_contributiontransaction t JOIN enrollment_contribution c ON c.id = t.contribution_id
        WHERE t.kind <> 'fiscal_subsidy'""",
    "statement": """
        SELECT 'statement:' || s.id, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date, 'expense_institution',
               'settlement', i.region_code, -(s.fund_payable + s.adjustments),
               left('结算 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        WHERE r.state IN ('approved', 'paid') AND (s.fund_payable + s.adjustments) <> 0""",
    "recovery": """
        SELECT 'recovery:' || s.id, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date, 'income_recovery',
               'settlement', i.region_code, s.recovered, left('追回 ' || to_char(r.month, 'YYYY-MM') || ' ' || i.code, 200)
        FROM settlement_statement s JOIN settlement_settlementrun r ON r.id = s.run_id
        JOIN institutions_institution i ON i.id = s.institution_id
        WHERE r.state IN ('approved', 'paid') AND s.recovered <> 0""",
    "payout": """
        SELECT 'payout:' || p.id, (r.approved_at AT TIME ZONE 'Asia/Shanghai')::date, 'expense_payout', 'settlement',
               pe.region_code, -p.amount, '补助 ' || to_char(r.month, 'YYYY-MM')
        FROM settlement_payout p JOIN settlement_settlementrun r ON r.id = p.run_id
        JOIN enrollment_person pe ON pe.id = p.person_id
        WHERE r.state IN ('approved', 'paid') AND p.amount <> 0""",
    "assessment_fee": """
        SELECT 'assessment_fee:' || a.id, a.incurred_on, 'expense_assessment', 'assessment', a.region_code, -a.amount,
               '评估费 ' || a.kind
        FROM assessment_assessmentfee a WHERE a.payer = 'fund'""",
    # A quality deposit the year-end appraisal does not release stays in the fund (the statement booked it
    # as spent when the month was approved).
    "deposit_kept": """
        SELECT 'deposit_kept:' || d.id, (d.created_at AT TIME ZONE 'Asia/Shanghai')::date, 'income_deposit_kept',
               'settlement', i.region_code, d.withheld - d.released,
               left('扣留保证金 ' || d.year || ' ' || i.code, 200)
        FROM settlement_depositrelease d JOIN institutions_institution i ON i.id = d.institution_id
        WHERE d.withheld - d.released <> 0""",
    "handling_fee": """
        SELECT 'handling_fee:' || h.id, h.month, 'expense_handling', 'handling_fee', h.region_code, -h.amount,
               left('经办服务费 ' || h.note, 200)
        FROM settlement_handlingfee h""",
}


def _expected_sql() -> str:
    return " UNION ALL ".join(f"({sql})" for sql in SOURCES.values())


def _account_case(column: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in INCOME_ACCOUNTS.items())
    return f"CASE {column} {cases} ELSE {column} END"


@transaction.atomic
def ledger_sync() -> int:
    """Post every source record not yet in the ledger; return the number of new postings."""
    sql = f"""
        INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo,
                                            created_at)
        SELECT e.ref, e.booked_on, {_account_case("e.account")}, e.source, coalesce(e.region, ''), e.amount,
               coalesce(e.memo, ''), now()
        FROM ({_expected_sql()}) AS e(ref, booked_on, account, source, region, amount, memo)
        ON CONFLICT (reference) DO NOTHING"""  # noqa: S608 - fixed SQL, no user input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def ledger_post_run(run) -> int:
    """Post an approved run's statements and payouts (and anything else pending)."""
    return ledger_sync()


@dataclass(frozen=True)
class Difference:
    reference: str
    expected: Decimal | None
    booked: Decimal | None

    def __str__(self):
        if self.booked is None:
            return f"{self.reference}: missing from the ledger (source amount {self.expected})"
        if self.expected is None:
            return f"{self.reference}: in the ledger ({self.booked}) without a source record"
        return f"{self.reference}: ledger {self.booked} but source {self.expected}"


def reconcile() -> tuple[list[Difference], dict]:
    """Compare the ledger with the source records; return (differences, totals per account)."""
    sql = f"""
        SELECT coalesce(e.ref, l.reference), e.amount, l.amount
        FROM ({_expected_sql()}) AS e(ref, booked_on, account, source, region, amount, memo)
        FULL OUTER JOIN settlement_ledgerentry l ON l.reference = e.ref
        WHERE e.ref IS NULL OR l.reference IS NULL OR e.amount <> l.amount"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        differences = [Difference(ref, expected, booked) for ref, expected, booked in cursor.fetchall()]
        cursor.execute(
            "SELECT account, sum(amount), count(*) FROM settlement_ledgerentry GROUP BY account "
            "ORDER BY account"
        )
        totals = {account: (total, n) for account, total, n in cursor.fetchall()}
    return differences, totals


def balance(*, until: dt.date | None = None) -> Decimal:
    qs = LedgerEntry.objects.all()
    if until:
        qs = qs.filter(booked_on__lte=until)
    from django.db.models import Sum

    return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")
