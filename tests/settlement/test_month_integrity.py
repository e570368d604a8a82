"""One approved or paid version per month (security review, finding 1): a run and an approval of the same
month are serialised by one per-month lock, both re-check under it, and the database refuses a second final
version. The races are reproduced with two real connections, each side held until the other is seen waiting."""

import pytest
from django.db import IntegrityError, connection, transaction

from ltci.core import roles
from ltci.core.models import JobRun
from settlement import states
from settlement.models import LedgerEntry, SettlementRun
from settlement.services.fund import reconcile
from settlement.services.run import SettlementError, settlement_run

from ..concurrency import InThread, wait_until_blocked
from .conftest import D, bed_days, staff

MAY = D(2024, 5, 1)


@pytest.fixture
def audited(world):
    """May 2024 run (v1) and audited by a settlement officer."""
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    return states.run_transition(run=settlement_run(month=MAY, actor=officer), to="audited", actor=officer)


def versions():
    return list(SettlementRun.objects.filter(month=MAY).order_by("version").values_list("version", "state"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_started_before_an_approval_is_refused_when_it_writes(audited):
    boss = staff("boss", roles.SUPERVISOR)
    with transaction.atomic():
        states.run_transition(run=audited, to="approved", actor=boss)
        # The run starts while the approval is not committed: its first check sees an audited month.
        run = InThread(settlement_run, month=MAY)
        assert wait_until_blocked(run) == "advisory"  # the month's lock, before anything is written
    run.join()
    assert isinstance(run.error, SettlementError), run.error or run.result
    assert "is approved (version 1) and cannot be run again" in str(run.error)
    assert versions() == [(1, "approved")]
    assert JobRun.objects.filter(job="settlement").latest("started_at").state == "failed"
    differences, _ = reconcile()
    assert differences == []
    assert LedgerEntry.objects.filter(reference__startswith="statement:").count() == 0  # spent when paid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approval_waiting_for_a_run_that_writes_a_new_version_is_refused(audited):
    boss = staff("boss", roles.SUPERVISOR)
    with transaction.atomic():
        settlement_run(month=MAY)  # v2 replaces the audited v1; the month stays locked until the commit
        approval = InThread(states.run_transition, run=audited, to="approved", actor=boss)
        assert wait_until_blocked(approval) == "advisory"
    approval.join()
    assert isinstance(approval.error, states.TransitionRefused), approval.error or approval.result
    assert "2024-05 第1版已被新版本取代" in str(approval.error)
    assert versions() == [(2, "draft")]
    assert not LedgerEntry.objects.filter(source="settlement").exists()  # nothing of the month posted


def _second_version(approved_run, state="audited", version=2):
    """Another version beside an approved one, as only a race (or a hand-made row) could leave it."""
    return SettlementRun.objects.create(month=approved_run.month, version=version, state=state)


def test_approval_is_refused_while_another_version_of_the_month_is_final(audited):
    approved = states.run_transition(run=audited, to="approved", actor=staff("boss", roles.SUPERVISOR))
    second = _second_version(approved)
    with pytest.raises(states.TransitionRefused, match="已有第1版结算.*已批准"):
        states.run_transition(run=second, to="approved", actor=staff("boss2", roles.SUPERVISOR))
    assert versions() == [(1, "approved"), (2, "audited")]


def test_database_refuses_a_second_final_version_of_a_month(audited):
    approved = states.run_transition(run=audited, to="approved", actor=staff("boss", roles.SUPERVISOR))
    second = _second_version(approved)
    with (
        pytest.raises(IntegrityError, match="run_one_final_version_per_month"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE settlement_settlementrun SET state = 'approved' WHERE id = %s", [second.pk])
    with pytest.raises(IntegrityError, match="run_one_final_version_per_month"), transaction.atomic():
        _second_version(approved, state="paid", version=3)
