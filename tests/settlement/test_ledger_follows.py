"""The ledger follows its sources (SPEC 7.3, issue 14): each writer of money, then reconcile_fund exits 0 with
no sync in between. The postings come from the triggers settlement.services.fund.trigger_sql generates."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from enrollment import tasks as enrollment_tasks
from enrollment.models import Contribution, ContributionTransaction, Person
from enrollment.services.fund import fund_income_record
from institutions.models import Appraisal, Institution
from ltci.core import roles
from settlement import states
from settlement.models import HandlingFee, LedgerEntry
from settlement.services import fund, reports
from settlement.services.run import settlement_run

from .conftest import D, bed_days, new_id, staff


def reconciled() -> str:
    """Run reconcile_fund (no --sync) and fail with its differences unless it exits 0."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("reconcile_fund", stdout=out, stderr=err)
    except SystemExit as exc:
        pytest.fail(f"reconcile_fund exited {exc.code}:\n{err.getvalue()}")
    assert "0 differences" in out.getvalue()
    return out.getvalue()


def posted(prefix: str) -> Decimal:
    return sum(
        LedgerEntry.objects.filter(reference__startswith=prefix).values_list("amount", flat=True),
        Decimal("0"),
    )


def test_the_database_triggers_are_the_ones_the_sources_generate(db):
    """A change of SOURCES needs a migration re-installing trigger_sql(); this fails until it exists."""
    expected = {fund.trigger_name(t, e): body for (t, e), body in fund.trigger_functions().items()}
    assert fund.installed_trigger_functions() == expected


def test_yearly_run_and_payment_import_post_in_their_own_transaction(world):
    employee, resident = new_id(), new_id("19800101")  # the resident is not old enough for the subsidy
    world.persons(
        [
            {"national_id": employee, "insurance_type": "employee", "has_personal_account": "true"},
            {"national_id": resident},
        ]
    )
    world.run(
        "import_account_events",
        ["national_id", "event", "amount", "occurred_on"],
        [{"national_id": employee, "event": "balance", "amount": "500.00", "occurred_on": "2024-01-01"}],
    )
    call_command("run_contributions", "--year", "2024", "--on", "2024-01-05", stdout=io.StringIO())
    assert posted("fund_income:") > 0  # pooled-fund and fiscal parts by headcount
    assert posted("contribution_tx:") == Decimal("20.00")  # the employee's transfer from the account
    reconciled()
    world.contributions([resident])  # reruns the year (books nothing new) and imports the payment
    assert posted("contribution_tx:") == Decimal("40.00")
    reconciled()


def test_arrears_recovered_by_a_credit_and_by_the_daily_job_post_as_they_happen(world):
    """Employee with an empty account: the run leaves 20 short; a credit imported later recovers it (the
    import's own transaction posts the recovery); the daily job then finds nothing more to post."""
    employee = new_id()
    world.persons([{"national_id": employee, "insurance_type": "employee", "has_personal_account": "true"}])
    call_command("run_contributions", "--year", "2024", "--on", "2024-01-05", stdout=io.StringIO())
    reconciled()
    world.run(
        "import_account_events",
        ["national_id", "event", "amount", "occurred_on"],
        [{"national_id": employee, "event": "credit", "amount": "100.00", "occurred_on": "2024-03-05"}],
    )
    recovery = ContributionTransaction.objects.get(kind="arrears_recovery")
    assert LedgerEntry.objects.get(reference=f"contribution_tx:{recovery.pk}").amount == recovery.amount
    reconciled()
    enrollment_tasks.contribution_mark_arrears(on="2024-12-31")
    reconciled()
    assert Contribution.objects.get(person__national_id=employee).status == "paid"


def test_donation_entered_by_staff_posts_at_once(world):
    income = fund_income_record(
        source="donation",
        amount=Decimal("1000.00"),
        booked_on=D(2024, 2, 1),
        donor="某基金会",
        purpose="助老",
    )
    assert LedgerEntry.objects.get(reference=f"fund_income:{income.pk}").account == "income_donation"
    reconciled()


@pytest.fixture
def may(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    cash = world.beneficiary(form="remote_cash")
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    return settlement_run(month=D(2024, 5, 1), actor=officer), officer, nid, cash


def test_the_bank_confirming_a_payment_posts_the_statement_and_payouts(may):
    from django.utils import timezone

    from settlement.imports import import_bank_return
    from settlement.services.payments import AccountInput, bank_account_register, payment_batch_create

    run, officer, _, cash = may
    reconciled()  # a draft spends nothing
    assert posted("statement:") == 0
    run = states.run_transition(run=run, to="audited", actor=officer)
    reconciled()
    run = states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))
    assert posted("statement:") == 0  # approved: not spent until the bank pays (issue 19)
    reconciled()
    inst = Institution.objects.get(code="YL001")
    bank_account_register(institution=inst, data=AccountInput("102", "工行", "1106000000000001", inst.name))
    person = Person.objects.get(national_id=cash)
    bank_account_register(person=person, data=AccountInput("102", "工行", "6222020000000000018", person.name))
    batch = payment_batch_create(run=run)
    today = timezone.localdate().isoformat()
    body = "reference,account_no,amount,status,value_date\n" + "".join(
        f"{p.reference},{p.account.account_no},{p.amount},paid,{today}\n" for p in batch.payments.all()
    )
    import_bank_return(content=body.encode(), filename="return.csv")
    assert posted("statement:") == Decimal("-1302.00")
    payout = LedgerEntry.objects.get(reference__startswith="payout:")
    assert payout.amount == Decimal("-930.00")
    assert payout.region_code == person.region_code
    assert payout.booked_on == timezone.localdate()
    reconciled()
    assert LedgerEntry.objects.filter(source="settlement").count() == 2  # paying posts nothing twice


def test_deposit_release_posts_what_the_fund_keeps(may):
    run, officer, _, _ = may
    states.run_transition(run=run, to="audited", actor=officer)
    states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))
    Appraisal.objects.create(
        institution=Institution.objects.get(code="YL001"), year=2024, total=85, release_rate=Decimal("0.80")
    )
    reports.deposits_release(year=2024)
    assert posted("deposit_kept:") == Decimal("13.02")  # 65.10 withheld - 52.08 released
    reconciled()


def test_handling_fee_posts_on_entry_and_is_append_only(world):
    fee = HandlingFee.objects.create(month=D(2024, 3, 1), amount=Decimal("400.00"), note="三月")
    assert LedgerEntry.objects.get(reference=f"handling_fee:{fee.pk}").amount == Decimal("-400.00")
    reconciled()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        HandlingFee.objects.filter(pk=fee.pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        HandlingFee.objects.filter(pk=fee.pk).delete()
    reconciled()


def test_sync_stays_as_a_repair_for_rows_written_behind_the_triggers(world):
    """A row written with the ledger's triggers disabled (a restore, a bulk load) is reported, and
    ``reconcile_fund --sync`` repairs it."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # as pg_restore loads a table
        fee = HandlingFee.objects.create(month=D(2024, 3, 1), amount=Decimal("50.00"))
        cursor.execute("SET LOCAL session_replication_role = origin")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("reconcile_fund", stdout=io.StringIO(), stderr=err)
    assert f"handling_fee:{fee.pk}: missing from the ledger" in err.getvalue()
    out = io.StringIO()
    call_command("reconcile_fund", "--sync", stdout=out)
    assert "posted 1 new ledger entries" in out.getvalue()
    reconciled()
