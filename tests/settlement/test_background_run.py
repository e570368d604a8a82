"""Issue 16, jobs: the monthly settlement started from the admin runs in Celery, never in the web request; the
page answers at once with a redirect to the job's page (progress bar, result, error report) and a Chinese
message that survives the redirect; roles that may not run it neither see the job nor may start it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ltci.core import roles
from ltci.core.models import JobRun
from settlement.models import SettlementRun
from settlement.tasks import fund_disclosure_pdf, settlement_run_month

from .conftest import D, bed_days, staff

START = "/admin/settlement/settlementrun/start/"


@pytest.fixture
def may(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 10)))


def _start(client, month="2024-05"):
    return client.post(START, {"month": month})


def test_officer_starts_a_month_in_the_background_and_its_page_shows_it_done(may, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    response = _start(client)
    job = JobRun.objects.get(job="settlement", period="2024-05")
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:core_jobrun_change", args=[job.pk]
    )
    assert not SettlementRun.objects.exists()  # nothing ran in the request
    assert job.state == "running" and job.message == "已排队，等待后台执行"
    waiting = client.get(response["Location"])
    page = waiting.content.decode()
    assert [str(m) for m in get_messages(waiting.wsgi_request)] == [
        "2024-05 的月度结算已在后台开始运行，进度见本页。"
    ]
    assert "2024-05 的月度结算已在后台开始运行" in page
    assert 'id="job-progress"' in page and 'data-state="running"' in page and "job-progress.js" in page

    assert (
        settlement_run_month.apply(args=["2024-05"], kwargs={"job_id": job.pk}).get().startswith("2024-05 v1")
    )
    run = SettlementRun.objects.get()
    assert run.job_id == job.pk and run.started_by.username == "officer"
    status = client.get(reverse("admin:core_jobrun_progress", args=[job.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100 and status["finished"] is True
    done = client.get(response["Location"]).content.decode()
    assert 'value="100"' in done and "100%" in done and "完成" in done
    assert 'id="job-result"' in done and "month__exact=2024-05-01" in done
    assert settlement_run_month.apply(args=["2024-05"], kwargs={"job_id": job.pk}).get() == "nothing to do"
    assert SettlementRun.objects.count() == 1


def test_a_running_job_reports_its_stage_as_progress(may, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    job = JobRun.objects.get(pk=_start(client)["Location"].rstrip("/").split("/")[-2])
    JobRun.objects.filter(pk=job.pk).update(message="auditing records", done=3, total=6)
    status = client.get(reverse("admin:core_jobrun_progress", args=[job.pk])).json()
    assert (status["percent"], status["finished"], status["state_label"]) == (50, False, "运行中")


def test_a_failing_job_shows_its_error_report(may, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    job = JobRun.objects.get(pk=_start(client)["Location"].rstrip("/").split("/")[-2])
    # Approved meanwhile (before the worker took the job): the run refuses the month.
    SettlementRun.objects.create(month=D(2024, 5, 1), version=1, state=SettlementRun.State.APPROVED)
    result = settlement_run_month.apply(args=["2024-05"], kwargs={"job_id": job.pk})
    assert result.failed()
    job.refresh_from_db()
    assert job.state == "failed" and "cannot be run again" in job.message
    page = client.get(reverse("admin:core_jobrun_change", args=[job.pk])).content.decode()
    assert "失败" in page and 'class="errornote"' in page and "cannot be run again" in page
    assert 'id="job-result"' not in page


def test_a_month_not_ended_is_refused_at_once_and_nothing_is_queued(world, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    page = client.post(START, {"month": "2999-01"}, follow=True).content.decode()
    assert "尚未结束" in page and not JobRun.objects.filter(job="settlement").exists()
    page = client.post(START, {"month": "abc"}, follow=True)
    assert page.status_code == 200 and not JobRun.objects.filter(job="settlement").exists()


@pytest.mark.parametrize("role", [roles.FUND_ACCOUNTANT, roles.ENROLLMENT_CLERK, roles.BENEFIT_AUDITOR])
def test_roles_that_may_not_run_a_month_neither_start_nor_see_its_job(may, client, role):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    job = JobRun.objects.get(pk=_start(client)["Location"].rstrip("/").split("/")[-2])
    client.force_login(staff("other", role))
    refused = _start(client)
    assert refused.status_code == 403 and 'data-status="403"' in refused.content.decode()
    assert JobRun.objects.filter(job="settlement").count() == 1
    for name in ("admin:core_jobrun_change", "admin:core_jobrun_progress", "admin:core_jobrun_errors"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 403, name
    listing = client.get(reverse("admin:core_jobrun_changelist"))
    assert listing.status_code == 200 and job not in listing.context["cl"].result_list
    assert (
        reverse("admin:settlement_run_start")
        not in client.get(reverse("admin:settlement_settlementrun_changelist")).content.decode()
    )


def test_anonymous_is_sent_to_the_login_page(may, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    job = JobRun.objects.get(pk=_start(client)["Location"].rstrip("/").split("/")[-2])
    client.logout()
    for name in ("admin:core_jobrun_change", "admin:core_jobrun_progress"):
        response = client.get(reverse(name, args=[job.pk]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_supervisor_sees_the_job_of_the_officer(may, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    location = _start(client)["Location"]
    client.force_login(staff("boss", roles.SUPERVISOR))
    assert client.get(location).status_code == 200


REPORTS = "/admin/settlement/settlementrun/reports/"


def test_the_disclosure_pdf_is_made_in_the_background_and_downloaded_from_its_job_page(
    world, client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    assert 'id="disclosure-form"' in client.get(REPORTS, {"year": "2024"}).content.decode()
    response = client.post(f"{REPORTS}?year=2024&format=pdf")
    job = JobRun.objects.get(job="fund_disclosure", period="2024")
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:core_jobrun_change", args=[job.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "2024 年基金收支公布(PDF)正在后台生成，完成后在本页下载。" in page and 'id="job-file"' not in page
    file_url = reverse("admin:core_jobrun_file", args=[job.pk])
    assert client.get(file_url).status_code == 404  # not made yet
    assert (
        fund_disclosure_pdf.apply(args=[2024], kwargs={"job_id": job.pk})
        .get()
        .startswith("fund-disclosure-2024.pdf")
    )
    done = client.get(response["Location"]).content.decode()
    assert 'id="job-file"' in done and file_url in done and 'value="100"' in done
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content[:4] == b"%PDF" and "fund-disclosure-2024.pdf" in download["Content-Disposition"]
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    assert client.get(file_url).status_code == 403 and client.get(response["Location"]).status_code == 403
    assert client.post(f"{REPORTS}?year=2024&format=pdf").status_code == 403
    assert JobRun.objects.filter(job="fund_disclosure").count() == 1


def test_a_report_get_never_starts_an_export(world, client):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    assert client.get(REPORTS, {"year": "2024", "format": "pdf"}).status_code == 200
    assert not JobRun.objects.filter(job="fund_disclosure").exists()
