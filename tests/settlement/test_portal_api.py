"""Portal pages and API endpoints of settlement, including the wrong-user matrix (SPEC 12 access)."""

import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from institutions.models import Institution, InstitutionUser
from ltci.core import roles
from settlement import states
from settlement.models import Appeal, ServiceRecord, SettlementLine, Statement
from settlement.services.run import settlement_run

from .conftest import CAREGIVER, D, bed_days


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def portal_user(code, role="admin", name=None):
    user = User.objects.create_user(name or f"{code}-{role}", password="pw")  # noqa: S106
    InstitutionUser.objects.create(user=user, institution=Institution.objects.get(code=code), role=role)
    return user


def staff_user(name, *groups):
    user = User.objects.create_user(name, password="pw", is_staff=True)  # noqa: S106
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def approved_may(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.hospital([{"national_id": nid, "admitted_on": "2024-05-10", "discharged_on": "2024-05-11"}])
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    officer = staff_user("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    states.run_transition(run=run, to="audited", actor=officer)
    states.run_transition(run=run, to="approved", actor=staff_user("boss", roles.SUPERVISOR))
    return run, nid


def csv_bytes(rows):
    head = (
        "institution_code,national_id,kind,service_date,component,charged_amount,caregiver_id,started_at,"
        "ended_at,items\n"
    )
    return (head + "".join(",".join(r) + "\n" for r in rows)).encode()


# --- API: service records ---------------------------------------------------------------------------------


def test_api_posts_one_record_and_is_idempotent_by_client_key(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    client = APIClient()
    client.force_authenticate(portal_user("JJ001"))
    body = {
        "national_id": nid,
        "kind": "home_visit",
        "service_date": "2024-05-02",
        "charged_amount": "100.00",
        "caregiver_id": CAREGIVER,
        "started_at": "2024-05-02T09:00",
        "ended_at": "2024-05-02 10:00",
        "items": ["清洁照料"],
        "client_key": "v-1",
    }
    first = client.post("/api/v1/service-records/", body, format="json")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/service-records/", body, format="json")
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert ServiceRecord.objects.count() == 1


def test_api_batch_with_a_bad_record_writes_nothing(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    client = APIClient()
    client.force_authenticate(portal_user("YL001"))
    good = {
        "national_id": nid,
        "kind": "bed_day",
        "service_date": "2024-05-01",
        "component": "life",
        "charged_amount": "60.00",
    }
    bad = {**good, "component": "", "service_date": "2024-05-02"}
    response = client.post("/api/v1/service-records/", [good, bad], format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["records"]["1"]["component"] == [
        "床日（bed_day）记录必须填写：life 生活照料 或 medical 医疗护理"
    ]
    assert ServiceRecord.objects.count() == 0


def test_api_refuses_records_for_another_institution(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    client = APIClient()
    client.force_authenticate(portal_user("YY001"))
    response = client.post(
        "/api/v1/service-records/",
        {
            "institution_code": "YL001",
            "national_id": nid,
            "kind": "bed_day",
            "service_date": "2024-05-01",
            "component": "life",
            "charged_amount": "60.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "不是本机构" in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize("who", ["anonymous", "staff", "assessor_role"])
def test_api_service_records_wrong_users(world, who):
    client = APIClient()
    if who == "staff":
        client.force_authenticate(staff_user("s", roles.SETTLEMENT_OFFICER))
    elif who == "assessor_role":
        client.force_authenticate(portal_user("YL001", role="assessor"))
    response = client.post("/api/v1/service-records/", {}, format="json")
    assert response.status_code in (401, 403)
    assert client.get("/api/v1/service-records/?month=2024-05").status_code in (401, 403)


def test_api_results_show_only_own_lines(approved_may):
    run, nid = approved_may
    client = APIClient()
    client.force_authenticate(portal_user("YL001"))
    data = client.get("/api/v1/settlement/results/?month=2024-05").json()
    assert data["state"] == "approved"
    line = data["lines"][0]
    assert line["reasons"] == [{"code": "HOSPITAL", "message": "当日住院"}]
    other = APIClient()
    other.force_authenticate(portal_user("YY001"))
    assert other.get("/api/v1/settlement/results/?month=2024-05").json()["lines"] == []


def test_api_statement_download_and_other_institution_gets_404(approved_may):
    statement = Statement.objects.get()
    client = APIClient()
    client.force_authenticate(portal_user("YL001"))
    csv_response = client.get(f"/api/v1/settlement/statements/{statement.pk}/?download=csv")
    assert csv_response.status_code == 200
    # 30 payable days x 60 x 0.70 = 1260; less the 5% quality deposit 63 = 1197.
    assert ",1260.00,63.00,0.00,0.00,0.00,1197.00" in csv_response.content.decode()
    other = APIClient()
    other.force_authenticate(portal_user("YY001"))
    assert other.get(f"/api/v1/settlement/statements/{statement.pk}/?download=csv").status_code == 404


def test_api_appeal_own_line_only(approved_may):
    line = SettlementLine.objects.get()
    other = APIClient()
    other.force_authenticate(portal_user("YY001"))
    assert (
        other.post(
            "/api/v1/settlement/appeals/", {"line_id": line.pk, "comment": "x"}, format="json"
        ).status_code
        == 404
    )
    client = APIClient()
    client.force_authenticate(portal_user("YL001"))
    response = client.post(
        "/api/v1/settlement/appeals/", {"line_id": line.pk, "comment": "当日在院外"}, format="json"
    )
    assert response.status_code == 201
    assert Appeal.objects.get().state == "open"


# --- Portal pages -----------------------------------------------------------------------------------------


def test_portal_upload_shows_row_errors_and_offers_the_report(world, client):
    nid = world.beneficiary(form="residential", institution="YL001")
    client.force_login(portal_user("YL001"))
    content = csv_bytes(
        [
            ["YL001", nid, "bed_day", "2024-05-01", "life", "60.00", "", "", "", ""],
            ["YL001", nid, "bed_day", "2024-05-02", "", "60.00", "", "", "", ""],
            ["YY001", nid, "bed_day", "2024-05-03", "life", "60.00", "", "", "", ""],
        ]
    )
    response = client.post("/portal/settlement/upload/", {"file": SimpleUploadedFile("may.csv", content)})
    text = response.content.decode()
    assert "共 3 行：新增 1，已存在 0，拒绝 2" in text
    assert "床日（bed_day）记录必须填写" in text
    assert "不是本机构" in text
    batch_link = re.search(r"/portal/settlement/upload/(\d+)/errors/", text).group(1)
    report = client.get(f"/portal/settlement/upload/{batch_link}/errors/")
    assert report.status_code == 200
    assert "row,field,reason" in report.content.decode()
    other = type(client)()
    other.force_login(portal_user("YY001"))
    assert other.get(f"/portal/settlement/upload/{batch_link}/errors/").status_code == 404
    colleague = type(client)()
    colleague.force_login(portal_user("YL001", role="clerk"))
    assert colleague.get(f"/portal/settlement/upload/{batch_link}/errors/").status_code == 200


def test_portal_claim_submission(world, client):
    client.force_login(portal_user("YL001"))
    response = client.post("/portal/settlement/claim/", {"month": "2024-05"}, follow=True)
    assert response.status_code == 200
    from settlement.models import Claim

    claim = Claim.objects.get()
    assert (claim.deadline, claim.late) == (D(2024, 6, 5), True)


def test_portal_results_page_shows_chinese_reasons(approved_may, client):
    client.force_login(portal_user("YL001"))
    text = client.get("/portal/settlement/results/?month=2024-05").content.decode()
    assert "HOSPITAL" in text and "当日住院" in text


def test_portal_statement_pdf(approved_may, client):
    statement = Statement.objects.get()
    client.force_login(portal_user("YL001"))
    response = client.get(f"/portal/settlement/statements/{statement.pk}/pdf/")
    assert response.status_code == 200
    assert response.content[:4] == b"%PDF"


@pytest.mark.parametrize(
    "path",
    ["/portal/settlement/", "/portal/settlement/results/?month=2024-05", "/portal/settlement/visits/new/"],
)
def test_portal_pages_wrong_users(world, client, path):
    assert client.get(path).status_code == 302  # anonymous -> login
    client.force_login(staff_user("s", roles.SUPERVISOR))
    assert client.get(path).status_code == 403
    client.force_login(portal_user("YL001", role="assessor"))
    assert client.get(path).status_code == 403


def test_portal_statement_of_another_institution_is_404(approved_may, client):
    statement = Statement.objects.get()
    client.force_login(portal_user("YY001"))
    assert client.get(f"/portal/settlement/statements/{statement.pk}/pdf/").status_code == 404
    assert client.get(f"/portal/settlement/statements/{statement.pk}/csv/").status_code == 404


def test_portal_visit_entry(world, client):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    client.force_login(portal_user("JJ001", role="clerk"))  # caregivers read only (finding 8)
    response = client.post(
        "/portal/settlement/visits/new/",
        {
            "national_id": nid,
            "service_date": "2024-05-03",
            "started_at": "09:00",
            "ended_at": "10:00",
            "caregiver_id": CAREGIVER,
            "charged_amount": "80.00",
            "items": ["清洁照料", "饮食照料"],
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert (record.kind, record.items, record.origin) == ("home_visit", ["清洁照料", "饮食照料"], "portal")


def test_generated_bed_days_wait_for_confirmation(world, client):
    nid = world.beneficiary(form="residential", institution="YL001")
    client.force_login(portal_user("YL001"))
    client.post(
        "/portal/settlement/bed-days/", {"month": "2024-05", "action": "generate", "daily_charge": "60.00"}
    )
    assert ServiceRecord.objects.filter(confirmed=False).count() == 31
    assert world.settle() == []  # unconfirmed bed-days are not settled
    client.post("/portal/settlement/bed-days/", {"month": "2024-05", "action": "confirm"})
    lines = world.settle()
    assert (lines[0]["national_id"], lines[0]["quantity"], lines[0]["fund_amount"]) == (nid, "31", "1302.00")
