"""SPEC 7.2: a month is run only after it has ended (its last day before today, Asia/Shanghai); the current
and future months are refused by every door: the command, the admin's start page and rerun action, the
Celery task. Nothing is written when refused."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ltci.core import roles
from ltci.core.models import JobRun
from settlement import tasks
from settlement.models import SettlementRun
from settlement.services.run import SettlementError, settlement_run

from .conftest import staff


def _months():
    today = timezone.localdate()
    current = today.replace(day=1)
    future = (current + dt.timedelta(days=32)).replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    return previous, current, future


@pytest.mark.parametrize("which", ["current", "future"])
def test_service_refuses_a_month_not_ended(world, which):
    _, current, future = _months()
    month = current if which == "current" else future
    with pytest.raises(SettlementError, match="尚未结束"):
        settlement_run(month=month)
    assert not SettlementRun.objects.exists()
    assert not JobRun.objects.filter(job="settlement").exists()


def test_command_refuses_the_current_month(world):
    _, current, _ = _months()
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("run_settlement", "--month", f"{current:%Y-%m}")
    assert not SettlementRun.objects.exists()


def test_task_refuses_a_future_month(world):
    _, _, future = _months()
    with pytest.raises(SettlementError, match="尚未结束"):
        tasks.settlement_run_month(f"{future:%Y-%m}")
    assert not SettlementRun.objects.exists()


def test_admin_start_page_refuses_the_current_month_with_a_message(world, client):
    _, current, _ = _months()
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    page = client.post("/admin/settlement/settlementrun/start/", {"month": f"{current:%Y-%m}"}, follow=True)
    assert "尚未结束" in page.content.decode()
    assert not SettlementRun.objects.exists()


def test_the_previous_month_runs(world):
    previous, _, _ = _months()
    run = settlement_run(month=previous)
    assert run.month == previous
