"""Styled 403/404/500 pages in the site's layout (the admin's for staff under /admin/), the API's JSON 404, and
query parameters that are form errors, not server errors (issue 16)."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client, RequestFactory
from django.urls import reverse

from ltci.core import roles
from ltci.core.errors import server_error

pytestmark = pytest.mark.django_db


def client_as(role=None, *, superuser=False, name="err-user"):
    user = User.objects.create_user(name, is_staff=True, is_superuser=superuser)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_admin_403_is_in_the_admin_layout_in_chinese():
    response = client_as(roles.FUND_ACCOUNTANT).post(
        reverse("admin:settlement_run_start"), {"month": "2024-01"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-status="403"' in page and "无权访问" in page
    assert 'id="header"' in page  # the admin's header: the staff stay in their layout
    assert reverse("admin:index") in page


def test_admin_404_is_in_the_admin_layout():
    response = client_as(roles.SUPERVISOR).get(reverse("office_person_case", args=[999999]))
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-status="404"' in page and "页面不存在" in page and 'id="header"' in page


def test_public_404_is_in_the_site_layout():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-status="404"' in page and "长期护理保险经办系统" in page and "<header>" in page


def test_api_404_keeps_the_api_error_format():
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_500_page_renders_without_a_database_or_context():
    response = server_error(RequestFactory().get("/admin/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert 'data-status="500"' in page and "系统错误" in page
    assert "Traceback" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/admin/settlement/settlementrun/reports/?year=abc",
        "/admin/settlement/settlementrun/reports/?year=99999",
        "/admin/settlement/settlementrun/reports/?region=abc",
        "/admin/core/policyrecord/add/?kind=nonsense",
        "/admin/core/policyrecord/add/?kind=payment_standard&key=&form=bogus",
        "/admin/enrollment/contribution/?year=abc",
        "/admin/enrollment/contribution/?status__exact=bogus",
        "/admin/assessment/application/?applied_on__gte=abc",
        "/admin/core/jobrun/?job=nonsense",
        "/admin/enrollment/person/?q=%25%25%25",
    ],
)
def test_bad_query_parameters_never_give_a_server_error(path):
    client = client_as(superuser=True, name="err-root")
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code < 500, path
    assert "Traceback" not in response.content.decode()


def test_a_bad_report_year_is_a_form_error_on_the_page():
    response = client_as(roles.FUND_ACCOUNTANT).get("/admin/settlement/settlementrun/reports/?year=abc")
    assert response.status_code == 400
    page = response.content.decode()
    assert "输入整数" in page and 'class="errorlist' in page


@pytest.mark.parametrize(
    "path", ["/admin/core/importbatch/?kind=%00", "/admin/enrollment/person/?q=a%00b", "/?x=%00"]
)
def test_a_nul_character_in_a_query_is_a_bad_request_page(path):
    client = client_as(superuser=True, name="err-nul")
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 400
    assert 'data-status="400"' in response.content.decode()


def test_money_and_history_rows_have_no_delete_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    keep = [
        "core.jobrun",
        "core.importbatch",
        "core.policyrecord",
        "enrollment.person",
        "enrollment.coverageperiod",
        "settlement.servicerecord",
        "settlement.claim",
        "settlement.appeal",
        "settlement.handlingfee",
        "settlement.fundbudget",
        "settlement.fundwarning",
        "assessment.application",
        "assessment.assessmentfee",
        "assessment.conclusionevent",
        "assessment.committeedecision",
        "benefits.admission",
        "benefits.hospitalstay",
        "benefits.otherfundbenefit",
        "institutions.violation",
        "institutions.appraisal",
        "institutions.insurancenotice",
    ]
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("keep-root")
    for label in keep:
        model_admin = admin.site.get_model_admin(apps.get_model(label))
        assert not model_admin.has_delete_permission(request), label
        assert "delete_selected" not in model_admin.get_actions(request), label


def test_revoking_a_bed_asks_for_confirmation_first():
    import datetime as dt

    from institutions.models import Bed
    from tests.institutions import helpers

    inst = helpers.institution(code="CONFIRM-BED", beds=1)
    bed = Bed.objects.get(institution=inst)
    client = Client()
    client.force_login(helpers.portal_user(inst, "admin", "confirm-admin"))
    url = reverse("portal:bed_end", args=[bed.pk])
    day = dt.date.today().isoformat()  # noqa: DTZ011
    first = client.post(url, {"registered_to": day})
    assert first.status_code == 200 and 'id="confirm-bed-end"' in first.content.decode()
    bed.refresh_from_db()
    assert bed.registered_to is None
    second = client.post(url, {"registered_to": day, "confirm": "1"})
    assert second.status_code == 302
    bed.refresh_from_db()
    assert bed.registered_to is not None


def test_approving_a_run_asks_for_confirmation_first():
    import datetime as dt

    from settlement.models import SettlementRun

    run = SettlementRun.objects.create(month=dt.date(2020, 1, 1), state="audited")
    client = client_as(roles.SUPERVISOR, name="confirm-boss")
    url = reverse("admin:settlement_settlementrun_changelist")
    first = client.post(url, {"action": "approve", "_selected_action": [run.pk]})
    assert first.status_code == 200 and 'id="confirm-approve"' in first.content.decode()
    run.refresh_from_db()
    assert run.state == "audited"
    second = client.post(url, {"action": "approve", "_selected_action": [run.pk], "confirm": "1"})
    assert second.status_code == 302
    run.refresh_from_db()
    assert run.state == "approved"
