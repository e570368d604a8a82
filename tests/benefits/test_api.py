"""Residents API (/api/v1/clients/, /api/v1/admissions/): same scope as the portal; wrong users."""

# ruff: noqa: S106
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from benefits.models import Admission
from benefits.services import decision_create
from institutions.models import InstitutionUser

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db


def _api(username, institution=None, role="clerk", **extra):
    user = get_user_model().objects.create_user(username=username, password="x", **extra)
    if institution is not None:
        InstitutionUser.objects.create(user=user, institution=institution, role=role)
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def world(policy):
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    far = {"valid_from": start - dt.timedelta(days=400), "valid_to": today + dt.timedelta(days=400)}
    inst, other = make_institution(beds=2, **far), make_institution(beds=2, **far)
    years = range(today.year - 3, today.year + 1)
    resident = make_person(name="李四", paid_years=years)
    make_conclusion(resident, grade=4, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    decision_create(person=resident, care_form="residential", institution=inst, starts_on=start)
    newcomer = make_person(name="钱七", paid_years=years)
    make_conclusion(newcomer, grade=3, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    return {"inst": inst, "other": other, "resident": resident, "newcomer": newcomer, "today": today}


def test_clients_list_with_eligibility_is_scoped_and_masked(world):
    rows = _api("a", world["inst"]).get("/api/v1/clients/").json()["results"]
    assert [(r["name"], r["eligible_today"], r["reason_code"]) for r in rows] == [("李四", True, None)]
    assert world["resident"].national_id not in str(rows)
    assert _api("b", world["other"]).get("/api/v1/clients/").json()["results"] == []


def test_admit_discharge_and_change_bed_through_the_api(world):
    api = _api("a", world["inst"])
    refused = api.post(
        "/api/v1/admissions/",
        {"national_id": world["newcomer"].national_id, "admitted_on": world["today"].isoformat()},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "non_field_errors": ["该参保人在入住日期没有本机构的机构护理待遇核定"]
    }
    admission = Admission.objects.get(person=world["resident"])
    moved = api.post(
        f"/api/v1/admissions/{admission.pk}/bed/", {"bed": "02", "on": world["today"].isoformat()}
    )
    assert moved.status_code == 200 and moved.json()["bed"] == "02"
    gone = api.post(
        f"/api/v1/admissions/{moved.json()['id']}/discharge/", {"discharged_on": world["today"].isoformat()}
    )
    assert gone.status_code == 200 and gone.json()["discharged_on"] == world["today"].isoformat()


def test_wrong_users_get_nothing(world):
    admission = Admission.objects.get(person=world["resident"])
    intruder = _api("b", world["other"])
    url = f"/api/v1/admissions/{admission.pk}/discharge/"
    assert intruder.post(url, {"discharged_on": world["today"].isoformat()}).status_code == 404
    assert (
        _api("c", world["inst"], role="caregiver").post(url, {"discharged_on": "2024-01-01"}).status_code
        == 403
    )
    assert _api("staff", is_staff=True).get("/api/v1/clients/").status_code == 403
    assert APIClient().get("/api/v1/clients/").status_code in (401, 403)
    admission.refresh_from_db()
    assert admission.discharged_on is None
