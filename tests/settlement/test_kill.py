"""A settlement run killed for real (SIGKILL in the middle of writing) leaves the previous result, and the
next run gives exactly the result of a clean run (SPEC 7.2, 12)."""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ltci.core.models import JobRun
from settlement.models import RecordAudit, SettlementLine, SettlementRun

from .conftest import D, bed_days

ROOT = Path(__file__).resolve().parents[2]


def run_settlement(**env):
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    full = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "ltci.settings.local", **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "run_settlement", "--month", "2024-05"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


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

    killed = run_settlement(LTCI_TEST_KILL_IN_WRITE="1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert export() == before  # nothing half-written: the previous draft stands
    assert SettlementRun.objects.count() == 1 and RecordAudit.objects.count() == 10
    assert JobRun.objects.filter(job="settlement", state="running").count() == 1  # the killed job

    resumed = run_settlement()
    assert resumed.returncode == 0, resumed.stderr
    after = export()
    assert after != before and f"YL001,{nid},residential,20,1200.00,840.00,360.00,0.00," in after
    assert JobRun.objects.filter(job="settlement", state="running").count() == 0
    call_command("run_settlement", "--month", "2024-05", stdout=io.StringIO())  # a clean run in-process
    assert export() == after
    assert SettlementLine.objects.count() == 1 and RecordAudit.objects.count() == 20
