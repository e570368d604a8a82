"""A care institution applies on behalf of a person in the portal (SPEC 4.1) and sees its reminders."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment import services
from assessment.models import Application, Conclusion, ExpiryReminder
from institutions.models import InstitutionUser
from tests.assessment.conftest import make_institution, make_person

URL = "/portal/assessments/applications/"
User = get_user_model()


def login(client, name, institution=None, role="clerk", **extra):
    user = User.objects.create_user(name, **extra)
    if institution is not None:
        InstitutionUser.objects.create(user=user, institution=institution, role=role)
    client.force_login(user)
    return user


def pdf(name="诊断证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


@pytest.fixture
def home(xuzhou):
    return make_institution("YL001", type_="elderly_care")


def apply_data(person, **extra):
    since = timezone.localdate() - dt.timedelta(days=400)
    return {
        "national_id": person.national_id,
        "name": person.name,
        "disability_since": since.isoformat(),
        "reason": "脑梗后长期卧床",
        "documents": [pdf()],
        **extra,
    }


def test_clerk_applies_on_behalf_with_documents_and_sees_it_listed(client, home):
    person = make_person(name="李桂兰", paid_years=range(2022, timezone.localdate().year + 1))
    user = login(client, "clerk1", home)
    response = client.post(URL, apply_data(person))
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get(person=person)
    assert (app.applied_by, app.channel, app.applying_institution, app.care_institution, app.state) == (
        "institution",
        "portal",
        home,
        home,
        "submitted",
    )
    assert app.created_by == user and app.documents.count() == 1
    page = client.get(URL).content.decode()
    assert app.number in page and "李桂兰" in page
    assert person.national_id not in page  # masked outside staff pages
    assert person.national_id[:4] + "**********" + person.national_id[-4:] in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "别人"}, "未找到身份号码与姓名相符的参保人"),
        ({"national_id": "320302194005061234"}, "身份号码有误"),
        ({"documents": []}, "请上传至少一份诊断证明等医疗材料"),
        ({"documents": [SimpleUploadedFile("a.exe", b"MZ...")]}, "类型不支持"),
        ({"documents": [SimpleUploadedFile("a.pdf", b"not a pdf")]}, "内容与扩展名不符"),
        ({"disability_since": "2099-01-01"}, "失能起始日期不能晚于今天"),
        ({"reason": ""}, "id_reason_error"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_written(client, home, change, message):
    person = make_person(paid_years=range(2022, timezone.localdate().year + 1))
    login(client, "clerk1", home)
    response = client.post(URL, apply_data(person, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_acceptance_checks_are_shown_to_the_institution(client, home):
    today = timezone.localdate()
    person = make_person(paid_years=range(2022, today.year), arrears_years=(today.year,))
    login(client, "clerk1", home)
    recent = (today - dt.timedelta(days=30)).isoformat()
    page = client.post(URL, apply_data(person, disability_since=recent)).content.decode()
    assert "欠缴" in page and "失能状态须持续6个月以上" in page
    assert not Application.objects.exists()


def test_another_institution_sees_neither_applications_nor_reminders(client, home):
    person = make_person(name="隔离甲", paid_years=range(2022, timezone.localdate().year + 1))
    services.application_submit(
        person=person,
        applied_on=timezone.localdate(),
        applied_by="institution",
        channel="portal",
        applying_institution=home,
        care_institution=home,
        disability_since=dt.date(2020, 1, 1),
    )
    other_person = make_person(name="隔离乙")
    conclusion = Conclusion.objects.create(
        person=other_person,
        grade=3,
        concluded_on=dt.date(2024, 1, 1),
        valid_until=dt.date(2025, 12, 31),
        state="final",
    )
    ExpiryReminder.objects.create(
        conclusion=conclusion, remind_on=dt.date(2025, 11, 1), care_institution=home
    )
    login(client, "own", home, role="admin")
    own = client.get(URL).content.decode()
    assert "隔离甲" in own and "隔离乙" in own
    other = make_institution("YL002", type_="elderly_care")
    login(client, "other", other, role="admin")
    page = client.get(URL).content.decode()
    assert "隔离甲" not in page and "隔离乙" not in page


@pytest.mark.parametrize("who", ["caregiver", "agency", "staff", "plain"])
def test_wrong_users_are_refused(client, home, who):
    if who == "caregiver":
        login(client, "cg", home, role="caregiver")
    elif who == "agency":
        login(client, "ag", make_institution("PG009"), role="admin")
    elif who == "staff":
        login(client, "st", is_staff=True)
    else:
        login(client, "pl")
    assert client.get(URL).status_code == 403
    person = make_person()
    assert client.post(URL, apply_data(person)).status_code == 403
    assert not Application.objects.exists()


def test_anonymous_goes_to_login(client, home):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_nav_shows_the_page_to_care_institutions_only(client, home):
    login(client, "clerk1", home)
    assert URL in client.get(URL).content.decode()
    agency = make_institution("PG010")
    login(client, "assessor-x", agency, role="assessor")
    assert URL not in client.get("/portal/").content.decode()
