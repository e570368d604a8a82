"""The public notice (公示) page and the online objection (issue 19, SPEC 4.3, 8): anyone may read the list,
which never shows a full name or ID number; the person or their agent objects during the period, which
records the objection staff would enter and starts the reassessment; others and latecomers are refused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.models import Application, Conclusion, Objection
from assessment.services.review import application_publish_notice
from benefits.services.accounts import agent_link_create
from ltci.core.idnumber import make_id_number
from ltci.core.models import CalendarDay
from tests.assessment.conftest import make_assessors, make_institution, make_person
from tests.assessment.test_workflow import _assessed
from tests.insured.test_status_page import _activated

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def next_years_holidays_entered():
    """An objection raised today is due ten working days on, which late in December is next year: its holiday
    schedule is entered by staff when chinese-calendar does not know it yet (docs/operations.md)."""
    import chinese_calendar

    new_year = D(timezone.localdate().year + 1, 1, 1)
    try:
        chinese_calendar.is_workday(new_year)
    except NotImplementedError:
        CalendarDay.objects.create(day=new_year, is_workday=False, note="元旦")


def _on_notice(person, agency, *, until_offset=3):
    """``person``'s first assessment, its draft on notice from two days ago to ``until_offset`` days on."""
    app = _assessed(person, agency)
    application_publish_notice(application=app, on=D(2025, 9, 26))
    today = timezone.localdate()
    Conclusion.objects.filter(application=app).update(
        notice_from=today - dt.timedelta(days=2), notice_until=today + dt.timedelta(days=until_offset)
    )
    return app


@pytest.fixture
def world(xuzhou):
    agency = make_institution("PG001")
    make_assessors(
        agency,
        [("李医生", True, []), ("王医生", True, []), ("赵评估", False, []), ("钱评估", False, [])],
    )
    owner = make_person(name="欧阳小明")
    other = make_person(name="李四")
    region_two = make_person(name="王五")
    region_two.region_code = "320303"
    region_two.save()
    apps = {p.pk: _on_notice(p, agency) for p in (owner, other, region_two)}
    agent = _activated(national_id=make_id_number("110101", D(1980, 1, 1), 3), name="代办丙")
    agent_link_create(account=agent, principal=owner, valid_from=D(2024, 1, 1))
    return {
        "owner": owner,
        "others": [other, region_two],
        "app": apps[owner.pk],
        "other_app": apps[other.pk],
        "owner_user": _activated(owner).user,
        "other_user": _activated(other).user,
        "agent_user": agent.user,
    }


def _conclusion(app):
    return Conclusion.objects.get(application=app)


def test_public_list_masks_names_and_shows_no_id(client, world):
    response = client.get(reverse("insured:public_notice"))
    assert response.status_code == 200
    body = response.content.decode()
    for person in [world["owner"], *world["others"]]:
        assert person.national_id not in body
        assert person.national_id[:6] + person.national_id[6:14] not in body  # nor the birth date with it
        assert person.name not in body
    assert "欧**明" in body and "李*" in body and "王*" in body
    assert "鼓楼区" in body and "2级" in body and "中度失能" in body


def test_public_list_filters_by_district(client, world):
    body = client.get(reverse("insured:public_notice"), {"region": "320303"}).content.decode()
    assert "王*" in body and "欧**明" not in body and "李*" not in body
    # An unknown district shows everyone (the filter offers only districts with notices).
    assert "欧**明" in client.get(reverse("insured:public_notice"), {"region": "999999"}).content.decode()


def test_public_list_paginates(client, world, monkeypatch):
    from insured import views

    monkeypatch.setattr(views, "NOTICE_PER_PAGE", 2)
    first = client.get(reverse("insured:public_notice")).content.decode()
    second = client.get(reverse("insured:public_notice"), {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    assert "第 2 / 2 页" in second and second.count('<th scope="row"') == 1


def test_public_list_leaves_out_periods_that_ended_or_have_not_begun(client, world):
    today = timezone.localdate()
    Conclusion.objects.filter(application=world["other_app"]).update(
        notice_until=today - dt.timedelta(days=1)
    )
    Conclusion.objects.filter(person=world["others"][1]).update(notice_from=today + dt.timedelta(days=1))
    body = client.get(reverse("insured:public_notice")).content.decode()
    assert "欧**明" in body and "李*" not in body and "王*" not in body


def test_person_objects_online_and_the_reassessment_starts(client, world):
    client.force_login(world["owner_user"])
    home = client.get("/me/").content.decode()
    assert "对公示结论提出异议" in home
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    doc = SimpleUploadedFile("病历.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client.post(url, {"reason": "我的情况更重", "documents": doc}, follow=True)
    assert "异议已提交" in response.content.decode()
    objection = Objection.objects.get(application=world["app"])
    assert (objection.channel, objection.outcome, objection.raised_by) == (
        "online",
        "reassess",
        "欧阳小明（本人）",
    )
    assert objection.raised_on == timezone.localdate() and objection.due_on > objection.raised_on
    app = Application.objects.get(pk=world["app"].pk)
    assert app.state == "assigned" and app.assignments.filter(round=2).count() == 2
    assert app.documents.filter(description="异议材料").count() == 1


def test_agent_objects_for_the_principal(client, world):
    client.force_login(world["agent_user"])
    client.post(reverse("insured:switch", kwargs={"person_id": world["owner"].pk}))
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    client.post(url, {"reason": "代办人认为等级偏低"})
    objection = Objection.objects.get(application=world["app"])
    assert objection.raised_by == "代办丙（代办人）"


def test_another_person_cannot_object(client, world):
    client.force_login(world["other_user"])
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    assert client.post(url, {"reason": "冒名"}).status_code == 404
    assert not Objection.objects.filter(application=world["app"]).exists()
    assert Application.objects.get(pk=world["app"].pk).state == "notice"


def test_anonymous_cannot_object(client, world):
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    response = client.post(url, {"reason": "匿名"})
    assert response.status_code == 302 and response["Location"].startswith("/me/login/")
    assert not Objection.objects.exists()


def test_objection_after_the_period_is_refused_with_a_clear_message(client, world):
    today = timezone.localdate()
    Conclusion.objects.filter(application=world["app"]).update(notice_until=today - dt.timedelta(days=1))
    client.force_login(world["owner_user"])
    assert "对公示结论提出异议" not in client.get("/me/").content.decode()
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    body = client.post(url, {"reason": "晚了"}, follow=True).content.decode()
    assert "公示期已于" in body and "结束，不能再提出异议" in body
    assert not Objection.objects.exists()


def test_objection_without_a_reason_is_refused(client, world):
    client.force_login(world["owner_user"])
    url = reverse("insured:objection", kwargs={"pk": _conclusion(world["app"]).pk})
    body = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "请填写异议理由。" in body
    assert not Objection.objects.exists()


def test_public_page_in_english(client, world):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("insured:public_notice"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Public notice of disability assessment conclusions" in body and "All districts" in body
    assert "欧**明" in body and world["owner"].name not in body
