"""Progress of a running settlement is visible to staff (SPEC 7.2, 9): stage, stages done/total while it runs,
records done/total once done, timings."""

from django.utils import translation

from ltci.core.models import JobRun
from settlement.services import audit, price
from settlement.services.run import STAGES, settlement_run

from .conftest import D, bed_days


def test_a_running_month_shows_its_stage_and_record_count(world, monkeypatch):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 10)))
    seen = []
    original = audit.audit_records

    def watch(*args, **kwargs):
        job = JobRun.objects.get(job="settlement", period="2024-05", state="running")
        seen.append((job.message, job.done, job.total))
        return original(*args, **kwargs)

    monkeypatch.setattr(audit, "audit_records", watch)
    settlement_run(month=D(2024, 5, 1))
    assert seen == [("审核服务记录", 3, 6)]  # stage 4 of 6: the progress bar's steps
    job = JobRun.objects.get(job="settlement", period="2024-05")
    assert (job.state, job.done, job.total) == ("done", 10, 10)
    for stage in STAGES:  # each with its time, in the viewer's language
        assert stage in job.message
        assert stage in job.message_shown
    with translation.override("en"):
        assert "Auditing service records" in job.message_shown


def test_a_failed_run_is_marked_failed_with_the_reason(world, monkeypatch):
    import pytest

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(price, "price_lines", boom)
    with pytest.raises(RuntimeError):
        settlement_run(month=D(2024, 5, 1))
    job = JobRun.objects.get(job="settlement", period="2024-05")
    assert (job.state, job.message) == ("failed", "disk full")
