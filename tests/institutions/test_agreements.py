"""Agreement details: capacity per day, the quality-deposit rule, the daily check run by hand, bad input."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from institutions import selectors, services
from institutions.errors import InstitutionError
from institutions.models import Institution, InsuranceNotice

from . import helpers
from .test_admin import supervisor_group


@pytest.fixture
def inst(db):
    inst = helpers.institution(code="AG-A", beds=3, valid_from=dt.date(2026, 1, 1))
    bed = inst.beds.order_by("label").last()
    services.bed_end(bed=bed, registered_to=dt.date(2026, 3, 31))
    return inst


def test_capacity_per_day_in_the_portal_and_the_api(inst):
    client = Client()
    client.force_login(helpers.portal_user(inst, "clerk"))
    page = client.get("/portal/beds/", {"on": "2026-03-31"}).content.decode()
    assert '2026-03-31 备案床位数：<strong id="bed-count">3</strong>' in page
    page = client.get("/portal/beds/", {"on": "2026-04-01"}).content.decode()
    assert '<strong id="bed-count">2</strong>' in page
    assert client.get("/portal/beds/", {"on": "not-a-day"}).status_code == 200  # the form shows the error
    data = client.get("/api/v1/beds/", {"on": "2026-04-01"}).json()
    assert data["count"] == 2 and [b["label"] for b in data["results"]] == ["001", "002"]
    assert client.get("/api/v1/beds/").json()["count"] == 3
    bad = client.get("/api/v1/beds/", {"on": "2026-13-01"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


def test_quality_deposit_rule_is_shown_and_an_own_rate_must_be_a_share(db, xuzhou):
    inst = helpers.institution(code="AG-D")
    client = Client()
    client.force_login(helpers.portal_user(inst, "caregiver"))
    assert "每月结算预留5%，年度考核后按得分返还" in client.get("/portal/agreement/").content.decode()
    assert client.get("/api/v1/institution/").json()["agreement"]["deposit_rate"] == "0.0500"
    other = helpers.institution(code="AG-E", active=False)
    services.institution_submit_review(institution=other, actor=None, reason="申请")
    services.institution_pass_review(institution=other, actor=None, reason="审核")
    with pytest.raises(InstitutionError, match="质量保证金比例5应在0至1之间"):
        services.agreement_sign(
            institution=other,
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2026, 12, 31),
            care_forms=[],
            insurance_expires_on=dt.date(2026, 12, 31),
            deposit_rate=D("5"),
            actor=None,
            reason="签约",
            on=dt.date(2026, 1, 1),
        )
    other.refresh_from_db()
    assert other.status == "onsite_evaluation" and not other.agreements.exists()
    agreement = services.agreement_sign(
        institution=other,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        care_forms=[],
        deposit_rate=D("0.03"),
        insurance_expires_on=dt.date(2026, 12, 31),
        actor=None,
        reason="签约",
        on=dt.date(2026, 1, 1),
    )
    assert selectors.deposit_rate(agreement, on=dt.date(2026, 6, 1)) == D("0.03")


def test_check_agreements_command_runs_the_daily_check_and_refuses_bad_dates(db, capsys):
    inst = helpers.institution(valid_from=dt.date(2026, 1, 1), insurance=dt.date(2026, 6, 30))
    call_command("check_agreements", "--on", "2026-06-15")
    assert "1 warned, 0 suspended" in capsys.readouterr().out
    call_command("check_agreements", "--on", "2026-07-01")
    call_command("check_agreements", "--on", "2026-07-01")
    assert "0 warned, 0 suspended" in capsys.readouterr().out.splitlines()[-1]
    assert Institution.objects.get(pk=inst.pk).status == "suspended"
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD 格式的日期"):
        call_command("check_agreements", "--on", "1.7.2026")


def test_staff_run_the_daily_check_from_the_admin(db):
    soon = dt.date.today() + dt.timedelta(days=10)  # noqa: DTZ011 (the check uses the local date)
    helpers.institution(
        valid_from=dt.date(2026, 1, 1), insurance=soon, valid_to=soon + dt.timedelta(days=400)
    )
    user = helpers.plain_user("checker", is_staff=True)
    user.groups.add(supervisor_group())
    client = Client()
    client.force_login(user)
    page = client.get("/admin/institutions/insurancenotice/").content.decode()
    assert "run-daily-check" in page
    response = client.post("/admin/institutions/insurancenotice/run-check/", follow=True)
    assert "每日检查完成：提醒1家" in response.content.decode()
    assert InsuranceNotice.objects.filter(kind="warning").count() == 1
    assert client.get("/admin/institutions/insurancenotice/run-check/").status_code == 403
    nobody = Client()
    nobody.force_login(helpers.plain_user("nobody", is_staff=True))
    assert nobody.post("/admin/institutions/insurancenotice/run-check/").status_code == 403


def test_admin_institution_form_refuses_a_bad_region_code(db):
    client = Client()
    client.force_login(helpers.plain_user("root2", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/institutions/institution/add/",
        {
            "code": "AG-R",
            "name": "区划错误",
            "type": "elderly_care",
            "region_code": "3203",
            "credit_code": "",
            "agreements-TOTAL_FORMS": "0",
            "agreements-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "所在地区应为6位行政区划代码" in response.content.decode()
    assert not Institution.objects.filter(code="AG-R").exists()


def test_date_inputs_carry_iso_dates_whatever_the_language(inst):
    """<input type="date"> drops a value in the zh-hans format (2026/12/01): forms render ISO dates."""
    from django.utils import timezone

    client = Client()
    client.force_login(helpers.portal_user(inst, "admin"))
    today = timezone.localdate().isoformat()
    page = client.get("/portal/beds/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'type="date" name="registered_from" value="{today}"' in page
    staff = Client()
    staff.force_login(helpers.plain_user("root3", is_staff=True, is_superuser=True))
    page = staff.get(f"/admin/institutions/institution/{inst.pk}/lifecycle/suspend/").content.decode()
    assert f'name="effective_on" value="{today}"' in page
