"""Caregivers' certificates (with expiry) and training, recorded in the portal by their current employer."""

import datetime as dt

import pytest
from django.test import Client

from institutions import services
from institutions.models import CaregiverCertificate, CaregiverTraining

from . import helpers


@pytest.fixture
def setup(db):
    inst = helpers.institution(code="CG-A")
    employment = services.caregiver_employ(
        institution=inst,
        national_id=helpers.national_id(701),
        name="冯护理",
        employed_from=dt.date(2026, 1, 1),
    )
    client = Client()
    client.force_login(helpers.portal_user(inst, "clerk"))
    return inst, employment, client


def test_clerk_records_a_certificate_and_an_expired_one_is_flagged(setup):
    inst, employment, client = setup
    url = f"/portal/caregivers/{employment.pk}/"
    response = client.post(
        url,
        {
            "certificate": "1",
            "cert-name": "养老护理员证",
            "cert-number": "A123",
            "cert-issued_on": "2020-01-01",
            "cert-expires_on": "2021-01-01",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "养老护理员证 A123" in page and "已过期" in page
    assert CaregiverCertificate.objects.get().expires_on == dt.date(2021, 1, 1)


def test_bad_certificate_and_training_input_is_shown_and_nothing_written(setup):
    inst, employment, client = setup
    url = f"/portal/caregivers/{employment.pk}/"
    response = client.post(
        url,
        {
            "certificate": "1",
            "cert-name": "证",
            "cert-issued_on": "2024-01-01",
            "cert-expires_on": "2023-01-01",
        },
    )
    assert response.status_code == 200 and "证书有效期早于发证日期" in response.content.decode()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()  # noqa: DTZ011
    response = client.post(
        url, {"training": "1", "train-course": "失能照护", "train-completed_on": future, "train-hours": "8"}
    )
    assert response.status_code == 200 and "晚于今天" in response.content.decode()
    response = client.post(
        url,
        {
            "training": "1",
            "train-course": "失能照护",
            "train-completed_on": "2026-01-10",
            "train-hours": "-1",
        },
    )
    assert response.status_code == 200
    assert not CaregiverCertificate.objects.exists() and not CaregiverTraining.objects.exists()
    response = client.post(
        url,
        {
            "training": "1",
            "train-course": "失能照护",
            "train-completed_on": "2026-01-10",
            "train-hours": "8",
            "train-passed": "on",
        },
    )
    assert response.status_code == 302
    assert CaregiverTraining.objects.get().hours == 8


def test_a_former_employer_cannot_add_records(setup):
    inst, employment, client = setup
    services.employment_end(employment=employment, employed_to=dt.date(2026, 1, 31))
    response = client.post(
        f"/portal/caregivers/{employment.pk}/",
        {"training": "1", "train-course": "x", "train-completed_on": "2026-01-10", "train-hours": "1"},
    )
    assert response.status_code == 200
    assert "已不在本机构任职" in response.content.decode()
    assert not CaregiverTraining.objects.exists()


def test_another_institution_cannot_add_records_to_this_caregiver(setup):
    inst, employment, _client = setup
    other = helpers.institution(code="CG-B")
    client = Client()
    client.force_login(helpers.portal_user(other, "admin"))
    response = client.post(
        f"/portal/caregivers/{employment.pk}/", {"certificate": "1", "cert-name": "伪造证书"}
    )
    assert response.status_code == 404
    assert not CaregiverCertificate.objects.exists()
