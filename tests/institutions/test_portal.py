import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from institutions.models import Bed, Employment, InstitutionUser
from ltci.core.models import ApiToken

from . import helpers


@pytest.fixture
def inst(db):
    return helpers.institution(code="P-A", beds=1)


@pytest.fixture
def admin_client(inst):
    client = Client()
    client.force_login(helpers.portal_user(inst, "admin", "p-admin"))
    return client


def test_portal_login_accepts_institution_users_only(inst):
    helpers.portal_user(inst, "clerk", "p-clerk")
    helpers.plain_user("staffer", is_staff=True)
    client = Client()
    response = client.post("/portal/login/", {"username": "p-clerk", "password": helpers.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    response = Client().post("/portal/login/", {"username": "staffer", "password": helpers.PASSWORD})
    assert response.status_code == 200
    assert "此账号不是协议机构用户" in response.content.decode()


def test_portal_login_is_throttled_after_repeated_failures(inst):
    helpers.portal_user(inst, "admin", "p-locked")
    client = Client()
    for _ in range(5):
        client.post("/portal/login/", {"username": "p-locked", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        "/portal/login/", {"username": "p-locked", "password": helpers.PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_anonymous_is_sent_to_portal_login(db):
    response = Client().get("/portal/beds/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/portal/login/?next=/portal/beds/"
    )


def test_admin_adds_and_ends_a_bed(inst, admin_client):
    response = admin_client.post("/portal/beds/", {"label": "A-01", "registered_from": "2026-01-01"})
    assert response.status_code == 302
    bed = Bed.objects.get(institution=inst, label="A-01")
    response = admin_client.post(f"/portal/beds/{bed.pk}/end/", {"registered_to": "2026-03-31"})
    assert response.status_code == 200  # the confirmation page first (issue 16)
    response = admin_client.post(
        f"/portal/beds/{bed.pk}/end/", {"registered_to": "2026-03-31", "confirm": "1"}
    )
    assert response.status_code == 302
    bed.refresh_from_db()
    assert bed.registered_to == dt.date(2026, 3, 31)


def test_duplicate_bed_label_shows_the_error_and_writes_nothing(inst, admin_client):
    response = admin_client.post("/portal/beds/", {"label": "001", "registered_from": "2026-01-01"})
    assert response.status_code == 200
    assert "床位号“001”已存在" in response.content.decode()
    assert Bed.objects.filter(institution=inst).count() == 1


def test_caregiver_add_edit_end(inst, admin_client):
    nid = helpers.national_id(201)
    response = admin_client.post(
        "/portal/caregivers/",
        {
            "national_id": nid,
            "name": "孙护理",
            "qualification": "",
            "phone": "",
            "employed_from": "2026-02-01",
        },
    )
    assert response.status_code == 302
    employment = Employment.objects.get(institution=inst)
    response = admin_client.post(
        f"/portal/caregivers/{employment.pk}/", {"name": "孙护理员", "qualification": "四级"}
    )
    assert response.status_code == 302
    employment.caregiver.refresh_from_db()
    assert (employment.caregiver.name, employment.caregiver.qualification) == ("孙护理员", "四级")
    response = admin_client.post(
        f"/portal/caregivers/{employment.pk}/", {"end": "1", "end-employed_to": "2026-05-31"}
    )
    assert response.status_code == 302
    employment.refresh_from_db()
    assert employment.employed_to == dt.date(2026, 5, 31)


def test_caregiver_with_invalid_id_is_refused(inst, admin_client):
    response = admin_client.post(
        "/portal/caregivers/",
        {"national_id": "320302198005010000", "name": "x", "employed_from": "2026-02-01"},
    )
    assert response.status_code == 200
    assert "公民身份号码无效" in response.content.decode()
    assert not Employment.objects.exists()


def test_caregiver_of_another_institution_cannot_be_edited(inst, admin_client):
    other = helpers.institution(code="P-B")
    from institutions import services

    employment = services.caregiver_employ(
        institution=other, national_id=helpers.national_id(202), name="x", employed_from=dt.date(2026, 1, 1)
    )
    assert admin_client.get(f"/portal/caregivers/{employment.pk}/").status_code == 404
    assert admin_client.post(f"/portal/caregivers/{employment.pk}/", {"name": "hijack"}).status_code == 404


def test_admin_manages_users_and_clerk_cannot(inst, admin_client):
    response = admin_client.post(
        "/portal/users/",
        {"username": "new-clerk", "name": "新", "role": "clerk", "password": "Long-enough-pass-9"},
    )
    assert response.status_code == 302
    link = InstitutionUser.objects.get(user__username="new-clerk")
    assert link.institution == inst
    clerk = Client()
    clerk.force_login(link.user)
    assert clerk.get("/portal/users/").status_code == 403
    assert admin_client.post(f"/portal/users/{link.pk}/deactivate/").status_code == 302
    link.user.refresh_from_db()
    assert not link.user.is_active


def test_last_admin_cannot_be_demoted(inst, admin_client):
    link = InstitutionUser.objects.get(user__username="p-admin")
    admin_client.post(f"/portal/users/{link.pk}/role/", {"role": "clerk"})
    link.refresh_from_db()
    assert link.role == "admin"


def test_token_is_shown_once_stored_hashed_and_revocable(inst, admin_client):
    response = admin_client.post("/portal/tokens/", {"name": "HIS"})
    body = response.content.decode()
    token = ApiToken.objects.get(name="HIS")
    start = body.index('id="new-token">') + len('id="new-token">')
    key = body[start : body.index("<", start)]
    assert key.startswith(token.prefix) and token.key_hash != key
    assert key not in admin_client.get("/portal/tokens/").content.decode()
    api = Client()
    assert api.get("/api/v1/institution/", HTTP_AUTHORIZATION=f"Token {key}").json()["code"] == "P-A"
    admin_client.post(f"/portal/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/institution/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_home_shows_suspended_state(inst, admin_client):
    from institutions import services

    services.institution_suspend(institution=inst, actor=None, reason="违规", on=timezone.localdate())
    body = admin_client.get("/portal/").content.decode()
    assert "暂停定点" in body and "今日无有效协议" in body


def test_violations_and_appraisals_are_read_only_lists(inst, admin_client):
    assert admin_client.get("/portal/violations/").status_code == 200
    assert admin_client.get("/portal/appraisals/").status_code == 200
    assert admin_client.post("/portal/violations/", {}).status_code in (200, 405)


def test_nav_links_to_other_areas_only_when_they_exist_and_by_institution_type(inst, admin_client):
    from institutions.templatetags.portal import _area_exists

    body = admin_client.get("/portal/").content.decode()
    assert 'href="/portal/users/"' in body and 'href="/portal/tokens/"' in body
    assert ('href="/portal/residents/"' in body) == _area_exists("/portal/residents/")
    assert 'href="/portal/assessments/"' not in body  # only agencies
    agency = helpers.institution(code="P-G", type="assessment_agency", care_forms=())
    client = Client()
    client.force_login(helpers.portal_user(agency, "assessor", "p-assessor"))
    body = client.get("/portal/").content.decode()
    assert ('href="/portal/assessments/"' in body) == _area_exists("/portal/assessments/")
    assert 'href="/portal/users/"' not in body and 'href="/portal/beds/"' not in body
    assert not _area_exists("/portal/no-such-area/")


def test_api_docs_page_renders(db):
    assert Client().get("/api/docs/").status_code == 200


def test_user_form_errors_are_shown_and_nothing_is_created(inst, admin_client):
    response = admin_client.post(
        "/portal/users/", {"username": "p-admin", "role": "clerk", "password": "Long-enough-pass-9"}
    )
    assert "用户名“p-admin”已被使用" in response.content.decode()
    response = admin_client.post(
        "/portal/users/", {"username": "x1", "role": "assessor", "password": "Long-enough-pass-9"}
    )
    assert "只有评估机构可以设置评估员" in response.content.decode()
    response = admin_client.post(
        "/portal/users/", {"username": "x2", "role": "clerk", "password": "password"}
    )
    assert "密码不符合要求" in response.content.decode()
    assert InstitutionUser.objects.filter(institution=inst).count() == 1


def test_non_admin_cannot_edit_the_profile(inst):
    clerk = Client()
    clerk.force_login(helpers.portal_user(inst, "clerk", "p-clerk2"))
    assert clerk.post("/portal/profile/", {"address": "hijack"}).status_code == 403
    inst.refresh_from_db()
    assert inst.address != "hijack"
