"""The provider portal's home lists the institution's to-dos, each declared by its own app in queues.py
(ltci.core.workqueues.PortalTodo): counts are per institution, another institution's data is never shown, and
each role sees only the to-dos it may act on."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from institutions.models import Caregiver, CaregiverCertificate, Employment, Violation
from ltci.core import workqueues
from ltci.core.dates import add_months
from tests.benefits.conftest import make_person

from . import helpers

ALL_TODOS = {
    "settlement.claim",
    "settlement.bed_days",
    "settlement.statement",
    "settlement.appeals",
    "institutions.agreement",
    "institutions.insurance",
    "institutions.certificates",
    "institutions.violations",
}


def todos(page: str) -> dict[str, list[str]]:
    """{to-do key: [count of each row]} as the home page shows them."""
    found: dict[str, list[str]] = {}
    for key, count in re.findall(r'data-todo="([\w.]+)"[^>]*>.*?<td class="count">(\d+)</td>', page, re.S):
        found.setdefault(key, []).append(count)
    return found


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(xuzhou):
    """Institution A with one of each to-do; institution B (an agreement in force, nothing else)."""
    from settlement.models import Appeal, ServiceRecord, SettlementLine, SettlementRun, Statement

    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    a = helpers.institution(
        code="TD-A",
        valid_from=dt.date(2024, 1, 1),
        valid_to=today + dt.timedelta(days=20),
        insurance=today + dt.timedelta(days=10),
    )
    b = helpers.institution(code="TD-B", valid_from=dt.date(2024, 1, 1))
    caregiver = Caregiver.objects.create(national_id=helpers.national_id(), name="护理员甲")
    Employment.objects.create(caregiver=caregiver, institution=a, employed_from=dt.date(2024, 1, 1))
    CaregiverCertificate.objects.create(
        caregiver=caregiver, name="养老护理员证", expires_on=today + dt.timedelta(days=5)
    )
    CaregiverCertificate.objects.create(
        caregiver=caregiver, name="健康证", expires_on=today + dt.timedelta(days=400)
    )
    Violation.objects.create(
        institution=a,
        type="service_quality",
        description="服务记录不全",
        found_on=today,
        action="rectification",
    )
    person = make_person(name="住户甲")
    for day in (1, 2, 3):
        ServiceRecord.objects.create(
            institution=a,
            person=person,
            kind="bed_day",
            service_date=last_month.replace(day=day),
            component="life",
            charged_amount=Decimal("100.00"),
            origin=ServiceRecord.Origin.GENERATED,
            confirmed=False,
            source_key=f"todo-{day}",
        )
    run = SettlementRun.objects.create(month=last_month, state=SettlementRun.State.APPROVED)
    statement = Statement.objects.create(run=run, institution=a)
    line = SettlementLine.objects.create(
        run=run,
        institution=a,
        person=person,
        care_form="residential",
        service_month=last_month,
        quantity=1,
        charged_amount=Decimal("100.00"),
        fund_amount=Decimal("0.00"),
        personal_amount=Decimal("0.00"),
        rejected_amount=Decimal("100.00"),
    )
    Appeal.objects.create(
        institution=a, line=line, comment="已提供记录", state=Appeal.State.UPHELD, decided_at=timezone.now()
    )
    return {"a": a, "b": b, "statement": statement, "today": today, "last_month": last_month}


def test_every_app_declares_its_portal_todos():
    assert {t.key for t in workqueues.registered_portal()} == ALL_TODOS


def test_the_home_shows_each_todo_of_the_institution_with_a_link_to_act(world):
    page = client_for(helpers.portal_user(world["a"], "admin")).get("/portal/").content.decode()
    assert todos(page) == {
        "settlement.claim": ["1"],
        "settlement.bed_days": ["3"],
        "settlement.statement": ["1"],
        "settlement.appeals": ["1"],
        "institutions.agreement": ["1"],
        "institutions.insurance": ["1"],
        "institutions.certificates": ["1"],
        "institutions.violations": ["1"],
    }
    month = f"{world['last_month']:%Y-%m}"
    assert f'href="/portal/settlement/?month={month}"' in page
    assert f'href="/portal/settlement/results/?month={month}"' in page
    assert f'href="/portal/settlement/statements/{world["statement"].pk}/pdf/"' in page
    assert 'href="/portal/caregivers/"' in page and 'href="/portal/violations/"' in page
    assert world["statement"].document_no in page


def test_the_links_open_pages_the_user_may_use(world):
    client = client_for(helpers.portal_user(world["a"], "clerk"))
    for todo, rows in workqueues.portal_todos_for(world["a"], portal_role="clerk", today=world["today"]):
        for row in rows:
            assert client.get(row.url).status_code == 200, todo.key


def test_another_institution_sees_none_of_these_counts(world):
    page = client_for(helpers.portal_user(world["b"], "admin")).get("/portal/").content.decode()
    # B had an agreement last month and has not claimed: its own claim is its only to-do.
    assert todos(page) == {"settlement.claim": ["1"]}
    assert world["statement"].document_no not in page
    assert "TD-A" not in page


def test_a_submitted_claim_and_confirmed_bed_days_leave_the_list(world):
    from settlement.models import Claim, ServiceRecord

    Claim.objects.create(institution=world["a"], month=world["last_month"], deadline=world["today"])
    ServiceRecord.objects.filter(institution=world["a"]).update(confirmed=True)
    page = client_for(helpers.portal_user(world["a"], "admin")).get("/portal/").content.decode()
    assert "settlement.claim" not in todos(page) and "settlement.bed_days" not in todos(page)


def test_a_caregiver_sees_only_what_the_role_may_act_on(world):
    page = client_for(helpers.portal_user(world["a"], "caregiver")).get("/portal/").content.decode()
    assert set(todos(page)) == {"institutions.agreement", "institutions.insurance"}


def test_nothing_to_do_says_so(xuzhou):
    inst = helpers.institution(code="TD-C", valid_from=timezone.localdate())  # no agreement last month
    page = client_for(helpers.portal_user(inst, "admin")).get("/portal/").content.decode()
    assert todos(page) == {} and 'id="no-todos"' in page


def test_the_expiry_window_is_the_setting(world, settings):
    settings.LTCI_EXPIRY_WARNING_DAYS = 3
    page = client_for(helpers.portal_user(world["a"], "admin")).get("/portal/").content.decode()
    shown = todos(page)
    assert "institutions.agreement" not in shown and "institutions.insurance" not in shown
    assert "institutions.certificates" not in shown


def test_wrong_users_are_refused_the_home(world):
    assert Client().get("/portal/")["Location"].startswith("/portal/login/")
    staff = helpers.plain_user("todo-staff", is_staff=True)
    assert client_for(staff).get("/portal/").status_code == 403
    insured = helpers.plain_user("todo-insured")
    assert client_for(insured).get("/portal/").status_code == 403


def test_a_todo_cannot_name_a_staff_capability():
    with pytest.raises(ValueError, match="staff capability"):
        workqueues.register_portal(
            workqueues.PortalTodo(key="x.y", capability="settlement.run", items=lambda inst, today: [])
        )
