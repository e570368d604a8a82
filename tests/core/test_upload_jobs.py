"""Finding 6 (issue 13): web uploads are bounded; a big file runs as a Celery job whose result the upload page
shows; only the right users see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from institutions.models import Institution
from ltci.core.models import ImportBatch, JobRun
from ltci.core.tasks import import_job_run


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


INSTITUTIONS = (
    "code,name,type,region_code,credit_code,care_forms,beds,agreement_from,agreement_to,"
    "insurance_expires_on,price_life,price_medical\n"
)
PAGE = "/admin/institutions/institution/import/"


def institutions_csv(n: int) -> bytes:
    return (
        INSTITUTIONS
        + "".join(
            f"XZ{i:04d},机构{i},elderly_care,320302,,residential,3,2026-01-01,2028-12-31,2027-01-31,,\n"
            for i in range(1, n + 1)
        )
    ).encode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WEB_SYNC_MAX_ROWS = 2
    return tmp_path


def test_a_big_admin_upload_runs_as_a_job_and_the_page_shows_its_report(
    xuzhou, admin_client, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sent:
        response = admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(3))})
    job = JobRun.objects.get(job="file_import.import_institutions")
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?job={job.pk}"
    assert len(sent) == 1 and not ImportBatch.objects.exists() and not Institution.objects.exists()
    waiting = admin_client.get(f"{PAGE}?job={job.pk}").content.decode()
    assert "已转入后台作业" in waiting and f"#{job.pk}" in waiting
    assert import_job_run.apply(args=[job.pk]).get() == "inst.csv：共 3 行，导入 3 行，无变化 0 行，拒绝 0 行"
    job.refresh_from_db()
    assert job.state == "done" and job.params["batch"] == ImportBatch.objects.get().pk
    assert Institution.objects.count() == 3 and not list((media / "imports").iterdir())
    done = admin_client.get(f"{PAGE}?job={job.pk}").content.decode()
    assert "共 3 行，导入 3 行" in done
    assert import_job_run.apply(args=[job.pk]).get() == "nothing to do"
    assert ImportBatch.objects.count() == 1


def test_a_small_admin_upload_is_imported_at_once(xuzhou, admin_client, media):
    response = admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(2))})
    assert response.status_code == 200 and "共 2 行，导入 2 行" in response.content.decode()
    assert not JobRun.objects.exists()


def test_an_upload_over_the_web_limit_is_refused_and_never_stored(xuzhou, admin_client, media, settings):
    settings.IMPORT_WEB_MAX_BYTES = 1000
    body = institutions_csv(2) + b"#" * 100_000
    response = admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", body)}, follow=True)
    assert "超过上限" in response.content.decode()
    assert (
        not ImportBatch.objects.exists() and not JobRun.objects.exists() and not Institution.objects.exists()
    )


def test_the_job_page_of_another_import_is_not_shown(
    xuzhou, admin_client, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(3))})
    job = JobRun.objects.get()
    assert admin_client.get(f"/admin/institutions/caregiver/import/?job={job.pk}").status_code == 404


def test_staff_without_the_role_cannot_follow_an_import_job(
    xuzhou, client, django_user_model, media, django_capture_on_commit_callbacks, admin_client
):
    with django_capture_on_commit_callbacks():
        admin_client.post(PAGE, {"file": SimpleUploadedFile("inst.csv", institutions_csv(3))})
    job = JobRun.objects.get()
    client.force_login(django_user_model.objects.create_user("plain", password="x", is_staff=True))  # noqa: S106
    assert client.get(f"{PAGE}?job={job.pk}").status_code == 403
