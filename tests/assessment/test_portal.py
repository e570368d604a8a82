"""Assessors' portal pages: own tasks only, the on-site form, confirmation, decline; wrong users refused."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import services
from assessment.models import Application, Assignment, Conclusion
from institutions.models import InstitutionUser
from tests.assessment.conftest import MODERATE, make_assessors, make_institution, make_person

D = dt.date
User = get_user_model()


def login(client, name, institution=None, role="assessor", **extra):
    user = User.objects.create_user(name, **extra)
    if institution is not None:
        InstitutionUser.objects.create(user=user, institution=institution, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def setup(agency):
    people = make_assessors(agency, [("李医生", True, []), ("赵评估", False, []), ("孙评估", False, [])])
    person = make_person(name="王秀英")
    app = services.application_submit(person=person, applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1))
    services.application_accept(application=app, on=D(2025, 9, 2))
    pair = services.application_assign(application=app, agency=agency, seed=5)
    return agency, people, app, pair


def _link(assessor, user):
    assessor.user = user
    assessor.save()


def form_data(items=MODERATE, **extra):
    return {
        "visited_on": "2025-09-25",
        "present": "本人、女儿",
        "notes": "卧床",
        **{f"item_{k}": str(v) for k, v in items.items()},
        **extra,
    }


def test_assessor_sees_own_task_and_fills_and_confirms(client, setup):
    agency, _people, app, pair = setup
    first, second = pair
    user = login(client, "a1", agency)
    _link(first.assessor, user)
    page = client.get("/portal/assessments/")
    assert page.status_code == 200 and "王秀英" in page.content.decode()
    form = client.get(f"/portal/assessments/tasks/{first.pk}/").content.decode()
    assert "自理（在合理时间内能独立使用餐具进食各种食物" in form and 'name="item_eating"' in form
    assert 'name="grade"' not in form
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0data", content_type="image/jpeg")
    response = client.post(f"/portal/assessments/tasks/{first.pk}/", {**form_data(), "photos": [photo]})
    assert response.status_code == 302
    assert app.visits.get().grade == 2 and app.visits.get().photos.count() == 1
    client.post(f"/portal/assessments/tasks/{first.pk}/confirm/")
    other = User.objects.create_user("a2")
    InstitutionUser.objects.create(user=other, institution=agency, role="assessor")
    _link(second.assessor, other)
    client.force_login(other)
    client.post(f"/portal/assessments/tasks/{second.pk}/confirm/")
    assert Application.objects.get(pk=app.pk).state == "assessed"
    assert Conclusion.objects.get(application=app).grade == 2


def test_missing_item_is_refused_with_the_item_name(client, setup):
    agency, _people, app, pair = setup
    _link(pair[0].assessor, login(client, "a1", agency))
    data = form_data()
    del data["item_memory"]
    page = client.post(f"/portal/assessments/tasks/{pair[0].pk}/", data).content.decode()
    assert "请选择“记忆力”的评估结果。" in page and not app.visits.exists()


def test_bad_photo_is_refused(client, setup):
    agency, _people, app, pair = setup
    _link(pair[0].assessor, login(client, "a1", agency))
    bad = SimpleUploadedFile("x.gif", b"GIF89a")
    page = client.post(
        f"/portal/assessments/tasks/{pair[0].pk}/", {**form_data(), "photos": [bad]}
    ).content.decode()
    assert "只接受 PDF、JPG、PNG 文件" in page and not app.visits.exists()


def test_decline_reassigns(client, setup):
    agency, _people, app, pair = setup
    _link(pair[0].assessor, login(client, "a1", agency))
    response = client.post(f"/portal/assessments/tasks/{pair[0].pk}/decline/", {"reason": "亲属回避"})
    assert response.status_code == 302
    assert Assignment.objects.filter(application=app, state="assigned").count() == 2


def test_anonymous_goes_to_login(client, setup):
    response = client.get("/portal/assessments/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


def test_staff_without_institution_is_refused(client, setup):
    login(client, "staff", is_staff=True)
    assert client.get("/portal/assessments/").status_code == 403


def test_user_of_a_care_institution_is_refused(client, setup):
    login(client, "care", make_institution("YL9", type_="elderly_care"), role="admin")
    assert client.get("/portal/assessments/").status_code == 403


def test_clerk_of_the_agency_is_refused(client, setup):
    agency, *_ = setup
    login(client, "clerk", agency, role="clerk")
    assert client.get("/portal/assessments/").status_code == 403


def test_assessor_of_same_agency_cannot_open_someone_elses_task(client, setup):
    agency, people, app, pair = setup
    outsider = next(a for a in people if a.pk not in {p.assessor_id for p in pair})
    _link(outsider, login(client, "a3", agency))
    assert client.get(f"/portal/assessments/tasks/{pair[0].pk}/").status_code == 404
    assert client.post(f"/portal/assessments/tasks/{pair[0].pk}/confirm/").status_code == 404
    assert "王秀英" not in client.get("/portal/assessments/").content.decode()


def test_assessor_of_another_agency_cannot_open_the_task(client, setup):
    _agency, _people, _app, pair = setup
    other_agency = make_institution("PG2")
    (stranger,) = make_assessors(other_agency, [("外机构", True, [])])
    _link(stranger, login(client, "x", other_agency))
    assert client.get(f"/portal/assessments/tasks/{pair[0].pk}/").status_code == 404
    # an assessor record of agency A used with a login of agency B is refused
    stranger.user = None
    stranger.save()
    _link(pair[0].assessor, User.objects.get(username="x"))
    assert client.get(f"/portal/assessments/tasks/{pair[0].pk}/").status_code == 403


def test_agency_admin_sees_only_the_agencys_applications(client, setup):
    agency, _people, app, _pair = setup
    login(client, "boss", agency, role="admin")
    page = client.get("/portal/assessments/").content.decode()
    assert app.number in page
    other = make_institution("PG3")
    login(client, "boss3", other, role="admin")
    assert app.number not in client.get("/portal/assessments/").content.decode()
