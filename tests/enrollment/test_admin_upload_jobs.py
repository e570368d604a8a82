"""Finding 6 (issue 13): a big roster uploaded in the admin runs as a job; the page follows it; other staff
cannot open it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from enrollment.models import Person
from ltci.core.models import ImportBatch, JobRun
from ltci.core.tasks import import_job_run

from .conftest import ROSTER_HEADER, nid
from .test_admin import clerk, stranger  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


PAGE = "/admin/enrollment/person/import/roster/"


def test_big_roster_upload_is_queued_and_its_report_shown(
    client,
    clerk,  # noqa: F811
    stranger,  # noqa: F811
    xuzhou,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WEB_SYNC_MAX_ROWS = 2
    client.force_login(clerk)
    body = (
        ROSTER_HEADER
        + "".join(f"{nid(i)},人{i},employee,320302,2022-01-01,,true,,\n" for i in (1, 3, 5))
        + f"{nid(7)},人7,employee,999999,2022-01-01,,true,,\n"
    ).encode()
    with django_capture_on_commit_callbacks():
        response = client.post(
            PAGE, {"file": SimpleUploadedFile("roster.csv", body, content_type="text/csv")}
        )
    job = JobRun.objects.get(job="file_import.import_roster")
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?job={job.pk}"
    assert (
        "已转入后台作业" in client.get(response["Location"]).content.decode() and not Person.objects.exists()
    )
    import_job_run.apply(args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    batch = ImportBatch.objects.get()
    assert "共 4 行，导入 3 行" in page and "未知的行政区划代码 999999" in page
    assert f"/admin/enrollment/person/import-errors/{batch.pk}/" in page
    assert Person.objects.count() == 3 and batch.created_by == clerk
    client.force_login(stranger)
    assert client.get(response["Location"]).status_code == 403
    assert client.get(f"/admin/enrollment/person/import/payments/?job={job.pk}").status_code == 403
