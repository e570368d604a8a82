"""Every demo role user reaches every admin page the README names for it, and sees no button it may not use
(issue 16: role users got 403 on 作业运行, 政策参数, 政策方案 and 文件导入)."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from ltci.core import roles

PASSWORD = "role-pages-2026"  # noqa: S105

# Pages the README names for every staff role.
COMMON = [
    "admin:index",
    "admin:enrollment_person_changelist",
    "admin:enrollment_contribution_changelist",
    "admin:core_jobrun_changelist",
    "admin:core_policyrecord_changelist",
    "admin:core_policyscheme_changelist",
    "admin:core_importbatch_changelist",
]
# The pages of each role's own work (README, "Who may do what").
OWN = {
    roles.ENROLLMENT_CLERK: [
        "admin:enrollment_contribution_run",
        "admin:enrollment_coverageperiod_changelist",
        "admin:enrollment_accountevent_changelist",
    ],
    roles.ASSESSMENT_COORDINATOR: [
        "admin:assessment_application_changelist",
        "admin:assessment_conclusion_changelist",
        "admin:assessment_conclusion_import",
    ],
    roles.BENEFIT_AUDITOR: [
        "admin:benefits_benefitdecision_changelist",
        "admin:benefits_benefitdecision_new",
        "admin:benefits_hospitalstay_import",
        "admin:benefits_otherfundbenefit_import",
        "admin:benefits_insuredaccount_changelist",
    ],
    roles.SETTLEMENT_OFFICER: [
        "admin:settlement_settlementrun_changelist",
        "admin:settlement_servicerecord_changelist",
        "admin:settlement_appeal_changelist",
        "admin:settlement_correction_changelist",
        "admin:institutions_violation_changelist",
    ],
    roles.FUND_ACCOUNTANT: [
        "admin:settlement_settlementrun_changelist",
        "admin:settlement_reports",
        "admin:settlement_ledgerentry_changelist",
        "admin:settlement_fundwarning_changelist",
        "admin:enrollment_contribution_run",
    ],
    roles.SUPERVISOR: [
        "admin:settlement_settlementrun_changelist",
        "admin:settlement_reports",
        "admin:institutions_institution_changelist",
        "admin:institutions_institution_import",
        "admin:assessment_application_changelist",
        "admin:benefits_benefitdecision_changelist",
        "admin:core_policyrecord_add",
    ],
}


def role_client(role):
    user = User.objects.create_user(f"u-{roles.ALL_ROLES.index(role)}", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_role_reaches_every_page_the_readme_names(role):
    client = role_client(role)
    refused = [name for name in COMMON + OWN[role] if client.get(reverse(name)).status_code != 200]
    assert refused == []


@pytest.mark.django_db
def test_clerk_starting_the_yearly_run_lands_on_a_page_they_may_see():
    response = role_client(roles.ENROLLMENT_CLERK).get(
        reverse("admin:core_jobrun_changelist") + "?job=contribution_run"
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (roles.FUND_ACCOUNTANT, False),
        (roles.SUPERVISOR, True),
        (roles.SETTLEMENT_OFFICER, True),
    ],
)
def test_monthly_run_button_only_for_who_may_run(role, shown):
    page = role_client(role).get(reverse("admin:settlement_settlementrun_changelist")).content.decode()
    assert ("运行月度结算" in page) is shown
    assert (reverse("admin:settlement_run_start") in page) is shown


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown"), [(roles.ENROLLMENT_CLERK, True), (roles.BENEFIT_AUDITOR, False)])
def test_yearly_run_button_only_for_who_may_run(role, shown):
    page = role_client(role).get(reverse("admin:enrollment_contribution_changelist")).content.decode()
    assert (reverse("admin:enrollment_contribution_run") in page) is shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"), [(roles.ENROLLMENT_CLERK, True), (roles.SETTLEMENT_OFFICER, False)]
)
def test_roster_import_button_only_for_who_may_import(role, shown):
    page = role_client(role).get(reverse("admin:enrollment_person_changelist")).content.decode()
    assert (reverse("admin:enrollment_import", args=["roster"]) in page) is shown


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in roles.ALL_ROLES if r != roles.SUPERVISOR])
def test_only_the_supervisor_edits_policy(role):
    assert role_client(role).get(reverse("admin:core_policyrecord_add")).status_code == 403
