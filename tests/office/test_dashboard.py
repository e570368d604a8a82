"""The staff dashboard (admin home): each role sees its own work queues with counts and links, and the day's
warnings; the dashboard itself knows no app (each app declares its queues in queues.py)."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ltci.core import roles, workqueues
from tests.benefits.conftest import make_conclusion, make_institution, make_person

ALL_QUEUES = {
    "enrollment.arrears",
    "assessment.submitted",
    "assessment.accepted",
    "assessment.to_conclude",
    "assessment.notice",
    "assessment.review",
    "assessment.expiring",
    "assessment.objections",
    "assessment.objections_overdue",
    "benefits.awaiting_decision",
    "settlement.to_audit",
    "settlement.to_approve",
    "settlement.to_pay",
    "settlement.appeals",
    "settlement.held_charges",
    "settlement.fund_warnings",
    "institutions.insurance_notices",
}
EXPECTED = {
    roles.ENROLLMENT_CLERK: {"enrollment.arrears"},
    roles.ASSESSMENT_COORDINATOR: {k for k in ALL_QUEUES if k.startswith("assessment.")},
    roles.BENEFIT_AUDITOR: {"benefits.awaiting_decision"},
    roles.SETTLEMENT_OFFICER: {
        "settlement.to_audit",
        "settlement.appeals",
        "settlement.held_charges",
        "institutions.insurance_notices",
    },
    roles.FUND_ACCOUNTANT: {"enrollment.arrears", "settlement.to_pay", "settlement.fund_warnings"},
    roles.SUPERVISOR: {
        "enrollment.arrears",
        "settlement.to_audit",
        "settlement.to_approve",
        "settlement.to_pay",
        "settlement.appeals",
        "settlement.held_charges",
        "settlement.fund_warnings",
        "institutions.insurance_notices",
    },
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def role_user(role):
    user = User.objects.create_user(f"dash-{roles.ALL_ROLES.index(role)}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def shown_queues(page: str) -> dict[str, int]:
    """{queue key: count} of the dashboard's rows and warnings."""
    rows = re.findall(
        r'data-queue="([\w.]+)"[^>]*>.*?(?:<td class="count"><a [^>]*>(\d+)</a>|：(\d+))', page, re.S
    )
    return {key: int(a or b) for key, a, b in rows}


def test_every_app_declares_its_queues_and_the_dashboard_discovers_them():
    assert {q.key for q in workqueues.registered()} == ALL_QUEUES


@pytest.fixture
def small_world(db):
    """Two received applications, one accepted, one assessed, one in notice, one review; one arrears; runs in
    each state; one open fund warning and one acknowledged."""
    from assessment.models import Application
    from enrollment.models import Contribution
    from settlement.models import FundWarning, SettlementRun

    today = timezone.localdate()
    states = ["submitted", "submitted", "accepted", "assessed", "notice"]
    people = [make_person(name=f"甲{i}") for i in range(len(states) + 1)]
    for person, state in zip(people, states, strict=False):
        Application.objects.create(person=person, applied_on=today, state=state)
    old = make_conclusion(people[-1], concluded_on=today - dt.timedelta(days=300))
    Application.objects.create(
        person=people[-1], applied_on=today, state="accepted", kind="review", reviewed_conclusion=old
    )
    contribution = Contribution.objects.filter(person=people[0]).first()
    contribution.status = "arrears"
    contribution.save()
    for i, state in enumerate(["draft", "draft", "audited", "approved", "paid"]):
        SettlementRun.objects.create(month=dt.date(2020, 1 + i, 1), state=state)
    FundWarning.objects.create(kind="payout_ratio", raised_on=today, message="x")
    FundWarning.objects.create(
        kind="payout_ratio", raised_on=today - dt.timedelta(days=1), message="y", acknowledged=True
    )
    return {
        "assessment.submitted": 2,
        "assessment.accepted": 2,  # the review is accepted too
        "assessment.to_conclude": 1,
        "assessment.notice": 1,
        "assessment.review": 1,
        "assessment.expiring": 0,
        "assessment.objections": 0,
        "assessment.objections_overdue": 0,
        "benefits.awaiting_decision": 0,
        "enrollment.arrears": 1,
        "settlement.to_audit": 2,
        "settlement.to_approve": 1,
        "settlement.to_pay": 1,
        "settlement.appeals": 0,
        "settlement.held_charges": 0,
        "settlement.fund_warnings": 1,
        "institutions.insurance_notices": 0,
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_sees_its_queues_with_their_counts_and_not_others(small_world, role):
    response = client_for(role_user(role)).get(reverse("admin:index"))
    assert response.status_code == 200
    shown = shown_queues(response.content.decode())
    assert shown == {key: small_world[key] for key in EXPECTED[role]}


def test_superuser_sees_every_queue(small_world):
    boss = User.objects.create_superuser("dash-root")
    shown = shown_queues(client_for(boss).get(reverse("admin:index")).content.decode())
    assert shown == small_world


def test_queue_links_open_the_filtered_list_with_the_same_count(small_world):
    boss = User.objects.create_superuser("dash-root")
    client = client_for(boss)
    today = timezone.localdate()
    for queue in workqueues.registered():
        response = client.get(queue.url(today))
        assert response.status_code == 200, queue.key
        assert response.context["cl"].queryset.count() == small_world[queue.key], queue.key


def test_expiring_conclusions_count_the_reminded_ones_still_in_force(db):
    from assessment.models import ExpiryReminder

    today = timezone.localdate()
    person = make_person(name="乙")
    soon = make_conclusion(
        person, concluded_on=today - dt.timedelta(days=700), valid_until=today + dt.timedelta(days=20)
    )
    ExpiryReminder.objects.create(conclusion=soon, remind_on=today)
    gone = make_conclusion(
        make_person(name="丙"),
        concluded_on=today - dt.timedelta(days=800),
        valid_until=today - dt.timedelta(days=1),
    )
    ExpiryReminder.objects.create(conclusion=gone, remind_on=today - dt.timedelta(days=30))
    queue = next(q for q in workqueues.registered() if q.key == "assessment.expiring")
    assert queue.count(today) == 1


def test_conclusions_awaiting_a_decision_are_the_auditors_queue_and_leave_it_when_decided(xuzhou):
    """待核定待遇: final conclusions in force today, of a grade the policy covers, with no decision yet; the
    auditor opens the filtered conclusion list and finds the same ones."""
    from benefits.services.decisions import decision_create

    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    waiting = make_person(name="丁")
    make_conclusion(waiting, grade=3, concluded_on=start, valid_until=today + dt.timedelta(days=300))
    make_conclusion(
        make_person(name="戊"), grade=0, concluded_on=start, valid_until=today + dt.timedelta(days=300)
    )
    make_conclusion(
        make_person(name="己"), grade=3, concluded_on=start, valid_until=today - dt.timedelta(days=1)
    )
    make_conclusion(
        make_person(name="庚"),
        grade=3,
        concluded_on=start,
        valid_until=today + dt.timedelta(days=300),
        state="draft",
    )
    queue = next(q for q in workqueues.registered() if q.key == "benefits.awaiting_decision")
    assert queue.count(today) == 1
    auditor = role_user(roles.BENEFIT_AUDITOR)
    client = client_for(auditor)
    assert (
        shown_queues(client.get(reverse("admin:index")).content.decode())["benefits.awaiting_decision"] == 1
    )
    response = client.get(queue.url(today))
    assert response.status_code == 200
    assert [c.person.name for c in response.context["cl"].queryset] == ["丁"]
    decision_create(person=waiting, care_form="residential", starts_on=start, institution=make_institution())
    assert queue.count(today) == 0
    assert client.get(queue.url(today)).context["cl"].queryset.count() == 0


def test_staff_without_a_role_sees_an_empty_dashboard(db):
    nobody = User.objects.create_user("dash-nobody", is_staff=True)
    page = client_for(nobody).get(reverse("admin:index")).content.decode()
    assert shown_queues(page) == {}
    assert "您的岗位没有待办工作队列" in page


def test_anonymous_and_non_staff_are_sent_to_the_login(db):
    assert Client().get(reverse("admin:index")).status_code == 302
    plain = User.objects.create_user("dash-plain")
    response = client_for(plain).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
