import datetime as dt

import pytest
from django.test import Client

from institutions.models import Bed, Employment

from . import helpers


@pytest.fixture
def inst(db):
    return helpers.institution(code="API-A", beds=2)


@pytest.fixture
def client(inst):
    c = Client()
    c.force_login(helpers.portal_user(inst, "clerk", "api-clerk"))
    return c


def test_schema_generates_without_errors(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/beds/" in response.content


def test_profile_shows_own_institution_and_agreement(client):
    data = client.get("/api/v1/institution/").json()
    assert data["code"] == "API-A" and data["status"] == "active"
    assert data["agreement"]["state"] == "active"


def test_beds_list_and_create_scoped_to_own_institution(inst, client):
    helpers.institution(code="API-B", beds=3)
    data = client.get("/api/v1/beds/").json()
    assert data["count"] == 2 and [b["label"] for b in data["results"]] == ["001", "002"]
    response = client.post(
        "/api/v1/beds/", {"label": "X1", "registered_from": "2026-02-01"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["label"] == "X1"
    assert Bed.objects.get(label="X1").institution == inst


def test_bad_bed_input_gives_code_and_chinese_message(client):
    response = client.post(
        "/api/v1/beds/", {"label": "001", "registered_from": "2026-02-01"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "输入有误",
        "errors": {"label": ["床位号“001”已存在"]},
    }


def test_caregivers_create_validates_the_id(inst, client):
    response = client.post(
        "/api/v1/caregivers/",
        {"national_id": "123", "name": "x", "employed_from": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["national_id"] == [
        "公民身份号码无效或与姓名不符，请核对；如需更正已登记的信息请联系经办机构"
    ]
    nid = helpers.national_id(301)
    response = client.post(
        "/api/v1/caregivers/",
        {"national_id": nid, "name": "周护理", "employed_from": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Employment.objects.get().institution == inst
    assert client.get("/api/v1/caregivers/").json()["results"][0]["national_id"] == nid


def test_caregiver_role_cannot_use_records_api(inst):
    c = Client()
    c.force_login(helpers.portal_user(inst, "caregiver", "api-cg"))
    assert c.get("/api/v1/beds/").status_code == 403
    assert c.get("/api/v1/institution/").status_code == 200


def test_anonymous_api_is_unauthorised(db):
    response = Client().get("/api/v1/beds/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_employment_period_is_kept_over_time(inst, client):
    nid = helpers.national_id(302)
    client.post(
        "/api/v1/caregivers/",
        {"national_id": nid, "name": "吴", "employed_from": "2025-01-01", "employed_to": "2025-06-30"},
        content_type="application/json",
    )
    response = client.post(
        "/api/v1/caregivers/",
        {"national_id": nid, "name": "吴", "employed_from": "2025-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Employment.objects.get().employed_to == dt.date(2025, 6, 30)


def test_bed_end_and_caregiver_update_via_api(inst, client):
    bed = Bed.objects.filter(institution=inst).first()
    response = client.post(
        f"/api/v1/beds/{bed.pk}/end/", {"registered_to": "2023-12-31"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["registered_to"] == ["撤销日期2023-12-31早于备案日期2024-01-01"]
    response = client.post(
        f"/api/v1/beds/{bed.pk}/end/", {"registered_to": "2026-12-31"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["registered_to"] == "2026-12-31"
    nid = helpers.national_id(303)
    created = client.post(
        "/api/v1/caregivers/",
        {"national_id": nid, "name": "冯", "employed_from": "2026-01-01"},
        content_type="application/json",
    ).json()
    response = client.patch(
        f"/api/v1/caregivers/{created['id']}/",
        {"qualification": "五级", "employed_to": "2026-04-30"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["qualification"], response.json()["employed_to"]) == ("五级", "2026-04-30")


def test_other_institutions_objects_are_not_found_via_api(client):
    other = helpers.institution(code="API-C", beds=1)
    bed = Bed.objects.get(institution=other)
    response = client.post(
        f"/api/v1/beds/{bed.pk}/end/", {"registered_to": "2026-12-31"}, content_type="application/json"
    )
    assert response.status_code == 404
    bed.refresh_from_db()
    assert bed.registered_to is None
