"""Security review findings 2, 8 and 10: settlement actions, fund reports and caregivers' rights."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from institutions.models import Institution, InstitutionUser
from ltci.core import roles
from ltci.core.auth import token_create
from ltci.core.models import JobRun
from settlement import states
from settlement.models import ServiceRecord, SettlementRun
from settlement.services.run import settlement_run
from settlement.tasks import settlement_run_month

from .conftest import CAREGIVER, D, bed_days, staff

REPORTS = "/admin/settlement/settlementrun/reports/"


@pytest.fixture
def audited_may(world):
    world.beneficiary(form="remote_cash")
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    return states.run_transition(run=run, to="audited", actor=officer)


def _rerun(client, run):
    return client.post(
        "/admin/settlement/settlementrun/", {"action": "rerun", "_selected_action": [run.pk]}, follow=True
    )


def test_rerun_action_refuses_the_fund_accountant_like_the_start_page(audited_may, client):
    """Finding 2: the fund accountant replaced an audited v1 by a new draft through the admin action."""
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    _rerun(client, audited_may)
    assert list(SettlementRun.objects.values_list("version", "state")) == [(1, "audited")]
    client.post("/admin/settlement/settlementrun/start/", {"month": "2024-05"})
    assert list(SettlementRun.objects.values_list("version", "state")) == [(1, "audited")]


def test_rerun_action_offered_to_and_run_by_the_settlement_officer(audited_may, client):
    client.force_login(staff("officer2", roles.SETTLEMENT_OFFICER))
    page = client.get("/admin/settlement/settlementrun/").content.decode()
    assert 'value="rerun"' in page
    page = _rerun(client, audited_may)
    job = JobRun.objects.get(job="settlement", state="running")  # queued: the run is the worker's (issue 16)
    assert page.redirect_chain[-1][0] == reverse("admin:core_jobrun_change", args=[job.pk])
    settlement_run_month.apply(args=["2024-05"], kwargs={"job_id": job.pk})
    assert list(SettlementRun.objects.values_list("version", "state")) == [(2, "draft")]  # v1 swapped out


def test_rerun_action_not_offered_to_the_fund_accountant(audited_may, client):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    page = client.get("/admin/settlement/settlementrun/").content.decode()
    assert 'value="rerun"' not in page and 'value="payment_batch"' in page
    assert "settlementrun/start/" not in page  # the start button follows the same capability


@pytest.mark.parametrize(
    "role",
    [roles.ASSESSMENT_COORDINATOR, roles.BENEFIT_AUDITOR, roles.ENROLLMENT_CLERK, roles.SETTLEMENT_OFFICER],
)
def test_fund_reports_are_refused_to_roles_without_fund_reports(world, client, role):
    """Finding 10: every staff role could read the fund reports and the disclosure PDF."""
    client.force_login(staff("someone", role))
    assert client.get(f"{REPORTS}?year=2024").status_code == 403
    assert client.get(f"{REPORTS}?year=2024&format=pdf").status_code == 403


@pytest.mark.parametrize("role", [roles.FUND_ACCOUNTANT, roles.SUPERVISOR])
def test_fund_reports_open_to_fund_accountant_and_supervisor(world, client, role):
    client.force_login(staff("fund", role))
    assert client.get(f"{REPORTS}?year=2024").status_code == 200


def test_fund_reports_link_only_for_those_who_may_open_them(world, client):
    client.force_login(staff("officer", roles.SETTLEMENT_OFFICER))
    assert "settlementrun/reports/" not in client.get("/admin/settlement/settlementrun/").content.decode()


@pytest.mark.parametrize("year", ["abc", "0", "99999", "-1"])
def test_a_bad_report_year_is_a_form_error_not_a_server_error(world, client, year):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    for suffix in ("", "&format=pdf"):
        response = client.get(f"{REPORTS}?year={year}{suffix}")
        assert response.status_code == 400
        assert "errorlist" in response.content.decode()


def _caregiver(code):
    user = User.objects.create_user(f"{code}-carer", password="pw")  # noqa: S106
    InstitutionUser.objects.create(
        user=user, institution=Institution.objects.get(code=code), role="caregiver"
    )
    return user


def test_caregiver_token_cannot_create_or_read_service_records(world):
    """Finding 8: a caregiver's token created a bed-day and read every record with full ID numbers."""
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 2)))
    before = ServiceRecord.objects.count()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=_caregiver('YL001'), name='t')[1]}")
    response = client.post(
        "/api/v1/service-records/",
        {
            "national_id": nid,
            "kind": "bed_day",
            "service_date": "2024-05-03",
            "component": "life",
            "charged_amount": "60.00",
        },
        format="json",
    )
    assert response.status_code == 403
    assert ServiceRecord.objects.count() == before
    response = client.get("/api/v1/service-records/?month=2024-05")
    assert response.status_code == 403
    assert nid not in response.content.decode()


def test_caregiver_cannot_enter_records_in_the_portal(world, client):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    client.force_login(_caregiver("JJ001"))
    assert client.get("/portal/settlement/visits/new/").status_code == 403
    response = client.post(
        "/portal/settlement/visits/new/",
        {
            "national_id": nid,
            "service_date": "2024-05-03",
            "started_at": "09:00",
            "ended_at": "10:00",
            "caregiver_id": CAREGIVER,
            "charged_amount": "80.00",
            "items": ["清洁照料"],
        },
    )
    assert response.status_code == 403
    assert not ServiceRecord.objects.exists()
    page = client.get("/portal/").content.decode()
    assert "/portal/settlement/visits/new/" not in page
