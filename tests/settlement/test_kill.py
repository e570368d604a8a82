"""A settlement run killed for real in the middle of writing leaves the previous result, and the next run gives
exactly the result of a clean run (SPEC 7.2, 12). The test kills the command's process from outside
(tests/outside.py): it holds the violations table, which the write reads for the statements after it has
written the lines and the record audits, and SIGKILLs the process once PostgreSQL shows it waiting there."""

import io

import pytest
from django.core.management import call_command

from ltci.core.models import JobRun
from settlement.models import RecordAudit, SettlementLine, SettlementRun, Statement
from tests.outside import Command, kill_when_blocked, run_command

from .conftest import D, bed_days


def export():
    out = io.StringIO()
    call_command("export_settlement", "--month", "2024-05", stdout=out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_run_keeps_the_previous_draft_and_the_next_run_is_clean(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 10)))
    call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())
    before = export()
    world.records(bed_days("YL001", nid, D(2024, 5, 11), D(2024, 5, 20)))  # the next run has more to do

    job = Command("run_settlement", "--month", "2024-05")
    blocked = kill_when_blocked(
        job, "LOCK TABLE institutions_violation IN ACCESS EXCLUSIVE MODE", terminate=False
    )
    # killed mid-write: the new lines and audits were written (uncommitted), the statements not yet
    assert {"settlement_settlementline", "settlement_recordaudit"} <= blocked.written, blocked
    assert "settlement_statement" in blocked.written  # the previous draft's statements deleted, uncommitted
    assert "institutions_violation" in blocked.query
    assert export() == before  # nothing half-written: the previous draft stands
    assert SettlementRun.objects.count() == 1 and RecordAudit.objects.count() == 10
    assert Statement.objects.count() == 1
    assert JobRun.objects.filter(job="settlement", state="running").count() == 1  # the killed job

    code, out, err = run_command("run_settlement", "--month", "2024-05")
    assert code == 0, err
    after = export()
    assert after != before and f"YL001,{nid},residential,20,1200.00,840.00,360.00,0.00," in after
    assert JobRun.objects.filter(job="settlement", state="running").count() == 0
    call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())  # a clean run in-process
    assert export() == after
    assert SettlementLine.objects.count() == 1 and RecordAudit.objects.count() == 20
