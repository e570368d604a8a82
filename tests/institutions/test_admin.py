import datetime as dt
import importlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from institutions.models import Institution, InstitutionEvent, Violation

from . import helpers


def supervisor_group():
    """The 主管 group with the grants of institutions migration 0004 (recreated if a flush removed it)."""
    from django.contrib.auth.models import Permission

    migration = importlib.import_module("institutions.migrations.0004_role_permissions")
    migration.apply_grants(Group, Permission)
    return Group.objects.get(name="主管")


@pytest.fixture
def staff_client(db):
    user = helpers.plain_user("sup", is_staff=True)
    user.groups.add(supervisor_group())
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_moves_an_institution_through_the_lifecycle_buttons(staff_client, xuzhou):
    inst = helpers.institution(active=False)
    url = f"/admin/institutions/institution/{inst.pk}/lifecycle/"
    page = staff_client.get(f"/admin/institutions/institution/{inst.pk}/change/").content.decode()
    assert "lifecycle-submit_review" in page and "lifecycle-suspend" not in page
    assert (
        staff_client.post(
            url + "submit_review/", {"reason": "材料齐全", "effective_on": "2026-01-02"}
        ).status_code
        == 302
    )
    assert (
        staff_client.post(url + "pass_review/", {"reason": "合格", "effective_on": "2026-01-03"}).status_code
        == 302
    )
    response = staff_client.post(
        url + "sign/",
        {
            "reason": "签约",
            "effective_on": "2026-01-04",
            "valid_from": "2026-01-04",
            "valid_to": "2027-01-03",
            "care_forms": ["residential"],
            "price_life": "70",
            "insurance_expires_on": "2027-01-03",
        },
    )
    assert response.status_code == 200
    assert "生活照料约定日价70.00元超过现行支付标准60.00元" in response.content.decode()
    response = staff_client.post(
        url + "sign/",
        {
            "reason": "签约",
            "effective_on": "2026-01-04",
            "valid_from": "2026-01-04",
            "valid_to": "2027-01-03",
            "care_forms": ["residential"],
            "price_life": "",
            "insurance_expires_on": "2027-01-03",
        },
    )
    assert response.status_code == 302
    inst.refresh_from_db()
    assert inst.status == "active"
    assert InstitutionEvent.objects.filter(institution=inst, actor__username="sup").count() == 3


def test_bulk_suspend_action_asks_for_a_reason_first(staff_client):
    inst = helpers.institution()
    changelist = "/admin/institutions/institution/"
    response = staff_client.post(changelist, {"action": "lifecycle_suspend", "_selected_action": [inst.pk]})
    assert response.status_code == 200 and "原因" in response.content.decode()
    inst.refresh_from_db()
    assert inst.status == "active"
    staff_client.post(
        changelist,
        {
            "action": "lifecycle_suspend",
            "_selected_action": [inst.pk],
            "apply": "1",
            "reason": "检查",
            "effective_on": "2026-06-01",
        },
    )
    inst.refresh_from_db()
    assert inst.status == "suspended"


def test_institution_form_refuses_an_invalid_credit_code(staff_client):
    response = staff_client.post(
        "/admin/institutions/institution/add/",
        {
            "code": "ADM1",
            "name": "x",
            "type": "elderly_care",
            "region_code": "320302",
            "credit_code": "91350100M000100Y44",
            "agreements-TOTAL_FORMS": "0",
            "agreements-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误：为4，应为3" in response.content.decode()
    assert not Institution.objects.filter(code="ADM1").exists()


def test_import_upload_in_admin_reports_rows(staff_client, xuzhou):
    content = (
        "code,name,type,region_code,credit_code,care_forms,beds,agreement_from,agreement_to,"
        "insurance_expires_on,price_life,price_medical\n"
        "ADM2,甲,elderly_care,320302,,residential,2,2026-01-01,2099-12-31,2099-12-31,,\n"
    ).encode()
    response = staff_client.post(
        "/admin/institutions/institution/import/",
        {"file": SimpleUploadedFile("i.csv", content, content_type="text/csv")},
    )
    assert "共 1 行，导入 1 行" in response.content.decode()
    assert Institution.objects.get(code="ADM2").status == "active"


def test_violation_added_in_admin_suspends_with_evidence(staff_client):
    inst = helpers.institution()
    response = staff_client.post(
        "/admin/institutions/violation/add/",
        {
            "institution": inst.pk,
            "type": "overcharge",
            "description": "超标准收费",
            "found_on": "2026-05-01",
            "amount_to_recover": "100.00",
            "penalty": "0",
            "action": "suspension",
            "deducted_in": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-file": SimpleUploadedFile(
                "e.png", b"\x89PNG\r\n\x1a\nxxxx", content_type="image/png"
            ),
            "evidence-0-description": "照片",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    violation = Violation.objects.get()
    assert violation.evidence.get().uploaded_by.username == "sup"
    inst.refresh_from_db()
    assert inst.status == "suspended"
    assert inst.agreements.get().pauses.get().paused_from == dt.date(2026, 5, 1)


def test_violation_evidence_of_wrong_type_is_refused_in_admin(staff_client):
    inst = helpers.institution()
    response = staff_client.post(
        "/admin/institutions/violation/add/",
        {
            "institution": inst.pk,
            "type": "overcharge",
            "description": "x",
            "found_on": "2026-05-01",
            "amount_to_recover": "0",
            "penalty": "0",
            "action": "rectification",
            "deducted_in": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-file": SimpleUploadedFile("e.exe", b"MZ", content_type="application/octet-stream"),
        },
    )
    assert response.status_code == 200
    assert "类型不支持" in response.content.decode()
    assert not Violation.objects.exists()


def test_every_institutions_admin_page_renders(db):
    from django.contrib import admin as django_admin

    inst = helpers.institution(beds=1)
    from institutions import services

    services.violation_record(
        institution=inst,
        type="other",
        description="d",
        found_on=dt.date(2026, 5, 1),
        action="rectification",
        actor=None,
    )
    services.caregiver_employ(
        institution=inst, national_id=helpers.national_id(501), name="x", employed_from=dt.date(2026, 1, 1)
    )
    client = Client()
    client.force_login(helpers.plain_user("root", is_staff=True, is_superuser=True))
    for model in django_admin.site._registry:
        if model._meta.app_label != "institutions":
            continue
        base = f"/admin/institutions/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        obj = model.objects.first()
        if obj is not None:
            assert client.get(f"{base}{obj.pk}/change/").status_code == 200, base
        assert client.get(f"{base}add/").status_code in (200, 403), base  # 403: added via services only
    assert client.get("/admin/institutions/caregiver/import/").status_code == 200


def test_staff_create_the_first_institution_admin_login(staff_client):
    inst = helpers.institution()
    url = f"/admin/institutions/institution/{inst.pk}/create-user/"
    response = staff_client.post(
        url, {"username": "first-admin", "name": "院长", "role": "admin", "password": "short"}
    )
    assert response.status_code == 200
    response = staff_client.post(
        url, {"username": "first-admin", "name": "院长", "role": "admin", "password": "Long-enough-pass-9"}
    )
    assert response.status_code == 302
    from institutions.models import InstitutionUser

    assert InstitutionUser.objects.get(user__username="first-admin").institution == inst
    assert "导入协议机构" in staff_client.get("/admin/institutions/institution/").content.decode()


def test_every_field_of_every_institutions_model_has_a_chinese_name():
    import re

    from django.apps import apps

    missing = [
        f"{model.__name__}.{f.name}"
        for model in apps.get_app_config("institutions").get_models()
        if not model.__name__.startswith("Historical")
        for f in model._meta.get_fields()
        if not f.auto_created and not re.search(r"[\u4e00-\u9fff]", str(getattr(f, "verbose_name", "")))
    ]
    assert missing == []


def test_ending_a_bed_in_the_admin_below_the_occupied_beds_is_refused(staff_client):
    from institutions.models import Bed

    inst = helpers.institution(beds=2, valid_from=dt.date(2026, 1, 1))
    bed = inst.beds.order_by("label").last()

    residents = helpers.occupy(inst, since=dt.date(2026, 1, 1))
    response = staff_client.post(
        f"/admin/institutions/bed/{bed.pk}/change/",
        {
            "institution": inst.pk,
            "label": bed.label,
            "registered_from": "2026-01-01",
            "registered_to": "2026-03-31",
        },
    )
    assert response.status_code == 200
    assert "撤销后备案床位1张，少于2026-04-01在住人数2人" in response.content.decode()
    assert Bed.objects.get(pk=bed.pk).registered_to is None
    residents.update(end=dt.date(2026, 4, 1))  # both leave on 04-01: that day is free
    response = staff_client.post(
        f"/admin/institutions/bed/{bed.pk}/change/",
        {
            "institution": inst.pk,
            "label": bed.label,
            "registered_from": "2026-01-01",
            "registered_to": "2026-03-31",
        },
    )
    assert response.status_code == 302
    assert Bed.objects.get(pk=bed.pk).registered_to == dt.date(2026, 3, 31)
