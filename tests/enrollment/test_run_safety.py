"""The yearly run survives a real kill and refuses a concurrent second start (SPEC 9, 12). The kill comes from
outside (tests/outside.py): the test holds a person of the second chunk, whose commit checks that person's
row, and SIGKILLs the command (and ends its connection) once PostgreSQL shows that commit waiting."""

import datetime as dt

import pytest
from django.db import connection

from enrollment.models import AccountEvent, Contribution, ContributionTransaction, FundIncome, Person
from enrollment.services.run import JOB, contribution_run_year
from ltci.core.jobs import JobAlreadyRunning, lock_key
from ltci.core.models import JobRun
from tests.concurrency import other_connection
from tests.outside import Command, kill_when_blocked, run_command

from .conftest import nid

RUN = ("--year", "2026", "--on", "2026-02-03", "--chunk-size", "4")


def make_city(roster, n=12):
    rows = [
        f"{nid(i)},人{i},{'employee' if i % 2 else 'resident'},320302,2022-01-01,,{'true' if i % 2 else 'false'},,"
        for i in range(1, n + 1)
    ]
    assert roster(*rows).errors == []
    for p in Person.objects.filter(has_personal_account=True):
        AccountEvent.objects.create(
            person=p, event="balance", amount=p.pk % 3 * 10, occurred_on=dt.date(2026, 1, 1)
        )


def snapshot():
    contributions = sorted(
        Contribution.objects.values_list(
            "person__national_id", "status", "individual_paid", "fully_paid_on", "due_by"
        )
    )
    txs = sorted(
        ContributionTransaction.objects.values_list(
            "contribution__person__national_id", "kind", "amount", "occurred_on"
        )
    )
    income = sorted(FundIncome.objects.values_list("source", "region_code", "headcount", "amount"))
    return contributions, txs, income


def truncate_results():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE enrollment_contributiontransaction, enrollment_fundincome, "
            "enrollment_historicalcontribution, enrollment_contribution"
        )
    JobRun.objects.filter(job=JOB).delete()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_killed_after_first_chunk_resumes_to_the_clean_result(roster):
    make_city(roster)
    first = Person.objects.order_by("id").first().pk
    job = Command("run_contributions", *RUN)
    blocked = kill_when_blocked(
        job,
        "SELECT id FROM enrollment_person WHERE id >= %(lo)s AND id < %(hi)s ORDER BY id LIMIT 1 FOR UPDATE",
        params={"lo": first + 4, "hi": first + 8},  # the second chunk of 4 ids
        terminate=True,  # it waits in its COMMIT, which would complete once the lock is released
    )
    assert blocked.query == "COMMIT" and "enrollment_contribution" in blocked.written, blocked
    partial = Contribution.objects.count()
    assert 0 < partial < 12
    run = JobRun.objects.get(job=JOB)
    assert run.state == "running" and run.params["next_id"] == first + 4  # the first chunk committed
    assert set(Contribution.objects.values_list("person_id", flat=True)) <= set(range(first, first + 4))

    code, out, err = run_command("run_contributions", *RUN)
    assert code == 0, err
    assert JobRun.objects.filter(state="done").count() == 1
    after_resume = snapshot()
    truncate_results()
    contribution_run_year(year=2026, on=dt.date(2026, 2, 3), chunk_size=4)
    assert snapshot() == after_resume
    assert len(after_resume[0]) == 12


def test_second_start_refused_while_the_lock_is_held(roster):
    make_city(roster, n=2)
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key(JOB, "2026")])
        with pytest.raises(JobAlreadyRunning, match="正在运行"):
            contribution_run_year(year=2026)
    assert not Contribution.objects.exists()
