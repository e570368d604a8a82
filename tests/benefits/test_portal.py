"""Provider portal /portal/residents/: residents and clients with eligibility; admissions; wrong users."""

# ruff: noqa: S105, S106
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from benefits.models import Admission
from benefits.services import decision_create
from institutions.models import InstitutionUser

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db


def _user(username, institution=None, role="clerk", **extra):
    user = get_user_model().objects.create_user(username=username, password="x", **extra)
    if institution is not None:
        InstitutionUser.objects.create(user=user, institution=institution, role=role)
    return user


@pytest.fixture
def setup(policy):
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    inst = make_institution(
        beds=2, valid_from=start - dt.timedelta(days=400), valid_to=today + dt.timedelta(days=400)
    )
    other = make_institution(
        beds=2, valid_from=start - dt.timedelta(days=400), valid_to=today + dt.timedelta(days=400)
    )
    resident = make_person(name="李四", paid_years=range(today.year - 3, today.year + 1))
    make_conclusion(resident, grade=4, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    decision_create(person=resident, care_form="residential", institution=inst, starts_on=start)
    client = make_person(name="王五", paid_years=range(today.year - 3, today.year + 1))
    make_conclusion(client, grade=2, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    decision_create(person=client, care_form="home_visits", institution=inst, starts_on=start)
    stranger = make_person(name="赵六", paid_years=range(today.year - 3, today.year + 1))
    make_conclusion(stranger, grade=3, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    decision_create(person=stranger, care_form="residential", institution=other, starts_on=start)
    return {
        "inst": inst,
        "other": other,
        "resident": resident,
        "client": client,
        "stranger": stranger,
        "today": today,
    }


def test_institution_sees_its_residents_and_clients_with_eligibility(client, setup):
    client.force_login(_user("clerk", setup["inst"]))
    page = client.get("/portal/residents/").content.decode()
    assert "李四" in page and "王五" in page and "赵六" not in page
    assert setup["resident"].national_id not in page  # masked
    assert page.count(">符合<") == 3  # resident row, and both client rows


def test_anonymous_is_sent_to_login_and_staff_without_institution_is_refused(client, setup):
    response = client.get("/portal/residents/")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(_user("staff", is_staff=True))
    assert client.get("/portal/residents/").status_code == 403


def test_caregiver_sees_but_cannot_record(client, setup):
    client.force_login(_user("carer", setup["inst"], role="caregiver"))
    assert client.get("/portal/residents/").status_code == 200
    admission = Admission.objects.get(person=setup["resident"])
    response = client.post(f"/portal/residents/{admission.pk}/discharge/", {"discharged_on": "2024-01-01"})
    assert response.status_code == 403


def test_other_institution_cannot_discharge_or_move_our_resident(client, setup):
    client.force_login(_user("intruder", setup["other"]))
    admission = Admission.objects.get(person=setup["resident"])
    today = setup["today"].isoformat()
    assert (
        client.post(f"/portal/residents/{admission.pk}/discharge/", {"discharged_on": today}).status_code
        == 404
    )
    bed = setup["other"].beds.first()
    assert (
        client.post(f"/portal/residents/{admission.pk}/bed/", {"bed": bed.pk, "on": today}).status_code == 404
    )
    admission.refresh_from_db()
    assert admission.discharged_on is None


def test_clerk_discharges_and_changes_bed(client, setup):
    client.force_login(_user("clerk", setup["inst"]))
    admission = Admission.objects.get(person=setup["resident"])
    free = setup["inst"].beds.exclude(pk=admission.bed_id).first()
    today = setup["today"]
    client.post(f"/portal/residents/{admission.pk}/bed/", {"bed": free.pk, "on": today.isoformat()})
    moved = Admission.objects.get(person=setup["resident"], discharged_on__isnull=True)
    assert moved.bed == free
    other_bed = setup["other"].beds.first()
    response = client.post(
        f"/portal/residents/{moved.pk}/bed/", {"bed": other_bed.pk, "on": today.isoformat()}
    )
    assert response.status_code == 302
    assert Admission.objects.get(pk=moved.pk).bed == free  # a bed of another institution is refused
    client.post(
        f"/portal/residents/{moved.pk}/discharge/", {"discharged_on": (today + dt.timedelta(1)).isoformat()}
    )
    assert Admission.objects.get(pk=moved.pk).discharged_on == today + dt.timedelta(1)


def test_admission_needs_a_residential_decision_at_this_institution(client, setup):
    client.force_login(_user("clerk", setup["inst"]))
    response = client.post(
        "/portal/residents/",
        {"national_id": setup["stranger"].national_id, "admitted_on": setup["today"].isoformat()},
    )
    assert "该参保人在入住日期没有本机构的机构护理待遇核定" in response.content.decode()
    assert not Admission.objects.filter(person=setup["stranger"], institution=setup["inst"]).exists()
