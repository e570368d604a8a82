"""Every query parameter is validated (issue 16): a bad value -- not a number, a month 13, a negative or
huge number, a year the office never had -- is a 400 page (or the admin's "wrong filter" notice, or the API's
field error) that says what is wrong, never a server error; an empty value takes the page's default."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.benefits.conftest import make_person
from tests.institutions import helpers

BAD_MONTHS = ["abc", "2026-13", "-1", "99999999999999999999", "2026-00", "1899-12", "9999-12"]
BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "1.5", "²"]
HUGE = "99999999999999999999"


def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def clerk(xuzhou):
    inst = helpers.institution(code="QP-A")
    return client_for(helpers.portal_user(inst, "clerk"))


@pytest.fixture
def boss(db):
    return client_for(User.objects.create_superuser("qp-root"))


@pytest.mark.parametrize("path", ["/portal/settlement/", "/portal/settlement/results/"])
@pytest.mark.parametrize("bad", BAD_MONTHS)
def test_a_bad_portal_month_is_a_400_page_naming_the_month(clerk, path, bad):
    response = clerk.get(path, {"month": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="bad-query"' in page and "月份：" in page
    assert 'data-status="400"' in page  # the site's styled page


@pytest.mark.parametrize("path", ["/portal/settlement/", "/portal/settlement/results/"])
def test_an_empty_or_good_portal_month_is_the_page(clerk, path):
    assert clerk.get(path, {"month": ""}).status_code == 200
    assert clerk.get(path, {"month": "2026-05"}).status_code == 200


def test_a_bad_month_posted_with_a_claim_is_refused_and_nothing_is_claimed(clerk):
    from settlement.models import Claim

    response = clerk.post("/portal/settlement/claim/", {"month": "2026-13"})
    assert response.status_code == 400
    assert not Claim.objects.exists()


@pytest.mark.parametrize("bad", BAD_MONTHS + [""])
def test_the_api_answers_a_bad_month_with_a_field_error(clerk, bad):
    response = clerk.get("/api/v1/settlement/results/", {"month": bad})
    assert response.status_code == 400
    assert "month" in response.content.decode()


@pytest.mark.parametrize("param", ["job", "errors"])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_import_page_refuses_a_bad_job_or_batch_number(boss, param, bad):
    for url in (
        reverse("admin:benefits_benefitdecision_import"),
        reverse("admin:enrollment_import", args=["roster"]),
    ):
        if param == "errors" and "enrollment" in url:
            continue  # the roster page has its own error-report URL (a path converter)
        response = boss.get(url, {param: bad})
        assert response.status_code == 400, (url, bad)
        assert 'id="bad-query"' in response.content.decode()


def test_an_unknown_but_valid_job_number_is_not_found(boss):
    assert (
        boss.get(reverse("admin:benefits_benefitdecision_import"), {"job": "2147483647"}).status_code == 404
    )


@pytest.mark.parametrize("bad", ["abc", "-1", HUGE, "²", "1899"])
def test_a_bad_contribution_year_filter_is_the_admins_wrong_filter_notice(boss, bad):
    make_person(name="缴费")  # contributions: the year filter is shown
    response = boss.get(reverse("admin:enrollment_contribution_changelist"), {"year": bad})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


@pytest.mark.parametrize("bad", ["abc", "-1", HUGE, "2026-13"])
def test_a_bad_fund_report_year_is_a_form_error(boss, bad):
    response = boss.get(reverse("admin:settlement_reports"), {"year": bad})
    assert response.status_code == 400


@pytest.mark.parametrize("bad", ["abc", "2026-13-01", "-1", HUGE, "0001-01-01", "9999-12-31"])
def test_the_case_pages_eligibility_date_is_validated(boss, xuzhou, bad):
    person = make_person(name="查询")
    response = boss.get(reverse("office_person_case", args=[person.pk]), {"on": bad})
    assert response.status_code in (200, 400)
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("bad", ["abc", "2026-13-01", HUGE, "0001-01-01", "9999-12-31"])
def test_the_portal_beds_day_is_validated(clerk, bad):
    response = clerk.get("/portal/beds/", {"on": bad})
    assert response.status_code in (200, 400)
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/portal/caregivers/{HUGE}/",
        f"/portal/settlement/statements/{HUGE}/pdf/",
        f"/portal/settlement/upload/{HUGE}/errors/",
        f"/portal/settlement/upload/jobs/{HUGE}/",
    ],
)
def test_a_huge_id_in_a_portal_path_is_not_found(clerk, path):
    assert clerk.get(path).status_code == 404


@pytest.mark.parametrize(
    "name,args",
    [
        ("office_person_case", [HUGE]),
        ("admin:enrollment_import_errors", [HUGE]),
        ("admin:enrollment_person_change", [HUGE]),
    ],
)
def test_a_huge_id_in_an_admin_path_is_not_found(boss, name, args):
    response = boss.get(reverse(name, args=args))
    assert response.status_code in (302, 404)  # the admin redirects an unknown object to its list


@pytest.mark.parametrize("bad", ["abc", "2026-13-01", HUGE, "0001-01-01", "9999-12-31"])
def test_the_beds_api_day_is_validated(xuzhou, bad):
    inst = helpers.institution(code="QP-B")
    client = client_for(helpers.portal_user(inst, "admin"))
    response = client.get("/api/v1/beds/", {"on": bad})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("field", ["line_id", "audit_id"])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_appeal_naming_a_bad_line_or_audit_is_refused_with_a_message(clerk, field, bad):
    from settlement.models import Appeal

    data = {"line_id": "1", "audit_id": "", "comment": "x", field: bad}
    response = clerk.post("/portal/settlement/appeal/", data)
    assert response.status_code == 302 and response["Location"] == "/portal/settlement/"
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "nonsense"},
        {"kind": "claim_deadline", "key": "no such key"},
        {"kind": "contribution_standard", "key": "*", "form": "neither"},
        {"kind": "", "key": HUGE},
    ],
)
def test_a_bad_policy_kind_key_or_form_is_the_choosers_form_error(boss, query):
    response = boss.get(reverse("admin:core_policyrecord_add"), query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page or not query["kind"]
    assert 'name="kind"' in page  # still the chooser, not the record's form
