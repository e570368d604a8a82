"""Finding 6 (issue 13): a big portal upload of service records runs as a job its institution follows."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ltci.core.models import JobRun
from ltci.core.tasks import import_job_run
from settlement.models import ServiceRecord

from .conftest import bed_days
from .test_import_amounts import csv_bytes
from .test_portal_api import portal_user, staff_user


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WEB_SYNC_MAX_ROWS = 2
    return tmp_path


def test_a_big_portal_upload_runs_as_a_job_seen_by_its_institution_only(
    world, client, media, django_capture_on_commit_callbacks
):
    nid = world.beneficiary(form="residential", institution="YL001")
    client.force_login(portal_user("YL001"))
    rows = bed_days("YL001", nid, dt.date(2024, 5, 1), dt.date(2024, 5, 4))
    with django_capture_on_commit_callbacks():
        response = client.post(
            "/portal/settlement/upload/", {"file": SimpleUploadedFile("may.csv", csv_bytes(rows))}
        )
    job = JobRun.objects.get(job="file_import.import_service_records")
    url = f"/portal/settlement/upload/jobs/{job.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    assert "已转入后台作业" in client.get(url).content.decode() and not ServiceRecord.objects.exists()
    import_job_run.apply(args=[job.pk])
    page = client.get(url).content.decode()
    assert "共 4 行：新增 4" in page and ServiceRecord.objects.count() == 4
    other = type(client)()
    other.force_login(portal_user("YY001"))
    assert other.get(url).status_code == 404
    anonymous = type(client)()
    assert anonymous.get(url).status_code == 302
    staff = type(client)()
    staff.force_login(staff_user("s"))
    assert staff.get(url).status_code == 403
