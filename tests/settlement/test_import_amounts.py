"""Finding 5 (issue 13): service-record amounts through every door (file, API, portal form)."""

import datetime as dt

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from ltci.core.models import ImportBatch
from settlement.imports import import_service_records
from settlement.models import ServiceRecord

from ..interfaces import RECORDS
from .conftest import CAREGIVER, bed_days
from .test_portal_api import portal_user


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


COLUMNS = RECORDS


def csv_bytes(rows) -> bytes:
    return (
        ",".join(COLUMNS) + "\n" + "".join(",".join(r.get(c, "") for c in COLUMNS) + "\n" for r in rows)
    ).encode()


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1E+30", "'1E+30' is not an amount"),
        ("1E+13", "'1E+13' is not an amount"),
        ("1_000", "'1_000' is not an amount"),
        ("1000000000000.00", "'1000000000000.00' exceeds the maximum of 999999999999.99"),
    ],
)
def test_service_record_file_with_a_huge_amount_is_a_row_error(world, amount, reason):
    nid = world.beneficiary(form="residential", institution="YL001")
    rows = bed_days("YL001", nid, dt.date(2024, 5, 1), dt.date(2024, 5, 2))
    rows[0]["charged_amount"] = amount
    with translation.override("en"):
        report = import_service_records(content=csv_bytes(rows), filename="may.csv")
    expected = f"row 2, field charged_amount: {reason}"
    assert [str(e)[: len(expected)] for e in report.errors] == [expected]
    assert report.applied == 1 and ServiceRecord.objects.count() == 1
    assert ImportBatch.objects.filter(kind="service_records").get().rows_rejected == 1


def test_service_record_file_above_the_ceiling_is_applied_and_held_in_english_too(world):
    """SPEC 7.1: above the ceiling the row is stored but held for the office's confirmation (not refused)."""
    nid = world.beneficiary(form="residential", institution="YL001")
    rows = bed_days("YL001", nid, dt.date(2024, 5, 1), dt.date(2024, 5, 2))
    rows[0]["charged_amount"] = "2000.01"
    with translation.override("en"):
        report = import_service_records(content=csv_bytes(rows), filename="may.csv")
    assert report.errors == [] and report.applied == 2
    expected = (
        "row 2, field charged_amount: The charged amount 2000.01 yuan is above the ceiling of 2000.00 yuan"
    )
    assert [str(e)[: len(expected)] for e in report.held] == [expected]
    assert "the insurance office confirms it" in report.held[0].reason
    batch = ImportBatch.objects.filter(kind="service_records").get()
    assert (batch.rows_rejected, batch.rows_held) == (0, 1)


def test_api_refuses_an_exponent_amount_with_a_field_error(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    client = APIClient()
    client.force_authenticate(portal_user("YL001"))
    body = {
        "national_id": nid,
        "kind": "bed_day",
        "service_date": "2024-05-01",
        "component": "life",
        "charged_amount": "1E+30",
    }
    with translation.override("en"):
        response = client.post("/api/v1/service-records/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "charged_amount" in str(response.json()) and not ServiceRecord.objects.exists()


@pytest.mark.parametrize("amount", ["1E+3", "1_000", "NaN", "1000000000000"])
def test_portal_visit_form_refuses_odd_amounts(world, client, amount):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    client.force_login(portal_user("JJ001"))
    response = client.post(
        "/portal/settlement/visits/new/",
        {
            "national_id": nid,
            "service_date": "2024-05-03",
            "started_at": "09:00",
            "ended_at": "10:00",
            "caregiver_id": CAREGIVER,
            "charged_amount": amount,
            "items": ["清洁照料"],
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and ("不是金额" in text or "超过上限" in text)
    assert not ServiceRecord.objects.exists()


def test_portal_bed_days_refuses_an_exponent_daily_charge(world, client):
    client.force_login(portal_user("YL001"))
    response = client.post(
        "/portal/settlement/bed-days/", {"month": "2024-05", "daily_charge": "1E+30"}, follow=True
    )
    assert "不是金额" in response.content.decode()
    assert not ServiceRecord.objects.exists()
