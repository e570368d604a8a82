"""Admin workflow: create, change form, end, letter PDF; import uploads."""

# ruff: noqa: S105, S106
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from benefits.documents import decision_letter_pdf
from benefits.models import BenefitDecision

from .conftest import make_conclusion, make_institution, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def admin_client(client, policy):
    user = get_user_model().objects.create_superuser("boss", password="x")
    client.force_login(user)
    return client


@pytest.fixture
def person(policy):
    p = make_person()
    make_conclusion(p, grade=3)
    return p


def test_staff_create_change_and_end_a_decision_with_buttons(admin_client, person):
    inst = make_institution()
    response = admin_client.post(
        "/admin/benefits/benefitdecision/new/",
        {
            "national_id": person.national_id,
            "care_form": "home_visits",
            "institution": inst.pk,
            "carer_trained": "unknown",
            "starts_on": "2024-02-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = BenefitDecision.objects.get(person=person)
    page = admin_client.get(f"/admin/benefits/benefitdecision/{decision.pk}/change/").content.decode()
    assert "变更护理形式" in page and "终止待遇" in page
    admin_client.post(
        f"/admin/benefits/benefitdecision/{decision.pk}/change-form/",
        {
            "care_form": "home_family",
            "institution": inst.pk,
            "carer_trained": "true",
            "starts_on": "2024-04-01",
        },
    )
    new = BenefitDecision.objects.get(person=person, ends_on__isnull=True)
    assert (new.care_form, new.carer_trained, new.decided_by.username) == ("home_family", True, "boss")
    admin_client.post(
        f"/admin/benefits/benefitdecision/{new.pk}/end/", {"ends_on": "2024-06-30", "reason": "requested"}
    )
    new.refresh_from_db()
    assert (new.ends_on, new.end_reason) == (D(2024, 6, 30), "requested")
    assert new.history.count() >= 2


def test_create_form_shows_the_service_error(admin_client, policy):
    p = make_person()
    response = admin_client.post(
        "/admin/benefits/benefitdecision/new/",
        {
            "national_id": p.national_id,
            "care_form": "home_visits",
            "institution": make_institution().pk,
            "starts_on": "2024-02-01",
        },
    )
    assert "2024-02-01 没有有效的最终评估结论" in response.content.decode()


def test_letter_pdf_is_numbered_and_reissued_identically(admin_client, person):
    from benefits.services import decision_create

    decision = decision_create(
        person=person, care_form="home_visits", institution=make_institution(), starts_on=D(2024, 2, 1)
    )
    response = admin_client.get(f"/admin/benefits/benefitdecision/{decision.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"DY-2024-{decision.pk:06d}" in response["Content-Disposition"]
    decision.refresh_from_db()
    assert decision_letter_pdf(decision) == decision_letter_pdf(decision)


def test_staff_without_the_role_cannot_use_the_workflow(client, person):
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/benefits/benefitdecision/new/").status_code == 403


def test_hospital_stay_upload_in_the_admin(admin_client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "stays.csv",
        f"national_id,admitted_on,discharged_on,hospital\n{person.national_id},2024-03-05,,市一院\n".encode(),
    )
    response = admin_client.post("/admin/benefits/hospitalstay/import/", {"file": upload})
    assert "导入 1 行" in response.content.decode()
    assert admin_client.get("/admin/benefits/hospitalstay/").status_code == 200
    assert admin_client.get("/admin/benefits/benefitdecision/").status_code == 200


def _role_groups():
    """Re-run the role grant of migration 0006 (a transactional test of an earlier run may have flushed it)."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    create_permissions(apps.get_app_config("benefits"), verbosity=0)
    for name in ("待遇审核员", "主管"):
        Group.objects.get_or_create(name=name)
    roles = import_module("benefits.migrations.0006_role_permissions")
    roles.grant_to_groups(apps)
    roles.grant_to_groups(apps, ["otherfundbenefit"])  # migration 0008


def test_benefit_auditor_role_may_decide_and_supervisor_only_reads(client, person):
    from django.contrib.auth.models import Group

    _role_groups()
    auditor = get_user_model().objects.create_user("auditor", password="x", is_staff=True)
    auditor.groups.add(Group.objects.get(name="待遇审核员"))
    client.force_login(auditor)
    assert client.get("/admin/benefits/benefitdecision/new/").status_code == 200
    supervisor = get_user_model().objects.create_user("sup", password="x", is_staff=True)
    supervisor.groups.add(Group.objects.get(name="主管"))
    client.force_login(supervisor)
    assert client.get("/admin/benefits/benefitdecision/").status_code == 200
    assert client.get("/admin/benefits/benefitdecision/new/").status_code == 403


def test_daily_end_job_button_runs_the_job_for_staff_with_the_role(admin_client, person, client):
    from benefits.services import decision_create

    decision = decision_create(
        person=person, care_form="home_visits", institution=make_institution(), starts_on=D(2024, 2, 1)
    )
    person.died_on = D(2024, 4, 10)
    person.save()
    assert "运行每日待遇终止" in admin_client.get("/admin/benefits/benefitdecision/").content.decode()
    response = admin_client.post("/admin/benefits/benefitdecision/run-ends/", follow=True)
    assert "已运行每日待遇终止" in response.content.decode()
    decision.refresh_from_db()
    assert (decision.ends_on, decision.end_reason) == (D(2024, 4, 10), "died")
    admin_client.logout()
    clerk = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    admin_client.force_login(clerk)
    assert admin_client.post("/admin/benefits/benefitdecision/run-ends/").status_code == 403


def test_work_injury_upload_is_for_benefit_auditors_and_supervisors_only_read(client, person):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from benefits.models import OtherFundBenefit

    _role_groups()
    supervisor = get_user_model().objects.create_user("sup2", password="x", is_staff=True)
    supervisor.groups.add(Group.objects.get(name="主管"))
    client.force_login(supervisor)
    assert client.get("/admin/benefits/otherfundbenefit/").status_code == 200
    assert client.get("/admin/benefits/otherfundbenefit/import/").status_code == 403
    auditor = get_user_model().objects.create_user("auditor2", password="x", is_staff=True)
    auditor.groups.add(Group.objects.get(name="待遇审核员"))
    client.force_login(auditor)
    upload = SimpleUploadedFile(
        "funds.csv",
        f"national_id,fund,starts_on,ends_on,reference\n"
        f"{person.national_id},maternity,2024-03-05,2024-03-30,SY-1\n".encode(),
    )
    response = client.post("/admin/benefits/otherfundbenefit/import/", {"file": upload})
    assert "导入 1 行" in response.content.decode()
    assert OtherFundBenefit.objects.get(person=person).reference == "SY-1"
    bad = SimpleUploadedFile(
        "funds.csv",
        f"national_id,fund,starts_on,ends_on,reference\n{person.national_id},pension,2024-04-05,,\n".encode(),
    )
    page = client.post("/admin/benefits/otherfundbenefit/import/", {"file": bad}).content.decode()
    assert "拒绝 1 行" in page and "<td>2</td><td>其他待遇类别（fund）</td>" in page and "pension" in page
    assert OtherFundBenefit.objects.count() == 1
