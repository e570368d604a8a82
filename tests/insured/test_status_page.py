"""Status page /me/ (SPEC 8): activation, login, own records only, agents for principals, PDFs."""

# ruff: noqa: S105, S106
import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from benefits.services import decision_create
from benefits.services.accounts import (
    AccountError,
    account_activate,
    account_create,
    activation_code_issue,
    agent_link_create,
)

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "Kx9-long-enough-pw"


def _activated(person=None, *, national_id=None, name=""):
    account = account_create(national_id=national_id or person.national_id, name=name, person=person)
    code = activation_code_issue(account=account)
    return account_activate(national_id=account.national_id, code=code, password=PASSWORD)


@pytest.fixture
def persons(policy):
    me = make_person(name="孙一")
    make_conclusion(me, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    decision = decision_create(
        person=me, care_form="home_visits", institution=make_institution(), starts_on=D(2024, 2, 1)
    )
    other = make_person(name="周二")
    other_conclusion = make_conclusion(
        other, grade=4, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31)
    )
    other_decision = decision_create(
        person=other, care_form="home_visits", institution=make_institution(), starts_on=D(2024, 2, 1)
    )
    return {
        "me": me,
        "decision": decision,
        "other": other,
        "other_decision": other_decision,
        "other_conclusion": other_conclusion,
    }


def test_activation_with_the_one_time_code_then_login(client, persons):
    account = account_create(national_id=persons["me"].national_id)
    code = activation_code_issue(account=account)
    assert account.activation_code_hash != code
    response = client.post(
        "/me/activate/",
        {"national_id": persons["me"].national_id, "code": code, "password": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    page = client.get("/me/").content.decode()
    assert "孙一" in page and persons["me"].national_id not in page
    client.post("/me/logout/")
    with pytest.raises(AccountError):
        account_activate(national_id=persons["me"].national_id, code=code, password="another-Pw-123")
    response = client.post("/me/login/", {"national_id": persons["me"].national_id, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_wrong_code_and_wrong_password_are_refused(client, persons):
    account = account_create(national_id=persons["me"].national_id)
    activation_code_issue(account=account)
    response = client.post(
        "/me/activate/",
        {
            "national_id": persons["me"].national_id,
            "code": "00000000",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert "身份号码或激活码不正确" in response.content.decode()
    response = client.post("/me/login/", {"national_id": persons["me"].national_id, "password": "nope"})
    assert "身份号码或密码不正确" in response.content.decode()


def test_page_shows_coverage_contributions_conclusions_and_decision(client, persons):
    client.force_login(_activated(persons["me"]).user)
    page = client.get("/me/").content.decode()
    for text in [
        "职工医保",
        "缴费记录",
        "已缴足",
        "3级",
        "居家上门服务",
        "下载待遇核定通知书",
        "无等待期",
        "月度限额（元）",
        "900.00",
    ]:
        assert text in page, text
    response = client.get(f"/me/decisions/{persons['decision'].pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_person_cannot_see_another_persons_documents(client, persons):
    client.force_login(_activated(persons["me"]).user)
    assert client.get(f"/me/decisions/{persons['other_decision'].pk}/letter.pdf").status_code == 404
    assert client.get(f"/me/conclusions/{persons['other_conclusion'].pk}/notice.pdf").status_code == 404
    assert client.post(f"/me/switch/{persons['other'].pk}/").status_code == 404
    assert "周二" not in client.get("/me/").content.decode()


def test_agent_sees_the_principal_and_which_person_they_are_viewing(client, persons):
    agent = _activated(national_id="110101198001010053", name="代办人甲")
    agent_link_create(
        account=agent, principal=persons["other"], relation="guardian", valid_from=D(2024, 1, 1)
    )
    client.force_login(agent.user)
    page = client.get("/me/").content.decode()
    assert "周二" in page and "代办查看" in page and "孙一" not in page
    assert client.get(f"/me/decisions/{persons['other_decision'].pk}/letter.pdf").status_code == 200
    assert client.get(f"/me/decisions/{persons['decision'].pk}/letter.pdf").status_code == 404


def test_person_with_a_principal_switches_between_them(client, persons):
    mine = _activated(persons["me"])
    agent_link_create(account=mine, principal=persons["other"], valid_from=D(2024, 1, 1))
    client.force_login(mine.user)
    assert "代办查看" not in client.get("/me/").content.decode()
    client.post(f"/me/switch/{persons['other'].pk}/")
    page = client.get("/me/").content.decode()
    assert "代办查看" in page and "4级" in page


def test_anonymous_staff_and_portal_users_are_kept_out(client, persons):
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/me/login/")
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/me/").status_code == 403
    assert client.get(f"/me/decisions/{persons['decision'].pk}/letter.pdf").status_code == 403


def test_a_staff_password_does_not_open_the_status_login(client, persons):
    get_user_model().objects.create_user(persons["me"].national_id, password=PASSWORD)
    response = client.post("/me/login/", {"national_id": persons["me"].national_id, "password": PASSWORD})
    assert response.status_code == 200


def test_reissuing_a_code_resets_the_password(client, persons):
    account = _activated(persons["me"])
    activation_code_issue(account=account)
    response = client.post("/me/login/", {"national_id": persons["me"].national_id, "password": PASSWORD})
    assert response.status_code == 200


def _diagnosis(name="diagnosis.pdf", content=b"%PDF-1.4 diagnosis"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_online_application_for_assessment(client, policy):
    person = make_person(name="吴三")
    client.force_login(_activated(person).user)
    response = client.post(
        "/me/apply/",
        {"disability_since": "2020-01-01", "reason": "长期卧床", "documents": _diagnosis()},
        follow=True,
    )
    assert "评估申请已提交" in response.content.decode()
    from assessment.models import Application

    application = Application.objects.get(person=person)
    assert (application.channel, application.applied_by) == ("online", "self")
    assert application.documents.count() == 1


def test_online_application_needs_a_medical_document_of_an_accepted_type(client, policy):
    from assessment.models import Application

    person = make_person(name="吴四")
    client.force_login(_activated(person).user)
    page = client.post("/me/apply/", {"disability_since": "2020-01-01"}, follow=True).content.decode()
    assert "请上传至少一份诊断证明等医疗材料。" in page
    page = client.post(
        "/me/apply/",
        {"disability_since": "2020-01-01", "documents": _diagnosis("x.gif", b"GIF89a")},
        follow=True,
    ).content.decode()
    assert "类型不支持" in page
    assert not Application.objects.filter(person=person).exists()


def test_status_page_reminds_of_an_expiring_conclusion(client, persons):
    from django.utils import timezone

    from assessment.models import Conclusion, ExpiryReminder

    today = timezone.localdate()
    conclusion = Conclusion.objects.get(person=persons["me"], state=Conclusion.State.FINAL)
    Conclusion.objects.filter(pk=conclusion.pk).update(valid_until=today + dt.timedelta(days=30))
    client.force_login(_activated(persons["me"]).user)
    assert "expiry-reminder" not in client.get("/me/").content.decode()
    ExpiryReminder.objects.create(conclusion=conclusion, remind_on=today - dt.timedelta(days=30))
    page = client.get("/me/").content.decode()
    assert f"评估结论将于 {(today + dt.timedelta(days=30)).isoformat()} 到期" in page


def test_review_request_online_for_own_conclusion_only(client, persons):
    from django.utils import timezone

    from assessment.models import Application

    conclusion = persons["decision"].conclusion
    conclusion.review_deadline = timezone.localdate() + dt.timedelta(days=5)
    conclusion.save()
    client.force_login(_activated(persons["me"]).user)
    assert "对该结论申请复核" in client.get("/me/").content.decode()
    response = client.post(f"/me/conclusions/{conclusion.pk}/review/", {"reason": "等级偏低"}, follow=True)
    assert "复核申请已提交" in response.content.decode()
    assert Application.objects.get(person=persons["me"], kind="review").channel == "online"
    other = persons["other_conclusion"]
    assert client.post(f"/me/conclusions/{other.pk}/review/", {"reason": "x"}).status_code == 404


def test_contribution_certificate_is_numbered_reissued_identically_and_own_only(client, persons):
    from benefits.documents import certificate_context, certificate_pdf
    from enrollment.models import Contribution

    mine = _activated(persons["me"])
    _activated(persons["other"])
    client.force_login(mine.user)
    page = client.get("/me/").content.decode()
    assert "/me/certificate/2024.pdf" in page
    response = client.get("/me/certificate/2024.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"JF-2024-{persons['me'].pk:08d}" in response["Content-Disposition"]
    assert client.get("/me/certificate/1999.pdf").status_code == 404
    contribution = Contribution.objects.get(person=persons["me"], year=2024)
    assert certificate_pdf(contribution) == certificate_pdf(contribution)
    context = certificate_context(contribution)
    assert context["activation_code"] == "" and context["masked_id"] != persons["me"].national_id


def test_staff_print_the_certificate_with_the_one_time_code(admin_client, persons):
    from benefits.documents import certificate_context
    from benefits.models import InsuredAccount

    account = account_create(national_id=persons["me"].national_id)
    response = admin_client.post(
        "/admin/benefits/insuredaccount/",
        {"action": "issue_code_with_certificate", "_selected_action": [account.pk]},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    account = InsuredAccount.objects.get(pk=account.pk)
    assert account.activation_code_hash and account.code_issued_at is not None
    contribution = persons["me"].contributions.order_by("-year").first()
    assert certificate_context(contribution, activation_code="12345678")["activation_code"] == "12345678"


def test_monthly_services_are_read_from_settlement(client, persons):
    from insured.selectors import status_of

    assert status_of(person=persons["me"], on=dt.date(2026, 11, 1))["months"] == []  # no run yet
    client.force_login(_activated(persons["me"]).user)
    assert "月度结算后在此显示" in client.get("/me/").content.decode()


def test_the_page_checks_the_session_as_django_does(client, persons):
    """Django's checks decide (session hash, active user): a password change or a deactivation ends the
    session at once, even for a page in the cache."""
    account = _activated(persons["me"])
    assert (
        client.post(
            "/me/login/", {"national_id": persons["me"].national_id, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/me/").status_code == 200
    account.user.set_password("another-Long-pw-9")
    account.user.save()
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/me/login/")
    client.post("/me/login/", {"national_id": persons["me"].national_id, "password": "another-Long-pw-9"})
    assert client.get("/me/").status_code == 200
    get_user_model().objects.filter(pk=account.user.pk).update(is_active=False)
    assert client.get("/me/").status_code == 302
    staff = get_user_model().objects.create_user("staff-me", password="x-Long-pw-1", is_staff=True)
    client.force_login(staff)
    assert client.get("/me/").status_code == 403
