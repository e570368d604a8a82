"""Issue 16, jobs: a large import's job page follows the rows processed. The import reports its progress every
PROGRESS_EVERY rows checked (never once per row), then says the checked rows are being written; the task runs
here in-process (as a worker runs it) and the progress stored on the job is read after each report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from institutions.models import Institution
from ltci.core import importing, uploads
from ltci.core.models import JobRun
from ltci.core.tasks import import_job_run
from tests.core.test_upload_jobs import PAGE, institutions_csv


@pytest.fixture
def big(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WEB_SYNC_MAX_ROWS = 2
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 4)


def test_the_job_progress_advances_every_so_many_rows_and_reaches_100(xuzhou, admin_client, big, monkeypatch):
    admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(10))})
    job = JobRun.objects.get(job="file_import.import_institutions")
    assert (job.done, job.total, job.percent) == (0, 0, None)
    stored = []
    report = uploads._progress

    def spy(run, checked, total, writing):
        report(run, checked, total, writing)
        found = JobRun.objects.get(pk=run.pk)
        stored.append((found.done, found.total, found.percent, found.message))

    monkeypatch.setattr(uploads, "_progress", spy)
    import_job_run.apply(args=[job.pk]).get()
    assert stored == [
        (0, 10, 0, "正在检查第 0 / 10 行"),
        (4, 10, 40, "正在检查第 4 / 10 行"),
        (8, 10, 80, "正在检查第 8 / 10 行"),
        (10, 10, 99, "已检查 10 行，正在写入"),
    ]
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.percent) == ("done", 10, 10, 100)
    assert job.message.endswith("导入 10 行，无变化 0 行，拒绝 0 行")
    assert Institution.objects.count() == 10
    status = admin_client.get(f"/admin/core/jobrun/{job.pk}/progress/").json()
    assert status["percent"] == 100 and status["finished"] is True


def test_a_large_file_reports_a_bounded_number_of_times(xuzhou, admin_client, big, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 500)
    admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(1200))})
    job = JobRun.objects.get(job="file_import.import_institutions")
    calls = []
    report = uploads._progress
    monkeypatch.setattr(uploads, "_progress", lambda run, *state: (calls.append(state), report(run, *state)))
    import_job_run.apply(args=[job.pk]).get()
    assert [c[0] for c in calls] == [0, 500, 1000, 1200]


def test_a_file_refused_whole_reports_no_writing(xuzhou, admin_client, big, monkeypatch):
    bad = b"code,name\n" + b"X,Y\n" * 5  # the header lacks required columns
    admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", bad)})
    job = JobRun.objects.get(job="file_import.import_institutions")
    import_job_run.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.state == "done" and "拒绝" in job.message and "正在写入" not in job.message
