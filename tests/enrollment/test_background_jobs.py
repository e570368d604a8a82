"""Issue 16, jobs: the yearly contribution run and big imports started from the admin run in Celery; the page
answers at once with a redirect to the job's page, which shows progress, the result and (imports) the error
report; roles without the job's capability neither start it nor see it."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import Contribution, Person
from enrollment.tasks import contribution_run_year
from ltci.core import roles
from ltci.core.models import JobRun
from ltci.core.tasks import import_job_run

from .conftest import ROSTER_HEADER, nid

RUN = "/admin/enrollment/contribution/run/"


def role_user(name, role):
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def persons(roster):
    roster(
        f"{nid(1)},张三,employee,320302,2022-01-01,,true,,",
        f"{nid(3)},李四,resident,320303,2022-01-01,,false,,",
    )


def test_clerk_starts_the_yearly_run_and_watches_it_finish(client, persons):
    client.force_login(role_user("clerk-job", roles.ENROLLMENT_CLERK))
    response = client.post(RUN, {"year": "2026", "on": "2026-01-20"})
    job = JobRun.objects.get(job="contribution_run")
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:core_jobrun_change", args=[job.pk]
    )
    assert not Contribution.objects.exists()  # nothing ran in the request
    page = client.get(response["Location"]).content.decode()
    assert "2026 年度筹资批处理已在后台开始运行，进度见本页。" in page and "年度筹资批处理 2026" in page
    assert (
        contribution_run_year.apply(args=[2026, "2026-01-20"], kwargs={"job_id": job.pk})
        .get()
        .startswith("contribution_run 2026: done 2/2")
    )
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.started_by.username) == ("done", 2, 2, "clerk-job")
    assert Contribution.objects.filter(year=2026).count() == 2
    done = client.get(response["Location"]).content.decode()
    assert 'value="100"' in done and "（2 / 2）" in done and 'id="job-result"' in done
    assert client.get(reverse("admin:core_jobrun_progress", args=[job.pk])).json()["percent"] == 100


def test_a_second_start_of_the_same_year_runs_again_and_changes_nothing(client, persons):
    """The run is idempotent: a second job for the year finishes with the same contributions."""
    client.force_login(role_user("clerk-job", roles.ENROLLMENT_CLERK))
    first = JobRun.objects.get(pk=client.post(RUN, {"year": "2026"})["Location"].split("/")[-3])
    contribution_run_year.apply(args=[2026, None], kwargs={"job_id": first.pk})
    second = JobRun.objects.get(pk=client.post(RUN, {"year": "2026"})["Location"].split("/")[-3])
    contribution_run_year.apply(args=[2026, None], kwargs={"job_id": second.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("done", "done")
    assert Contribution.objects.filter(year=2026).count() == 2


@pytest.mark.parametrize(
    "role", [roles.BENEFIT_AUDITOR, roles.SETTLEMENT_OFFICER, roles.ASSESSMENT_COORDINATOR]
)
def test_roles_without_the_yearly_run_neither_start_nor_see_it(client, persons, role):
    client.force_login(role_user("clerk-job", roles.ENROLLMENT_CLERK))
    location = client.post(RUN, {"year": "2026"})["Location"]
    client.force_login(role_user("other", role))
    refused = client.post(RUN, {"year": "2026"})
    assert refused.status_code == 403 and 'data-status="403"' in refused.content.decode()
    assert JobRun.objects.count() == 1
    assert client.get(location).status_code == 403
    listing = client.get(reverse("admin:core_jobrun_changelist"))
    assert listing.status_code == 200 and not list(listing.context["cl"].result_list)
    contributions = client.get(reverse("admin:enrollment_contribution_changelist")).content.decode()
    assert RUN not in contributions


def test_the_accountant_who_may_run_the_year_sees_its_job(client, persons):
    client.force_login(role_user("clerk-job", roles.ENROLLMENT_CLERK))
    location = client.post(RUN, {"year": "2026"})["Location"]
    client.force_login(role_user("acc", roles.FUND_ACCOUNTANT))
    assert client.get(location).status_code == 200
    listing = client.get(reverse("admin:core_jobrun_changelist"), {"job": "contribution_run"})
    assert len(listing.context["cl"].result_list) == 1
    choices = [str(label) for _name, label in listing.context["cl"].filter_specs[0].lookup_choices]
    assert choices == [
        "年度筹资批处理",
        "文件导入",
        "基金收支公布(PDF)",
        "列表导出",  # the lists they export themselves (each export's job is its starter's only)
    ]  # labels, of the jobs the accountant may see


def test_a_big_import_job_page_offers_its_error_report(client, xuzhou, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_WEB_SYNC_MAX_ROWS = 2
    clerk = role_user("clerk-job", roles.ENROLLMENT_CLERK)
    client.force_login(clerk)
    body = (
        ROSTER_HEADER
        + "".join(f"{nid(i)},人{i},employee,320302,2022-01-01,,true,,\n" for i in (1, 3, 5))
        + f"{nid(7)},人7,employee,999999,2022-01-01,,true,,\n"
    ).encode()
    client.post("/admin/enrollment/person/import/roster/", {"file": SimpleUploadedFile("roster.csv", body)})
    job = JobRun.objects.get(job="file_import.import_roster")
    import_job_run.apply(args=[job.pk])
    page = client.get(reverse("admin:core_jobrun_change", args=[job.pk])).content.decode()
    errors_url = reverse("admin:core_jobrun_errors", args=[job.pk])
    assert "共 4 行，导入 3 行" in page and errors_url in page and 'value="100"' in page
    report = client.get(errors_url)
    assert report.status_code == 200 and "999999" in report.content.decode("utf-8-sig")
    assert Person.objects.count() == 3
    client.force_login(User.objects.create_user("nobody", is_staff=True))
    assert client.get(errors_url).status_code == 403
