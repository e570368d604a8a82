"""Admin workflow buttons, PDF download and conclusion import: coordinator allowed, others refused."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from assessment import services
from assessment.models import Application, Conclusion
from tests.assessment.conftest import MODERATE, coordinator_group, make_assessors, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


D = dt.date
User = get_user_model()


@pytest.fixture
def coordinator(client, xuzhou):
    user = User.objects.create_user("coord", is_staff=True)
    user.groups.add(coordinator_group())
    client.force_login(user)
    return user


@pytest.fixture
def submitted(xuzhou):
    person = make_person(name="王秀英")
    return services.application_submit(
        person=person, applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1)
    )


def test_coordinator_sees_buttons_and_accepts(client, coordinator, submitted):
    page = client.get(f"/admin/assessment/application/{submitted.pk}/change/").content.decode()
    assert f"/admin/assessment/application/{submitted.pk}/action/accept/" in page
    response = client.post(
        f"/admin/assessment/application/{submitted.pk}/action/accept/", {"on": "2025-09-02"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == "accepted" and submitted.state_changed_by == coordinator
    assert submitted.history.first().history_change_reason.startswith("已受理")


def test_return_without_reason_shows_the_error(client, coordinator, submitted):
    page = client.post(f"/admin/assessment/application/{submitted.pk}/action/return/", {"reason": ""})
    assert page.status_code == 200 and "该字段是必填项。" in page.content.decode()


def test_action_in_the_wrong_state_is_refused(client, coordinator, submitted):
    response = client.post(
        f"/admin/assessment/application/{submitted.pk}/action/conclude/", {"on": "2025-10-01"}, follow=True
    )
    assert "当前状态“已提交”不能公示期满，结论生效。" in response.content.decode()


def test_admin_add_refuses_a_second_open_application(client, coordinator, submitted):
    page = client.post(
        "/admin/assessment/application/add/",
        {
            "person": submitted.person_id,
            "applied_on": "2025-09-03",
            "applied_by": "staff",
            "channel": "counter",
            "disability_since": "2025-01-01",
            "kind": "first",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    ).content.decode()
    assert "已有正在办理的评估申请" in page
    assert Application.objects.count() == 1


def test_staff_without_the_role_and_anonymous_are_refused(client, submitted):
    url = f"/admin/assessment/application/{submitted.pk}/action/accept/"
    assert client.get(url).status_code == 302  # anonymous: admin login
    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.groups.add(Group.objects.get_or_create(name="参保登记员")[0])
    client.force_login(clerk)
    assert client.post(url, {"on": "2025-09-02"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def _through_to_notice(client, submitted, agency) -> str:
    """Accept, assign, visit and publish through the admin's buttons; return the buttons' base URL."""
    base = f"/admin/assessment/application/{submitted.pk}/action/"
    client.post(base + "accept/", {"on": "2025-09-02"})
    client.post(base + "assign/", {"agency": agency.pk, "seed": ""})
    for assignment in submitted.assignments.all():
        if not submitted.visits.exists():
            services.visit_record(assignment=assignment, items=MODERATE, visited_on=D(2025, 9, 25))
        services.visit_confirm(assignment=assignment)
    client.post(base + "publish/", {"on": "2025-09-26"})
    return base


def test_full_path_and_notice_pdf_download(client, coordinator, submitted, agency):
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, [])])
    base = _through_to_notice(client, submitted, agency)
    client.post(base + "conclude/", {"on": "2025-10-11"})
    conclusion = Conclusion.objects.get(application=submitted)
    assert conclusion.state == "final"
    pdf = client.get(f"/admin/assessment/conclusion/{conclusion.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert conclusion.document_no in pdf["Content-Disposition"]


def test_conclusion_import_upload(client, coordinator, xuzhou):
    person = make_person()
    upload = SimpleUploadedFile(
        "c.csv",
        f"national_id,grade,concluded_on,valid_until,agency_code\n"
        f"{person.national_id},3,2025-01-01,,\n".encode(),
    )
    page = client.post("/admin/assessment/conclusion/import/", {"file": upload}).content.decode()
    assert "导入 1 行" in page
    assert Conclusion.objects.get(person=person).imported


@pytest.mark.parametrize(
    "model",
    [
        "application",
        "conclusion",
        "assessor",
        "assessmentfee",
        "conclusionevent",
        "expiryreminder",
        "spotcheck",
        "committeedecision",
        "objection",
    ],
)
def test_admin_lists_and_forms_render_for_the_coordinator(client, coordinator, submitted, model):
    assert client.get(f"/admin/assessment/{model}/").status_code == 200
    assert client.get(f"/admin/assessment/{model}/?state=submitted&q=1").status_code in (200, 302)


def test_application_change_page_and_add_page_render(client, coordinator, submitted):
    assert client.get(f"/admin/assessment/application/{submitted.pk}/change/").status_code == 200
    assert client.get("/admin/assessment/application/add/").status_code == 200
    assert client.get("/admin/assessment/assessor/add/").status_code == 200


def test_spot_check_ordered_in_the_admin_opens_reassessments(client, coordinator, xuzhou):
    for _ in range(4):
        Conclusion.objects.create(
            person=make_person(),
            grade=3,
            concluded_on=D(2025, 1, 1),
            valid_until=D(2026, 12, 31),
            state="final",
        )
    response = client.post(
        "/admin/assessment/spotcheck/add/",
        {"ordered_on": "2025-06-01", "size": "2", "seed": "7", "note": "季度抽查"},
    )
    assert response.status_code == 302
    assert Application.objects.filter(kind="spot_check", state="accepted").count() == 2


def test_counter_objection_by_the_person_starts_the_reassessment(client, coordinator, submitted, agency):
    """Issue 19: staff enter an objection through the same service as the online one; ticking "本人或代办人"
    starts the reassessment with a new pair, the deadline in working days stored."""
    make_assessors(
        agency, [("李医生", True, []), ("赵评估", False, []), ("王医生", True, []), ("钱评估", False, [])]
    )
    base = _through_to_notice(client, submitted, agency)
    client.post(
        base + "objection/",
        {"raised_on": "2025-09-29", "raised_by": "王秀英", "reason": "等级偏低", "reassess": "on"},
    )
    objection = submitted.objections.get()
    assert (objection.outcome, objection.channel, objection.due_on) == (
        "reassess",
        "counter",
        D(2025, 10, 20),
    )
    submitted.refresh_from_db()
    assert submitted.state == "assigned" and submitted.assignments.filter(round=2).count() == 2
