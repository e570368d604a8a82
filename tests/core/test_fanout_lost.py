"""Issue 20: a fanned-out run whose chunk tasks were lost, or a queued run whose start task was lost, is
re-dispatched by beat, then given up; staff may re-dispatch it from its job page. No worker: a lost chunk is a JobChunk row not done and old, and what is
sent is read back from the real broker (Redis)."""

import base64
import datetime as dt
import json

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benefits.services.accounts import account_create
from enrollment.services.run import JOB
from ltci.core import fanout
from ltci.core.jobs import job_is_running, job_queue, start_lock_sql
from ltci.core.models import JobChunk, JobRun
from ltci.core.roles import ENROLLMENT_CLERK, SETTLEMENT_OFFICER, SUPERVISOR
from ltci.core.tasks import fanout_sweep
from tests.concurrency import other_connection
from tests.institutions import helpers

pytestmark = pytest.mark.django_db
TASK = "enrollment.tasks.contribution_chunk"


@pytest.fixture
def broker():
    """The test broker's default queue, emptied before and after; ``sent()`` reads (task, args) from it."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")

    def sent(*, kwargs=False):
        found = [json.loads(raw) for raw in reversed(client.lrange("celery", 0, -1))]
        client.delete("celery")
        bodies = [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))) for m in found]
        return [(task, body[0], body[1]) if kwargs else (task, body[0]) for task, body in bodies]

    yield sent
    client.delete("celery")


def lost_run(*, chunks=3, done=(), minutes_ago=45, period="2026") -> JobRun:
    """A fanned-out yearly run as fanout_start leaves it, whose last sign of life is ``minutes_ago``."""
    run = JobRun.objects.create(job=JOB, period=period, params={"fanout": chunks, "chunk_task": TASK})
    for n in range(chunks):
        JobChunk.objects.create(run=run, number=n, state="done" if n in done else "pending")
    age(run, minutes_ago)
    return run


def age(run: JobRun, minutes: int) -> None:
    old = timezone.now() - dt.timedelta(minutes=minutes)
    JobRun.objects.filter(pk=run.pk).update(started_at=old)
    JobChunk.objects.filter(run=run).update(sent_at=old, started_at=None, finished_at=None)


def test_lost_chunks_are_sent_again_then_the_run_is_given_up_and_its_year_freed(
    broker, settings, django_capture_on_commit_callbacks
):
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="ltci.core.tasks.fanout_sweep", enabled=True).exists()
    settings.LTCI_FANOUT_STALE_MINUTES, settings.LTCI_FANOUT_REDISPATCH_MAX = 30, 2
    run = lost_run(done=(1,))
    fresh = lost_run(minutes_ago=5, period="2027")  # within the 30 minutes: waits
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_sweep() == f"#{run.pk} resent 2"
    assert broker() == [(TASK, [run.pk, 0]), (TASK, [run.pk, 2])]
    run.refresh_from_db()
    assert run.params["redispatched"] == 1 and run.state == JobRun.State.RUNNING
    assert fanout_sweep() == "nothing stale"  # just sent: a sign of life
    age(run, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_sweep() == f"#{run.pk} resent 2"
    age(run, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_sweep() == f"#{run.pk} given up"
    assert len(broker()) == 2  # the second re-dispatch only
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and run.finished_at
    assert run.params["message"] == {
        "id": "已放弃：分块任务已丢失（%(minutes)s 分钟没有任何进展，未完成的分块已重新派发 %(count)s 次），可以重新启动",
        "args": {"minutes": 30, "count": 2},
    }
    assert not job_is_running(JOB, "2026") and job_is_running(JOB, "2027")
    assert JobRun.objects.get(pk=fresh.pk).state == JobRun.State.RUNNING


def test_a_run_with_a_chunk_held_by_a_worker_or_progressing_is_left_alone(broker):
    held = lost_run()
    JobChunk.objects.filter(run=held, number=1).update(finished_at=timezone.now(), state="done")
    assert fanout_sweep() == "nothing stale"  # a chunk finished just now
    age(held, 45)
    with other_connection() as worker:  # a worker computing chunk 2 holds its lock for as long as it works
        worker.execute(fanout.chunk_lock_sql("pg_advisory_lock"), [held.pk, 2])
        assert fanout_sweep() == f"#{held.pk} busy"
    assert broker() == [] and "redispatched" not in JobRun.objects.get(pk=held.pk).params


def test_with_every_chunk_done_but_the_final_step_lost_the_last_chunk_is_sent_to_finish_the_run(
    broker, django_capture_on_commit_callbacks
):
    run = lost_run(done=(0, 1, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_sweep() == f"#{run.pk} resent 1"
    [(task, args)] = broker()
    assert (task, args) == (TASK, [run.pk, 2])
    # the task's body on a chunk already done computes nothing and finishes the run
    assert fanout.chunk_run(*args, compute=None, finish=lambda run: "年度筹资完成") == "年度筹资完成"
    assert JobRun.objects.get(pk=run.pk).state == JobRun.State.DONE


def _staff(username, *roles):
    user = User.objects.create_user(username, password=helpers.PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def assert_refused_to_others(url: str) -> None:
    """POST ``url`` as everyone but staff of the job's role: refused (login page or 403)."""
    refused = {
        "anonymous": None,
        "staff without the role": _staff("no-role"),
        "staff of another job": _staff("officer", SETTLEMENT_OFFICER),
        "institution user": helpers.portal_user(helpers.institution(code="LOST", active=False)),
        "insured person": account_create(national_id=helpers.national_id(7), name="参保人").user,
    }
    for who, user in refused.items():
        client = Client()
        if user:
            client.force_login(user)
        response = client.post(url)
        assert response.status_code in (302, 403), who
        assert response.status_code == 403 or "/login/" in response["Location"], who


def clerk_on_stale_job_page(run: JobRun, broker) -> tuple[Client, str, str]:
    """Everyone else refused the re-dispatch of ``run`` (nothing sent), then an enrollment clerk on its job
    page: (the clerk's client, the page, the re-dispatch URL)."""
    url = reverse("admin:core_jobrun_redispatch", args=[run.pk])
    assert_refused_to_others(url)
    assert "redispatched" not in JobRun.objects.get(pk=run.pk).params and broker() == []
    client = Client()
    client.force_login(_staff("clerk", ENROLLMENT_CLERK))
    return client, client.get(reverse("admin:core_jobrun_change", args=[run.pk])).content.decode(), url


def test_staff_re_dispatch_a_stale_run_from_its_job_page_others_are_refused(
    broker, django_capture_on_commit_callbacks
):
    run = lost_run(done=(0,))
    client, page, url = clerk_on_stale_job_page(run, broker)
    assert 'id="job-redispatch"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "已重新派发 2 个分块" in response.content.decode()
    assert broker() == [(TASK, [run.pk, 1]), (TASK, [run.pk, 2])]
    assert 'id="job-redispatch"' not in response.content.decode()  # just sent: no longer stale
    assert "已重新派发 1 次" in response.content.decode()

    supervisor = Client()
    supervisor.force_login(_staff("boss", SUPERVISOR))
    response = supervisor.post(url, follow=True)  # not stale any more: refused with the reason
    assert "分钟没有任何进展的后台作业才能重新派发分块" in response.content.decode()
    assert JobRun.objects.get(pk=run.pk).params["redispatched"] == 1


START = "enrollment.tasks.contribution_run_year"


def lost_start(*, minutes_ago=45, period="2026") -> JobRun:
    """A yearly run queued from the staff page whose start message never reached the broker."""
    from enrollment.tasks import contribution_run_year

    run = job_queue(JOB, period, task=contribution_run_year, args=(int(period), f"{period}-01-20"))
    JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return run


def test_a_queued_run_whose_start_was_lost_is_sent_again_and_a_duplicate_start_does_nothing(
    broker, settings, xuzhou, django_capture_on_commit_callbacks
):
    from celery import current_app

    from enrollment.models import Person

    Person.objects.create(national_id="110101194001010019", name="甲", birth_date=dt.date(1940, 1, 1))
    settings.JOBS_FAN_OUT = True
    with django_capture_on_commit_callbacks(execute=False):  # the start message is lost
        run = lost_start()
    fresh = lost_start(minutes_ago=5, period="2027")  # queued 5 minutes ago: may just be waiting
    assert broker() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert fanout_sweep() == f"#{run.pk} start resent"
    [(task, args, kwargs)] = broker(kwargs=True)
    assert (task, args, kwargs) == (START, [2026, "2026-01-20"], {"job_id": run.pk})
    run.refresh_from_db()
    assert run.params["redispatched"] == 1 and run.sent_at and run.state == JobRun.State.RUNNING
    assert fanout_sweep() == "nothing stale"  # just sent: a sign of life
    # the message read back from the broker, run by the task: the run is started and fanned out
    assert (
        current_app.tasks[task].apply(args=args, kwargs=kwargs).get() == f"{JOB} 2026: fanned out in 1 chunks"
    )
    run.refresh_from_db()
    assert run.params["fanout"] == 1 and run.chunks.count() == 1
    # the first message was only slow after all: its copy does nothing
    assert current_app.tasks[task].apply(args=args, kwargs=kwargs).get() == "nothing to do"
    from enrollment.services.run import contribution_fanout

    assert contribution_fanout(year=2026, job=run).pk == run.pk  # fanout_start under the row lock: as it was
    assert run.chunks.count() == 1 and JobRun.objects.get(pk=run.pk).params == run.params
    assert JobRun.objects.get(pk=fresh.pk).params.get("redispatched") is None


def test_a_start_being_run_by_a_worker_is_neither_run_twice_nor_sent_again(broker, settings):
    from enrollment.tasks import contribution_run_year

    run = lost_start()
    with other_connection() as worker:  # a worker running this start holds its lock for as long as it runs
        worker.execute(start_lock_sql("pg_advisory_lock"), [run.pk])
        assert contribution_run_year(2026, "2026-01-20", job_id=run.pk) == "nothing to do"
        assert fanout_sweep() == f"#{run.pk} busy"
    assert broker() == []
    run.refresh_from_db()
    assert "redispatched" not in run.params and run.state == JobRun.State.RUNNING and not run.chunks.exists()


def test_a_queued_run_still_not_started_after_the_maximum_is_failed_with_the_reason(
    broker, settings, django_capture_on_commit_callbacks
):
    settings.LTCI_FANOUT_STALE_MINUTES, settings.LTCI_FANOUT_REDISPATCH_MAX = 30, 2
    run = lost_start()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert fanout_sweep() == f"#{run.pk} start resent"
        JobRun.objects.filter(pk=run.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=31))
    assert len(broker()) == 2
    assert fanout_sweep() == f"#{run.pk} given up"
    assert broker() == []
    run.refresh_from_db()
    assert run.state == JobRun.State.FAILED and run.finished_at
    assert run.params["message"] == {
        "id": "已放弃：启动任务已丢失（%(minutes)s 分钟仍在排队，启动任务已重新发送 %(count)s 次），可以重新启动",
        "args": {"minutes": 30, "count": 2},
    }
    assert run.message == "已放弃：启动任务已丢失（30 分钟仍在排队，启动任务已重新发送 2 次），可以重新启动"
    from django.utils import translation

    with translation.override("en"):
        assert run.message_shown == (
            "Given up: the start task was lost (still queued after 30 minutes, start task sent again 2 times); "
            "the job can be started again"
        )
    # a late copy of the start finds the run given up
    from enrollment.tasks import contribution_run_year

    assert contribution_run_year(2026, "2026-01-20", job_id=run.pk) == "nothing to do"


def test_staff_send_a_lost_start_again_from_the_job_page_others_are_refused(
    broker, django_capture_on_commit_callbacks
):
    run = lost_start()
    client, page, url = clerk_on_stale_job_page(run, broker)
    assert 'id="job-redispatch"' in page and "已排队 30 分钟仍未开始，启动任务可能已丢失。" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "已重新发送该作业的启动任务" in response.content.decode()
    assert broker() == [(START, [2026, "2026-01-20"])]
    assert 'id="job-redispatch"' not in response.content.decode()  # just sent: no longer stale
