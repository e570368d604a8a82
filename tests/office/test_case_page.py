"""The staff case page of a person: every app's records, the eligibility explanation for a chosen date and
care form (validated: a bad date is a form error, not a 500), links to act only for who may, and sections only
for staff who may view them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from benefits.eligibility import explain, is_eligible
from benefits.services import decision_create
from ltci.core import roles
from settlement.models import SettlementLine, SettlementRun
from tests.benefits.conftest import covered_classes_record, make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(xuzhou):
    covered_classes_record(xuzhou)
    person = make_person(name="王个案")
    make_conclusion(person, grade=4)
    institution = make_institution(code="JGCASE")
    decision_create(
        person=person, care_form="home_visits", institution=institution, starts_on=dt.date(2024, 1, 1)
    )
    run = SettlementRun.objects.create(month=dt.date(2024, 3, 1), state="approved")
    SettlementLine.objects.create(
        run=run,
        institution=institution,
        person=person,
        care_form="home_visits",
        service_month=dt.date(2024, 3, 1),
        quantity=8,
        charged_amount="1234.50",
        fund_amount="1000.00",
        personal_amount="200.00",
        rejected_amount="34.50",
        reason_codes=["OVER_LIMIT"],
    )
    return person


def url(person, query=""):
    return reverse("office_person_case", args=[person.pk]) + query


def client_as(role=None, *, superuser=False, staff=True, name=None):
    user = User.objects.create_user(
        name or f"case-{role or 'x'}", is_staff=staff or superuser, is_superuser=superuser
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_sees_every_section_of_the_person(case):
    response = client_as(roles.SUPERVISOR).get(url(case, "?on=2024-03-10"))
    assert response.status_code == 200
    page = response.content.decode()
    for section in (
        "coverage",
        "contributions",
        "applications",
        "conclusions",
        "decisions",
        "settlement",
        "payouts",
    ):
        assert f'id="{section}"' in page, section
    assert case.national_id in page
    assert "居家上门服务" in page  # the care form by its label, not home_visits
    assert "¥1,234.50" in page
    assert "2024年3月" in page
    assert "超出月度（年度）限额部分（OVER_LIMIT）" in page


def test_eligibility_explanation_agrees_with_explain(case):
    page = client_as(roles.BENEFIT_AUDITOR).get(url(case, "?on=2024-03-10")).content.decode()
    assert is_eligible(explain(person=case, on=dt.date(2024, 3, 10)))
    assert "符合待遇享受条件" in page and "不符合待遇享受条件" not in page
    page = client_as(roles.BENEFIT_AUDITOR, name="case-2").get(
        url(case, "?on=2024-03-10&care_form=residential")
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "不符合待遇享受条件" in text
    assert "无该护理形式和机构的有效待遇核定（NO_DECISION）" in text
    # the case's decision is home_visits, which pays no allowance (explain(kind="allowance"))
    text = (
        client_as(roles.BENEFIT_AUDITOR, name="case-3")
        .get(url(case, "?on=2024-03-10&kind=allowance"))
        .content.decode()
    )
    assert "不符合待遇享受条件" in text and "不支付津贴" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?on=2024-02-30", "请输入有效日期（年-月-日）"),
        ("?on=abc", "请输入有效日期（年-月-日）"),
        ("?care_form=spa", "未知的护理形式"),
        ("?kind=cash", "未知的支付内容"),
    ],
)
def test_a_bad_query_is_a_form_error_not_a_server_error(case, query, message):
    response = client_as(roles.SUPERVISOR).get(url(case, query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_without_a_query_the_explanation_is_for_today(case):
    from django.utils import timezone

    page = client_as(roles.SUPERVISOR).get(url(case)).content.decode()
    assert f"{timezone.localdate():%Y-%m-%d}：" in page


def test_act_links_only_for_who_may_act(case):
    coordinator = client_as(roles.ASSESSMENT_COORDINATOR).get(url(case)).content.decode()
    auditor = client_as(roles.BENEFIT_AUDITOR).get(url(case)).content.decode()
    officer = client_as(roles.SETTLEMENT_OFFICER).get(url(case)).content.decode()
    assert 'id="act-new-application"' in coordinator and 'id="act-new-decision"' not in coordinator
    assert 'id="act-new-decision"' in auditor and 'id="act-new-application"' not in auditor
    assert "act-correct" in officer and "act-correct" not in auditor
    assert 'id="act-new-decision"' not in officer and 'id="act-new-application"' not in officer


def test_sections_follow_each_apps_view_permission(case):
    coordinator = client_as(roles.ASSESSMENT_COORDINATOR).get(url(case)).content.decode()
    assert 'id="conclusions"' in coordinator
    assert 'id="settlement"' not in coordinator and "¥1,234.50" not in coordinator
    officer = client_as(roles.SETTLEMENT_OFFICER).get(url(case)).content.decode()
    assert 'id="settlement"' in officer and 'id="decisions"' not in officer


def test_wrong_users_are_refused(case):
    assert Client().get(url(case)).status_code == 302  # anonymous: to the login
    plain = client_as(staff=False, name="case-plain").get(url(case))
    assert plain.status_code == 302 and plain["Location"].startswith(reverse("admin:login"))
    assert client_as(name="case-norole").get(url(case)).status_code == 403


def test_an_unknown_person_is_not_found(case):
    response = client_as(roles.SUPERVISOR).get(reverse("office_person_case", args=[case.pk + 1000]))
    assert response.status_code == 404


def test_the_person_page_links_to_the_case_page_for_who_may_see_it(case):
    page = client_as(roles.ENROLLMENT_CLERK).get(reverse("admin:enrollment_person_change", args=[case.pk]))
    assert url(case) in page.content.decode()
