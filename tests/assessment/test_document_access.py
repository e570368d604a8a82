"""Application documents and visit photos (security review finding 13): never public under /media/,
stored under a random name with the original name kept, downloaded only through views that check who may
see them (staff with the role, the applicant or their agent, the assessors and administrator of the
assessing agency, the care institution that applied)."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment import services
from assessment.models import ApplicationDocument
from benefits.services.accounts import account_activate, account_create, activation_code_issue
from institutions.models import InstitutionUser
from tests.assessment.conftest import coordinator_group, make_assessors, make_institution, make_person

D = dt.date
User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4 medical record"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _portal_user(name, institution, role):
    user = User.objects.create_user(name)
    InstitutionUser.objects.create(user=user, institution=institution, role=role)
    return user


def _insured(person):
    account = account_create(national_id=person.national_id, person=person)
    return account_activate(
        national_id=person.national_id,
        code=activation_code_issue(account=account),
        password="Kx9-long-enough-pw",  # noqa: S106
    ).user


@pytest.fixture
def world(agency):
    home = make_institution("YL009", type_="elderly_care")
    assigned, idle = make_assessors(agency, [("李医生", True, []), ("赵评估", False, [])])[0], None
    others = make_assessors(agency, [("钱评估", False, []), ("孙评估", False, []), ("周评估", False, [])])
    person = make_person(name="王秀英")
    app = services.application_submit(
        person=person,
        applied_on=D(2025, 9, 1),
        disability_since=D(2025, 1, 1),
        applied_by="institution",
        applying_institution=home,
        documents=[SimpleUploadedFile("王秀英 病历.pdf", PDF)],
    )
    services.application_accept(application=app, on=D(2025, 9, 2))
    pair = services.application_assign(application=app, agency=agency, seed=5)
    assigned = pair[0].assessor
    idle = next(a for a in [*others, assigned] if a.pk not in {p.assessor_id for p in pair})
    for assessor in (assigned, idle):
        assessor.user = _portal_user(f"pg-{assessor.pk}", agency, "assessor")
        assessor.save()
    return {
        "app": app,
        "doc": app.documents.get(),
        "agency": agency,
        "home": home,
        "assigned": assigned,
        "idle": idle,
        "person": person,
    }


def test_a_document_is_stored_under_a_random_name_and_keeps_its_original_name(world):
    doc = world["doc"]
    assert re.fullmatch(r"assessment/documents/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", doc.file.name), doc.file.name
    assert doc.original_name == "王秀英 病历.pdf"


def _assert_download(response):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_with_the_assessment_role_download_from_the_admin_and_others_are_refused(world):
    doc, url = world["doc"], f"/admin/assessment/application/document/{world['doc'].pk}/"
    coordinator = User.objects.create_user("coord", is_staff=True)
    coordinator.groups.add(coordinator_group())
    page = (
        _client(coordinator).get(f"/admin/assessment/application/{world['app'].pk}/change/").content.decode()
    )
    assert url in page and "/media/" not in page and doc.original_name in page
    _assert_download(_client(coordinator).get(url))
    assert _client(User.objects.create_user("no-role", is_staff=True)).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert _client(_portal_user("pg-admin-x", world["agency"], "admin")).get(url).status_code == 302


def test_the_applicant_downloads_from_the_status_page_and_another_person_cannot(world):
    url = f"/me/documents/{world['doc'].pk}/"
    _assert_download(_client(_insured(world["person"])).get(url))
    assert _client(_insured(make_person(name="李四"))).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_assessing_agency_and_the_applying_institution_download_in_the_portal(world):
    url = f"/portal/assessments/documents/{world['doc'].pk}/"
    _assert_download(_client(world["assigned"].user).get(url))
    _assert_download(_client(_portal_user("pg-admin", world["agency"], "admin")).get(url))
    _assert_download(_client(_portal_user("yl-clerk", world["home"], "clerk")).get(url))
    assert _client(world["idle"].user).get(url).status_code == 404  # same agency, not on this application
    other_agency = make_institution("PG002")
    assert _client(_portal_user("pg2-admin", other_agency, "admin")).get(url).status_code == 404
    other_home = make_institution("YL010", type_="elderly_care")
    assert _client(_portal_user("yl10-admin", other_home, "admin")).get(url).status_code == 404
    assert _client(_portal_user("yl-caregiver", world["home"], "caregiver")).get(url).status_code in (
        403,
        404,
    )
    assert _client(User.objects.create_user("staff-p", is_staff=True)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_visit_photos_go_to_the_agency_and_staff_only(world):
    assignment = world["app"].assignments.filter(assessor=world["assigned"]).get()
    from tests.assessment.conftest import MODERATE

    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\nphoto")
    services.visit_record(assignment=assignment, items=MODERATE, visited_on=D(2025, 9, 5), photos=[photo])
    photo = world["app"].visits.get().photos.get()
    assert photo.original_name == "现场.png" and "现场" not in photo.file.name
    url = f"/portal/assessments/photos/{photo.pk}/"
    response = _client(world["assigned"].user).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert _client(_portal_user("yl-admin", world["home"], "admin")).get(url).status_code in (403, 404)
    assert _client(world["idle"].user).get(url).status_code == 404
    coordinator = User.objects.create_user("coord2", is_staff=True)
    coordinator.groups.add(coordinator_group())
    assert _client(coordinator).get(f"/admin/assessment/application/photo/{photo.pk}/").status_code == 200
    staff = User.objects.create_user("no-role2", is_staff=True)
    assert _client(staff).get(f"/admin/assessment/application/photo/{photo.pk}/").status_code == 403


def test_media_is_never_served_by_the_application_even_in_debug():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="ltci.settings.local", DEBUG="true")
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/media/assessment/documents/2025/09/x.pdf'); print('served')\n"
        "except Resolver404:\n    print('not served')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,  # noqa: S603
        check=True,
    ).stdout.strip()
    assert out == "not served"


def test_existing_documents_get_their_original_name_from_the_stored_name(world):
    ApplicationDocument.objects.filter(pk=world["doc"].pk).update(original_name="")
    doc = ApplicationDocument.objects.get(pk=world["doc"].pk)
    assert doc.display_name == Path(doc.file.name).name
