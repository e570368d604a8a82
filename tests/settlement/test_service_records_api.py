"""POST/GET /api/v1/service-records/ under attack (security review, issue 13): no insured-status oracle,
bounded batches, bad bodies are 400s with field errors, the month's list is paged without truncation."""

import json

import pytest
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from enrollment.models import Person
from institutions.models import Institution
from settlement.models import ServiceRecord
from settlement.services.records import records_store

from .conftest import D, new_id
from .test_portal_api import portal_user


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


NOT_SERVED = "该参保人不在本机构服务对象中或身份证号有误"
URL = "/api/v1/service-records/"


def api(code, role="admin"):
    client = APIClient()
    client.force_authenticate(portal_user(code, role=role))
    return client


def bed_day(nid, day="2024-05-01", **extra):
    return {
        "national_id": nid,
        "kind": "bed_day",
        "service_date": day,
        "component": "life",
        "charged_amount": "60.00",
        **extra,
    }


def test_an_unknown_id_and_a_known_person_of_another_institution_get_the_same_answer(world):
    served = world.beneficiary(form="residential", institution="YL001")
    elsewhere = world.beneficiary(form="residential", institution="YY001")  # insured, not YL001's
    unknown = new_id()
    assert Person.objects.filter(national_id=elsewhere).exists()
    assert not Person.objects.filter(national_id=unknown).exists()
    client = api("YL001")
    answers = []
    for probe in (elsewhere, unknown):
        broken = bed_day(served, "2024-05-02", component="")
        response = client.post(URL, [bed_day(probe), broken], format="json")
        assert response.status_code == 400
        answers.append(json.dumps(response.json(), ensure_ascii=False).replace(probe, "<ID>"))
    assert answers[0] == answers[1]
    errors = json.loads(answers[0])["errors"]["records"]
    assert errors["0"] == {"national_id": [NOT_SERVED]}
    assert ServiceRecord.objects.count() == 0
    # The institution's own client is accepted; the staff file import keeps the precise reason.
    assert client.post(URL, [bed_day(served)], format="json").status_code == 201
    out, err = world.records([{**bed_day(unknown), "institution_code": "YL001"}])
    assert f"没有公民身份号码为 {unknown} 的参保人" in out + err + _last_report()


def _last_report():
    from ltci.core.models import ImportBatch

    batch = ImportBatch.objects.order_by("-pk").first()
    return batch.error_report if batch else ""


def test_device_provider_may_bill_any_beneficiary_but_learns_nothing_about_others(world):
    world.institutions([{"code": "FZ001", "type": "device_provider", "care_forms": "device", "beds": "0"}])
    beneficiary = world.beneficiary(form="home_visits", institution="JJ001")
    insured_only = new_id()
    world.persons([{"national_id": insured_only}])
    client = api("FZ001")
    device = {
        "national_id": beneficiary,
        "kind": "device",
        "service_date": "2024-05-03",
        "charged_amount": "30.00",
        "client_key": "d-1",
    }
    assert client.post(URL, [device], format="json").status_code == 201
    refused = [
        client.post(URL, [{**device, "national_id": nid, "client_key": "d-2"}], format="json").json()
        for nid in (insured_only, new_id())
    ]
    assert (
        refused[0]["errors"]["records"]["0"]
        == refused[1]["errors"]["records"]["0"]
        == {"national_id": [NOT_SERVED]}
    )


def test_another_institutions_code_is_refused_alike_whether_it_exists_or_not(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    client = api("YL001")
    answers = [
        client.post(URL, [bed_day(nid, institution_code=code)], format="json").json()["errors"]["records"][
            "0"
        ]
        for code in ("YY001", "NO-SUCH")
    ]
    assert answers[0]["institution_code"][0].replace("YY001", "X") == answers[1]["institution_code"][
        0
    ].replace("NO-SUCH", "X")


@override_settings(LTCI_API_MAX_RECORDS=3)
def test_a_batch_over_the_limit_is_refused_naming_the_limit(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    client = api("YL001")
    response = client.post(URL, [bed_day(nid, f"2024-05-0{d}") for d in range(1, 5)], format="json")
    assert response.status_code == 400
    assert "3" in response.json()["errors"]["records"][0]
    assert ServiceRecord.objects.count() == 0
    assert (
        client.post(URL, [bed_day(nid, f"2024-05-0{d}") for d in range(1, 4)], format="json").status_code
        == 201
    )


def test_the_default_batch_limit_is_one_thousand(world):
    client = api("YL001")
    response = client.post(URL, [{}] * 1001, format="json")
    assert response.status_code == 400
    assert "1000" in response.json()["errors"]["records"][0]


@pytest.mark.parametrize(
    "body", ['"abc"', "5", "null", "true", "[1, 2]", "[[]]", "[]", "{bad json", "[{}, 3]"]
)
def test_bodies_that_are_not_records_are_400s(world, body):
    response = api("YL001").post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "parse_error")
    assert ServiceRecord.objects.count() == 0


@pytest.mark.parametrize(
    "field,value",
    [
        ("charged_amount", "1E+30"),
        ("charged_amount", 1e30),
        ("charged_amount", "1e400"),
        ("charged_amount", "123456789012345.00"),
        ("charged_amount", "NaN"),
        ("charged_amount", "Infinity"),
        ("charged_amount", {"a": 1}),
        ("charged_amount", [1]),
        ("charged_amount", True),
        ("charged_amount", "60.001"),
        ("national_id", 5),
        ("national_id", None),
        ("national_id", "x" * 5000),
        ("kind", ["bed_day"]),
        ("service_date", 20240501),
        ("items", "清洁照料"),
        ("items", [{"x": 1}]),
        ("items", ["x"] * 500),
        ("client_key", "k" * 81),
        ("started_at", 900),
    ],
)
def test_wrong_types_and_huge_amounts_are_field_errors(world, field, value):
    nid = world.beneficiary(form="residential", institution="YL001")
    response = api("YL001").post(URL, [{**bed_day(nid), field: value}], format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]["records"]["0"], response.json()
    assert ServiceRecord.objects.count() == 0


def test_the_months_records_are_paged_without_truncation(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    institution = Institution.objects.get(code="YL001")
    person = Person.objects.get(national_id=nid)
    records_store(
        records=[
            (
                f"t:{n}",
                {
                    "institution_id": institution.pk,
                    "person_id": person.pk,
                    "kind": "bed_day",
                    "service_date": D(2024, 5, 1 + n % 31),
                    "component": "life",
                    "charged_amount": 60,
                },
            )
            for n in range(5003)
        ],
        origin="api",
    )
    client = api("YL001", role="clerk")
    page = client.get(f"{URL}?month=2024-05&limit=500&offset=5000").json()
    assert page["count"] == 5003 and len(page["results"]) == 3
    assert page["previous"] and page["next"] is None
    first = client.get(f"{URL}?month=2024-05").json()
    assert len(first["results"]) == 100 and first["next"]
    assert api("YY001").get(f"{URL}?month=2024-05").json()["count"] == 0


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2024-13", "", "abc", "2024-1"])
def test_a_bad_month_is_a_400_on_every_endpoint_that_takes_one(world, month):
    client = api("YL001")
    for method, url in [
        ("get", URL),
        ("post", "/api/v1/settlement/claims/"),
        ("get", "/api/v1/settlement/results/"),
    ]:
        response = getattr(client, method)(f"{url}?month={month}")
        assert response.status_code == 400, (url, month, response.status_code)
        assert "month" in response.json()["errors"]


def test_an_unknown_statement_format_is_a_400(world):
    response = api("YL001").get("/api/v1/settlement/statements/1/?download=xls")
    assert response.status_code == 400
    assert "download" in response.json()["errors"]
