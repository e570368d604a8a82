"""Issue 20, without workers: a fanned-out run holds its year or month by its row (an in-process run and a
second fan-out are refused while it runs), and the settlement's persons are cut into chunks that keep
together what spans persons. The runs through real workers: tests/settlement/test_fanout_workers.py."""

import datetime as dt

import pytest

from enrollment.services.run import JOB, contribution_fanout, contribution_run_year
from ltci.core.jobs import JobAlreadyRunning, job_is_running
from ltci.core.models import JobChunk, JobRun
from settlement.services.fanout import cut

pytestmark = pytest.mark.django_db


def test_a_fanned_out_year_refuses_a_second_start_in_process_or_fanned_out(xuzhou):
    from enrollment.models import Person

    Person.objects.create(national_id="110101194001010019", name="甲", birth_date=dt.date(1940, 1, 1))
    run = contribution_fanout(year=2026, on=dt.date(2026, 1, 20), chunk_size=1)  # tasks sent on commit only
    assert (
        run.state == JobRun.State.RUNNING and run.params["fanout"] == JobChunk.objects.filter(run=run).count()
    )
    assert run.params["chunk_task"] == "enrollment.tasks.contribution_chunk"  # what a re-dispatch sends
    assert job_is_running(JOB, "2026")
    with pytest.raises(JobAlreadyRunning):
        contribution_run_year(year=2026, on=dt.date(2026, 1, 20))
    with pytest.raises(JobAlreadyRunning):
        contribution_fanout(year=2026, on=dt.date(2026, 1, 20))
    assert not job_is_running(JOB, "2025")
    JobRun.objects.filter(pk=run.pk).update(state=JobRun.State.FAILED)  # given up: the year is free again
    assert not job_is_running(JOB, "2026")
    assert contribution_run_year(year=2026, on=dt.date(2026, 1, 20)).state == JobRun.State.DONE


def test_the_persons_are_cut_in_order_with_each_group_whole_in_its_first_persons_chunk():
    persons = list(range(1, 11))
    assert cut(persons, [], 3) == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]
    # 2 and 9 share a crowded institution-day, 9 and 5 another: one group, in the chunk of 2
    assert cut(persons, [[9, 2], [5, 9]], 3) == [[1, 2, 5, 9], [3, 4, 6], [7, 8, 10]]
    assert cut([], [[]], 3) == [[]]
