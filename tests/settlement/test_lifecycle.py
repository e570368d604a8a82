"""States, four-eyes approval, immutability, adjustments, idempotent and safe runs, the fund ledger."""

import io
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from ltci.core import roles
from settlement import states
from settlement.models import Appeal, LedgerEntry, SettlementLine, SettlementRun, Statement
from settlement.services.run import SettlementError, settlement_run

from .conftest import D, bed_days, line_for, pay_through_the_bank, staff


@pytest.fixture
def may(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    return run, nid, officer


def test_rerun_of_a_draft_replaces_its_lines_with_the_same_result(world, may):
    run, nid, _ = may
    first = world.export()
    call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())
    assert world.export() == first
    assert SettlementRun.objects.filter(month=D(2024, 5, 1)).count() == 1
    assert SettlementRun.objects.get(month=D(2024, 5, 1)).version == 2
    assert SettlementLine.objects.count() == 1


def test_statement_withholds_the_quality_deposit(may):
    run, _, _ = may
    statement = Statement.objects.get(run=run)
    # fund 1302 - 5% deposit 65.10 = 1236.90.
    assert (statement.fund_payable, statement.deposit_withheld, statement.net_payable) == (
        Decimal("1302.00"),
        Decimal("65.10"),
        Decimal("1236.90"),
    )


def test_approval_needs_a_supervisor_who_did_not_run_it(may):
    run, _, officer = may
    states.run_transition(run=run, to="audited", actor=officer)
    with pytest.raises(states.TransitionRefused, match="无权"):
        states.run_transition(run=run, to="approved", actor=officer)
    boss = staff("boss", roles.SUPERVISOR)
    run.refresh_from_db()
    run.started_by = boss
    SettlementRun.objects.filter(pk=run.pk).update(started_by=boss)
    with pytest.raises(states.TransitionRefused, match="双人复核"):
        states.run_transition(run=run, to="approved", actor=boss)
    other = staff("other", roles.SUPERVISOR)
    assert states.run_transition(run=run, to="approved", actor=other).state == "approved"


def test_draft_cannot_be_approved_directly(may):
    run, _, _ = may
    with pytest.raises(states.TransitionRefused, match="不能从"):
        states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))


def _approve(run, officer):
    states.run_transition(run=run, to="audited", actor=officer)
    return states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))


def test_approved_month_is_immutable_in_the_database(may):
    run, _, officer = may
    _approve(run, officer)
    with pytest.raises(IntegrityError, match="approved"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE settlement_settlementline SET reason_codes = '{TAMPERED}'")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlement_recordaudit")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE settlement_settlementrun SET state = 'draft'")


def test_running_an_approved_month_is_refused(may):
    run, _, officer = may
    _approve(run, officer)
    with pytest.raises(CommandError, match="approved.*adjustment"):
        call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())


def test_paid_when_the_bank_confirms_every_payment(may):
    run, nid, officer = may
    run = _approve(run, officer)
    accountant = staff("acc", roles.FUND_ACCOUNTANT)
    with pytest.raises(states.TransitionRefused, match="银行回单"):
        states.run_transition(run=run, to="paid", actor=accountant)
    batch = pay_through_the_bank(run)
    payment = batch.payments.get()
    assert (payment.statement.institution.code, payment.amount) == ("YL001", Decimal("1236.90"))
    run.refresh_from_db()
    assert run.state == "paid"


def test_upheld_appeal_becomes_an_adjustment_line_in_a_later_month(world):
    from settlement.services.appeals import appeal_create, appeal_decide

    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-10", "discharged_on": "2024-05-11"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = _approve(settlement_run(month=D(2024, 5, 1), actor=officer), officer)
    line = SettlementLine.objects.get(run=run)
    assert line.rejected_amount == Decimal("60.00")
    appeal = appeal_create(institution=line.institution, line=line, comment="当日未住院", actor=None)
    appeal_decide(appeal=appeal, upheld=True, amount=Decimal("42.00"), actor=officer)
    world.settle("2024-06")
    adjustment = SettlementLine.objects.get(run__month=D(2024, 6, 1), is_adjustment=True)
    assert (adjustment.fund_amount, adjustment.rejected_amount, adjustment.charged_amount) == (
        Decimal("42.00"),
        Decimal("-42.00"),
        Decimal("0.00"),
    )
    assert Statement.objects.get(run__month=D(2024, 6, 1)).adjustments == Decimal("42.00")
    assert Appeal.objects.get().settled_in.month == D(2024, 6, 1)
    # the June re-run keeps the adjustment exactly once
    world.settle("2024-06")
    assert SettlementLine.objects.filter(run__month=D(2024, 6, 1), is_adjustment=True).count() == 1
    line.refresh_from_db()
    assert line.fund_amount == Decimal("1260.00")  # the approved May line is untouched


def test_concurrent_start_is_refused(may, django_db_blocker):
    from ltci.core.jobs import job_lock

    holder_ready, release = threading.Event(), threading.Event()

    def hold():
        with django_db_blocker.unblock():
            from django.db import connections

            with job_lock("settlement", "2024-05"):
                holder_ready.set()
                release.wait(10)
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    holder_ready.wait(10)
    try:
        with pytest.raises(SettlementError, match="正在运行"):
            settlement_run(month=D(2024, 5, 1))
    finally:
        release.set()
        thread.join()


def test_a_run_killed_midway_leaves_the_previous_result(world, may, monkeypatch):
    before = world.export()
    from settlement.services import write

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(write, "_statements", crash)
    with pytest.raises(KeyboardInterrupt):
        settlement_run(month=D(2024, 5, 1))
    monkeypatch.undo()
    assert world.export() == before
    settlement_run(month=D(2024, 5, 1))
    assert world.export() == before


def test_ledger_reconciles_after_approval_and_payment(world, may):
    run, nid, officer = may
    run = _approve(run, officer)
    out = io.StringIO()
    call_command("reconcile_fund", stdout=out)  # no sync: the ledger follows by itself
    assert "0 differences" in out.getvalue()
    assert not LedgerEntry.objects.filter(reference__startswith="statement:").exists()  # not paid yet
    pay_through_the_bank(run)
    call_command("reconcile_fund", stdout=out)
    assert out.getvalue().endswith("0 differences\n")
    statement = LedgerEntry.objects.get(reference__startswith="statement:")
    assert statement.amount == Decimal("-1302.00")
    assert LedgerEntry.objects.filter(account="income_fiscal").exists()  # posted by the yearly run itself


def test_reconcile_reports_a_ledger_entry_without_source(world, may):
    LedgerEntry.objects.create(
        booked_on=D(2024, 5, 1),
        account="income_donation",
        source="manual",
        amount=Decimal("10.00"),
        reference="manual:1",
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("reconcile_fund", "--sync", stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1
    assert "manual:1: in the ledger (10.00) without a source record" in err.getvalue()


def test_ledger_is_append_only(world):
    entry = LedgerEntry.objects.create(
        booked_on=D(2024, 5, 1),
        account="income_donation",
        source="x",
        amount=Decimal("1.00"),
        reference="x:1",
    )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_payouts_follow_their_payment_into_the_ledger(world):
    nid = world.beneficiary(form="remote_cash")
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    pay_through_the_bank(_approve(settlement_run(month=D(2024, 5, 1), actor=officer), officer))
    assert LedgerEntry.objects.get(reference__startswith="payout:").amount == Decimal("-930.00")
    assert line_for(world.export(), nid)["fund_amount"] == "930.00"


def test_job_progress_is_recorded(may):
    from ltci.core.models import JobRun

    job = JobRun.objects.get(job="settlement", period="2024-05")
    assert (job.state, job.done, job.total) == ("done", 31, 31)


def test_status_page_months_show_only_audited_results(world, may):
    from enrollment.models import Person
    from settlement.selectors import person_months

    run, nid, officer = may
    person = Person.objects.get(national_id=nid)
    assert person_months(person=person) == []  # a draft is internal
    states.run_transition(run=run, to="audited", actor=officer)
    months = person_months(person=person)
    assert (months[0]["month"], months[0]["fund"], months[0]["personal"]) == (
        D(2024, 5, 1),
        Decimal("1302.00"),
        Decimal("558.00"),
    )


def test_bank_payment_list_pdf_for_institutions_and_persons_is_reissued_identically(world, may):
    from settlement.services.reports import payment_list_pdf

    run, nid, officer = may
    with pytest.raises(SettlementError, match="approve"):
        payment_list_pdf(run)
    world.beneficiary(form="remote_cash")
    run = _approve(settlement_run(month=D(2024, 5, 1), actor=officer), officer)
    first = payment_list_pdf(run)
    assert first[:4] == b"%PDF" and payment_list_pdf(run) == first


def _violation(code, found_on, amount, penalty="0.00"):
    from institutions.models import Institution, Violation

    return Violation.objects.create(
        institution=Institution.objects.get(code=code),
        type="false_records",
        description="虚报床日",
        found_on=found_on,
        amount_to_recover=Decimal(amount),
        penalty=Decimal(penalty),
        action="rectification",
    )


def test_recovered_violation_amounts_are_deducted_once(world, may):
    run, nid, officer = may
    first = _violation("YL001", D(2024, 5, 20), "100.00", "50.00")
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    statement = Statement.objects.get(run=run)
    # fund 1302, deposit 5% 65.10, recovered 150: net 1086.90.
    assert (statement.recovered, statement.net_payable, statement.violation_ids) == (
        Decimal("150.00"),
        Decimal("1086.90"),
        [first.pk],
    )
    later = _violation("YL001", D(2024, 5, 25), "30.00")  # found after the run: not in this statement
    _approve(run, officer)
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.deducted_in, later.deducted_in) == ("2024-05", "")


def test_approval_is_refused_when_another_month_deducted_the_same_violation(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(
        bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31))
        + bed_days("YL001", nid, D(2024, 6, 1), D(2024, 6, 30))
    )
    _violation("YL001", D(2024, 5, 2), "100.00")
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    may_run = settlement_run(month=D(2024, 5, 1), actor=officer)
    june_run = settlement_run(month=D(2024, 6, 1), actor=officer)
    assert Statement.objects.get(run=june_run).recovered == Decimal("100.00")  # May is not approved yet
    _approve(may_run, officer)
    states.run_transition(run=june_run, to="audited", actor=officer)
    with pytest.raises(states.TransitionRefused, match="重新运行"):
        states.run_transition(run=june_run, to="approved", actor=User.objects.get(username="boss"))
    june_run = settlement_run(month=D(2024, 6, 1), actor=officer)
    assert Statement.objects.get(run=june_run).recovered == Decimal("0.00")
