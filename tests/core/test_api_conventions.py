"""Conventions every /api/v1/ endpoint shares (security review, issue 13): one capped pagination, throttling
per user with a 429 and Retry-After, and a schema that documents parameters and error responses."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from assessment.models import Assessor
from ltci.core.auth import token_create
from tests.institutions import helpers

HUGE = "272068312049282459893760"
LIST_URLS = ["/api/v1/caregivers/", "/api/v1/beds/", "/api/v1/clients/", "/api/v1/admissions/"]


@pytest.fixture
def inst(db):
    return helpers.institution(code="CONV-A", beds=3)


@pytest.fixture
def clerk(inst):
    client = Client()
    client.force_login(helpers.portal_user(inst, "clerk", "conv-clerk"))
    return client


@pytest.fixture
def assessor_client(db):
    agency = helpers.institution(code="CONV-G", type="assessment_agency", care_forms=())
    user = helpers.portal_user(agency, "assessor", "conv-assessor")
    Assessor.objects.create(agency=agency, user=user, name="评估员", national_id=helpers.national_id(501))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "query",
    [
        f"limit={HUGE}",
        f"offset={HUGE}",
        f"limit={HUGE}&offset={HUGE}",
        "limit=-5",
        "offset=-5",
        "limit=abc",
        "offset=1.5",
        "limit=0",
        "limit=" + "9" * 400,
    ],
)
def test_any_limit_or_offset_is_clamped_never_a_server_error(clerk, assessor_client, query):
    for client, url in [(clerk, u) for u in LIST_URLS] + [(assessor_client, "/api/v1/assessment-tasks/")]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query, response.status_code)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}, url
        assert len(body["results"]) <= 500


def test_page_size_is_capped_at_500(inst, clerk):
    from institutions import services

    services.beds_set_count(institution=inst, count=600, on=inst.agreements.get().valid_from)
    body = clerk.get("/api/v1/beds/?limit=100000").json()
    assert body["count"] == 600 and len(body["results"]) == 500
    assert len(clerk.get("/api/v1/beds/").json()["results"]) == 100


@pytest.fixture
def low_rate():
    """The API's per-user rate lowered to 3 a minute (a fresh count: the throttle history lives in the cache)."""
    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        yield
    cache.clear()


def test_api_is_throttled_per_user_with_retry_after(inst, low_rate):
    first = token_create(user=helpers.portal_user(inst, "admin", "conv-admin"), name="t")[1]
    second = token_create(user=helpers.portal_user(inst, "clerk", "conv-clerk2"), name="t")[1]
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/beds/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 200
    refused = client.get("/api/v1/beds/", HTTP_AUTHORIZATION=f"Token {first}")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    # Another token of the same user shares the budget; another user has its own.
    again = token_create(user=refused.wsgi_request.user, name="t2")[1]
    assert client.get("/api/v1/beds/", HTTP_AUTHORIZATION=f"Token {again}").status_code == 429
    assert client.get("/api/v1/beds/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_service_record_uploads_have_their_own_lower_rate():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"user", "anon", "service_records"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]


@pytest.fixture
def schema(db):
    import yaml

    response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _params(operation):
    return {p["name"]: p for p in operation.get("parameters", [])}


def test_schema_documents_the_month_and_download_parameters(schema):
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/service-records/", "get"),
        ("/api/v1/settlement/claims/", "post"),
        ("/api/v1/settlement/results/", "get"),
    ]:
        month = _params(paths[path][method])["month"]
        assert month["required"] is True and month["in"] == "query", path
    download = _params(paths["/api/v1/settlement/statements/{id}/"]["get"])["download"]
    assert sorted(download["schema"]["enum"]) == ["csv", "pdf"]
    assert "text/csv" in paths["/api/v1/settlement/statements/{id}/"]["get"]["responses"]["200"]["content"]


def test_schema_documents_error_responses_with_one_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (path, method, codes)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method in ("post", "patch") or any(
                p["in"] == "query" for p in operation.get("parameters", [])
            ):
                assert "400" in codes, (path, method)
            assert operation["responses"]["429"]["headers"]["Retry-After"], (path, method)
            ref = operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"


def test_schema_says_service_records_take_an_object_or_an_array(schema):
    body = schema["paths"]["/api/v1/service-records/"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json"}
    name = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    variants = schema["components"]["schemas"][name]["oneOf"]
    assert {v.get("type", "object") for v in variants} == {"object", "array"}
    listing = schema["paths"]["/api/v1/service-records/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    assert listing["schema"]["$ref"].startswith("#/components/schemas/Paginated")


def test_an_unmatched_api_url_answers_in_the_error_format(db):
    response = Client().get("/api/v1/beds/-1/end/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert "text/html" in Client().get("/no-such-page/")["Content-Type"]
