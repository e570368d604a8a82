"""Issue 16, every long job runs in Celery: a staff list over the web request's limit is exported by a Celery job
(ltci.core.tasks.list_export_run); the page redirects to the job's page, whose progress follows the rows
written, and the file is offered there to the user who started the export only."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ltci.core import admin_exports, roles
from ltci.core.models import JobRun
from ltci.core.tasks import list_export_run
from tests.core.test_admin_exports import LEDGER, ledger  # noqa: F401 -- the ledger rows fixture
from tests.institutions import helpers


def _staff(username, *role_names):
    user = User.objects.create_user(username, password=helpers.PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=role_names))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def over_limit(ledger, settings):  # noqa: F811
    settings.EXPORT_SYNC_MAX_ROWS = 2


def _queue(client, fmt="xlsx", query="?region_code=320302"):
    response = client.get(LEDGER.format(fmt=fmt) + query)
    job = JobRun.objects.get(job="list_export")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_jobrun_change", args=[job.pk])
    return response, job


def test_a_list_over_the_limit_is_exported_by_a_job_and_downloaded_from_its_page(over_limit):
    accountant = _staff("exp-acc", roles.FUND_ACCOUNTANT)
    response, job = _queue(accountant)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "共 3 条记录，超过在线导出上限 2 条，已转为后台导出" in message
    assert job.state == "running" and job.params["model_name"] == "ledgerentry"
    assert job.params["query"] == "region_code=320302" and job.started_by.username == "exp-acc"
    page = accountant.get(response["Location"]).content.decode()
    assert "列表导出" in page and 'id="job-progress"' in page
    assert accountant.get(reverse("admin:core_jobrun_file", args=[job.pk])).status_code == 404  # not yet

    assert list_export_run.apply(args=[job.pk]).get().startswith("已导出 3 条记录")
    job.refresh_from_db()
    assert (job.state, job.percent) == ("done", 100)
    done = accountant.get(response["Location"]).content.decode()
    file_url = reverse("admin:core_jobrun_file", args=[job.pk])
    assert file_url in done
    download = accountant.get(file_url)
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet.max_row == 4 and sheet["A1"].value == "记账日期"
    assert list_export_run.apply(args=[job.pk]).get() == "nothing to do"  # safe to run twice


def test_a_csv_export_job_keeps_the_filters(over_limit, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    root = _staff("exp-sup", roles.SUPERVISOR)
    _response, job = _queue(root, fmt="csv", query="?account__exact=income_fiscal")
    list_export_run.apply(args=[job.pk])
    text = root.get(reverse("admin:core_jobrun_file", args=[job.pk])).content.decode("utf-8")
    assert text.startswith("\ufeff") and len(text.strip().splitlines()) == 3  # the header and the 2 rows


def test_progress_is_stored_every_so_many_rows(over_limit, monkeypatch):
    monkeypatch.setattr(admin_exports, "PROGRESS_EVERY", 1)
    seen = []
    original = admin_exports._export

    def spy(*args, progress=None, **kwargs):
        def record(done):
            progress(done)
            seen.append(JobRun.objects.get(job="list_export").done)

        return original(*args, progress=record, **kwargs)

    monkeypatch.setattr(admin_exports, "_export", spy)
    _response, job = _queue(_staff("exp-acc2", roles.FUND_ACCOUNTANT))
    list_export_run.apply(args=[job.pk])
    assert seen == [1, 2, 3]
    job.refresh_from_db()
    assert (job.done, job.total) == (1, 1)  # the finished job counts its one file


def test_only_the_user_who_started_the_export_sees_its_page_and_file(over_limit):
    _response, job = _queue(_staff("exp-owner", roles.FUND_ACCOUNTANT))
    list_export_run.apply(args=[job.pk])
    urls = [
        reverse("admin:core_jobrun_change", args=[job.pk]),
        reverse("admin:core_jobrun_file", args=[job.pk]),
        reverse("admin:core_jobrun_progress", args=[job.pk]),
    ]
    same_role = _staff("exp-other", roles.FUND_ACCOUNTANT)
    supervisor = _staff("exp-boss", roles.SUPERVISOR)
    no_role = _staff("exp-norole")
    for client in (same_role, supervisor, no_role):
        assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert str(job.pk) not in [
        str(pk)
        for pk in same_role.get("/admin/core/jobrun/").context["cl"].result_list.values_list("pk", flat=True)
    ]
    anonymous = Client().get(urls[1])
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    portal = Client()
    portal.force_login(helpers.plain_user("exp-portal"))
    assert portal.get(urls[1]).status_code == 302
    root = Client()
    root.force_login(helpers.plain_user("exp-root", is_staff=True, is_superuser=True))
    assert root.get(urls[1]).status_code == 200


def test_a_role_that_may_not_open_the_list_cannot_start_its_export(over_limit):
    clerk = _staff("exp-clerk", roles.ENROLLMENT_CLERK)
    assert clerk.get(LEDGER.format(fmt="xlsx")).status_code == 403
    assert not JobRun.objects.exists()


def test_an_export_whose_starter_lost_the_role_fails_with_the_reason(over_limit):
    _response, job = _queue(_staff("exp-leaver", roles.FUND_ACCOUNTANT))
    User.objects.get(username="exp-leaver").groups.clear()
    with pytest.raises(Exception):  # noqa: B017 -- the worker's log gets the error; the job says why
        list_export_run.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.state == "failed" and job.message == "导出人已无权查看该列表"
