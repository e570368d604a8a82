"""Security of the institutions area: login throttling on admin and portal, password hashing, evidence
files served only to staff, and the shared caregiver record protected from other institutions."""

import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from institutions import services
from institutions.errors import InstitutionError
from institutions.models import Caregiver, InstitutionUser

from . import helpers
from .test_admin import supervisor_group

ROOT = Path(__file__).resolve().parents[2]


def test_admin_login_is_throttled_after_repeated_failures(db):
    helpers.plain_user("admin-locked", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "admin-locked", "password": "wrong"}, REMOTE_ADDR="10.0.0.8"
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin-locked", "password": helpers.PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert Client().get("/admin/").status_code == 302  # still needs a login


def test_admin_and_portal_lockouts_count_the_same_failures(db):
    inst = helpers.institution(active=False)
    helpers.portal_user(inst, "admin", "shared-locked")
    client = Client()
    for _ in range(3):
        client.post(
            "/admin/login/", {"username": "shared-locked", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        )
    for _ in range(2):
        client.post(
            "/portal/login/", {"username": "shared-locked", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        )
    response = client.post(
        "/portal/login/", {"username": "shared-locked", "password": helpers.PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code in (403, 429)


def test_production_settings_hash_passwords_with_argon2():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ltci.settings.production", "SECRET_KEY": "x" * 50}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.contrib.auth.hashers import make_password; "
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('pw-to-hash').split('$')[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,  # noqa: S603
        check=True,
    ).stdout.split()
    assert out == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]
    assert importlib.util.find_spec("argon2") is not None


def test_axes_protects_both_logins_in_every_setting():
    assert "axes" in settings.INSTALLED_APPS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE


@pytest.fixture
def evidence(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    inst = helpers.institution()
    upload = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\nimage", content_type="image/png")
    violation = services.violation_record(
        institution=inst,
        type="other",
        description="d",
        found_on=dt.date(2026, 5, 1),
        action="rectification",
        actor=None,
        evidence=[upload],
    )
    return violation.evidence.get()


def test_evidence_is_stored_under_an_unguessable_folder_and_downloaded_by_staff_only(evidence):
    parts = evidence.file.name.split("/")
    assert parts[0] == "violations" and len(parts[3]) == 32 and parts[4] == "现场照片.png"
    supervisor = helpers.plain_user("ev-sup", is_staff=True)
    supervisor.groups.add(supervisor_group())
    client = Client()
    client.force_login(supervisor)
    page = client.get(f"/admin/institutions/violation/{evidence.violation_id}/change/").content.decode()
    assert f"/admin/institutions/violation/evidence/{evidence.pk}/" in page
    assert settings.MEDIA_URL + "violations/" not in page  # no public media link
    response = client.get(f"/admin/institutions/violation/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "attachment" in response["Content-Disposition"]
    no_role = Client()
    no_role.force_login(helpers.plain_user("ev-staff", is_staff=True))
    assert no_role.get(f"/admin/institutions/violation/evidence/{evidence.pk}/").status_code == 403
    portal = Client()
    portal.force_login(helpers.portal_user(evidence.violation.institution, "admin"))
    assert (
        portal.get(f"/admin/institutions/violation/evidence/{evidence.pk}/").status_code == 302
    )  # admin login
    assert Client().get(f"/admin/institutions/violation/evidence/{evidence.pk}/").status_code == 302


@pytest.fixture
def shared(db):
    """A caregiver employed by institution A, who also started at institution B."""
    a, b = helpers.institution(code="SH-A"), helpers.institution(code="SH-B")
    nid = helpers.national_id(601)
    ea = services.caregiver_employ(
        institution=a, national_id=nid, name="周护理", employed_from=dt.date(2026, 1, 1)
    )
    eb = services.caregiver_employ(
        institution=b, national_id=nid, name="周护理", employed_from=dt.date(2026, 2, 1)
    )
    return a, b, ea, eb


def test_registering_a_known_id_under_another_name_is_refused_without_showing_the_name(db):
    a, b = helpers.institution(code="SH-A"), helpers.institution(code="SH-B")
    nid = helpers.national_id(602)
    services.caregiver_employ(
        institution=a, national_id=nid, name="吴护理", employed_from=dt.date(2026, 1, 1)
    )
    with pytest.raises(InstitutionError) as exc:
        services.caregiver_employ(
            institution=b, national_id=nid, name="冒名", employed_from=dt.date(2026, 1, 1)
        )
    assert exc.value.field == "national_id" and "吴护理" not in exc.value.message
    assert Caregiver.objects.get(national_id=nid).name == "吴护理"
    assert not b.employments.exists()


def test_an_institution_cannot_rename_a_caregiver_another_institution_employs(shared):
    a, b, ea, eb = shared
    client = Client()
    client.force_login(helpers.portal_user(b, "clerk"))
    response = client.post(
        f"/portal/caregivers/{eb.pk}/", {"name": "改名", "qualification": "护士", "phone": ""}
    )
    assert response.status_code == 200
    assert "姓名更正请联系经办机构" in response.content.decode()
    assert Caregiver.objects.get(pk=ea.caregiver_id).name == "周护理"
    api = Client()
    api.force_login(helpers.portal_user(b, "admin"))
    response = api.patch(f"/api/v1/caregivers/{eb.pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 400
    assert Caregiver.objects.get(pk=ea.caregiver_id).name == "周护理"
    # Nor change its qualification while A employs the caregiver (security review finding 11).
    response = client.post(
        f"/portal/caregivers/{eb.pk}/", {"name": "周护理", "qualification": "护士", "phone": ""}
    )
    assert response.status_code == 200 and "资质和电话的更正请联系经办机构" in response.content.decode()
    assert Caregiver.objects.get(pk=ea.caregiver_id).qualification == ""


def test_a_former_employer_cannot_change_a_caregiver_now_employed_elsewhere(shared):
    a, b, ea, eb = shared
    services.employment_end(employment=ea, employed_to=dt.date(2026, 1, 31))
    client = Client()
    client.force_login(helpers.portal_user(a, "admin"))
    response = client.post(
        f"/portal/caregivers/{ea.pk}/", {"name": "周护理", "qualification": "x", "phone": "1"}
    )
    assert response.status_code == 200
    assert "不能修改其信息" in response.content.decode()
    assert Caregiver.objects.get(pk=ea.caregiver_id).phone == ""


def test_assessor_role_is_refused_outside_assessment_agencies_when_changing_roles(db):
    inst = helpers.institution()
    helpers.portal_user(inst, "admin")
    link = InstitutionUser.objects.get(user=helpers.portal_user(inst, "clerk"))
    with pytest.raises(InstitutionError, match="只有评估机构可以设置评估员"):
        services.institution_user_set_role(link=link, role="assessor")
    link.refresh_from_db()
    assert link.role == "clerk"
