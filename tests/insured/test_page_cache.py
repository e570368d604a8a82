"""The page cache (insured/cache.py): served from Redis while nothing on the page changed, never
stale -- every kind of write (services, ORM saves, queryset updates, bulk inserts, plain SQL as the set-based
runs and imports use) shows on the next view; the date and the language are part of the key."""

# ruff: noqa: S105, S106
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benefits.services import decision_create
from benefits.services.accounts import (
    account_activate,
    account_create,
    activation_code_issue,
    agent_link_create,
)
from insured.cache import STATS

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "Kx9-long-enough-pw"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _activated(person, *, name=""):
    account = account_create(national_id=person.national_id, name=name, person=person)
    code = activation_code_issue(account=account)
    return account_activate(national_id=account.national_id, code=code, password=PASSWORD)


def _page(client) -> str:
    response = client.get("/me/")
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', response.content.decode())


def _served_from_cache(client) -> bool:
    """True when the view counted one cache hit and nothing else (insured.cache.STATS)."""
    before = STATS.snapshot()
    _page(client)
    after = STATS.snapshot()
    return after == {**before, "hits": before["hits"] + 1}


@pytest.fixture
def world(policy, client):
    me = make_person(name="钱一")
    institution = make_institution()
    conclusion = make_conclusion(me, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    decision = decision_create(
        person=me, care_form="home_visits", institution=institution, starts_on=D(2024, 2, 1)
    )
    account = _activated(me, name="钱一")
    client.force_login(account.user)
    return {
        "me": me,
        "institution": institution,
        "conclusion": conclusion,
        "decision": decision,
        "account": account,
    }


def test_an_unchanged_page_is_served_from_the_cache(client, world):
    first = _page(client)
    assert _served_from_cache(client)
    assert _page(client) == first


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _contribution_arrears_by_save(w):
    c = w["me"].contributions.get(year=2026)
    c.individual_paid, c.status = Decimal("10.00"), "partly_paid"
    c.save()
    return "2026年度个人缴费尚欠 20.00 元"


def _contribution_arrears_by_queryset_update(w):
    w["me"].contributions.filter(year=2025).update(individual_paid=0, status="arrears")
    return "2025年度个人缴费尚欠 30.00 元"


def _contribution_paid_by_plain_sql(w):  # the yearly run and the payment/account-event imports write so
    _sql(
        "UPDATE enrollment_contribution SET individual_paid = 0, status = 'arrears' "
        "WHERE person_id = %s AND year = 2024",
        [w["me"].pk],
    )
    return "2024年度个人缴费尚欠 30.00 元"


def _contribution_inserted_by_bulk_create(w):
    from enrollment.models import Contribution

    Contribution.objects.bulk_create(
        [
            Contribution(
                person=w["me"],
                year=2027,
                insurance_type="employee",
                region_code="320302",
                total_amount=100,
                individual_amount=30,
                pooled_fund_amount=70,
                individual_paid=0,
                status="arrears",
                due_by=D(2027, 1, 31),
            )
        ]
    )
    return "2027年度个人缴费尚欠 30.00 元"


def _coverage_ended(w):
    from enrollment.models import CoveragePeriod

    period = CoveragePeriod.objects.get(person=w["me"])
    period.end, period.end_reason = D(2026, 6, 30), "stopped"
    period.save()
    return "2026-06-30"


def _person_renamed_by_plain_sql(w):
    _sql("UPDATE enrollment_person SET name = %s WHERE id = %s", ["钱一改", w["me"].pk])
    return "钱一改"


def _application_submitted(w):
    from assessment.models import Application

    Application.objects.create(
        person=w["me"],
        applied_on=D(2026, 11, 2),
        channel="counter",
        applied_by="self",
        disability_since=D(2026, 1, 1),
    )
    return "2026-11-02"


def _conclusion_added(w):
    make_conclusion(w["me"], grade=5, concluded_on=D(2026, 10, 1), valid_until=D(2030, 12, 31))
    return "5级"


def _expiry_reminder_created(w):
    from assessment.models import Conclusion, ExpiryReminder

    today = timezone.localdate()
    Conclusion.objects.filter(pk=w["conclusion"].pk).update(valid_until=today + dt.timedelta(days=30))
    ExpiryReminder.objects.create(conclusion=w["conclusion"], remind_on=today - dt.timedelta(days=30))
    return "expiry-reminder"


def _decision_ended(w):
    from benefits.services.decisions import decision_end

    decision_end(
        decision=w["decision"], ends_on=timezone.localdate() - dt.timedelta(days=1), reason="requested"
    )
    return "当前没有有效的待遇核定"


def _hospital_stay_recorded(w):
    from benefits.services.hospital import hospital_stay_record

    hospital_stay_record(
        person=w["me"], admitted_on=D(2026, 3, 1), discharged_on=D(2026, 3, 9), hospital="市一院"
    )
    return "住院期间"


def _institution_renamed_by_queryset_update(w):
    from institutions.models import Institution

    Institution.objects.filter(pk=w["institution"].pk).update(name="新名字护理院")
    return "新名字护理院"


def _policy_standard_changed(w):
    from ltci.core.models import PolicyRecord

    record = next(
        r
        for r in PolicyRecord.objects.all()
        if isinstance(r.value, dict) and r.value.get("monthly_limit") == "900.00"
    )
    PolicyRecord.objects.filter(pk=record.pk).update(value={**record.value, "monthly_limit": "950.00"})
    return "950.00"


def _settlement_lines_bulk_inserted(w):
    from settlement.models import SettlementLine, SettlementRun

    run = SettlementRun.objects.create(month=D(2026, 10, 1), state="audited")
    SettlementLine.objects.bulk_create(
        [
            SettlementLine(
                run=run,
                institution=w["institution"],
                person=w["me"],
                care_form="home_visits",
                service_month=D(2026, 10, 1),
                quantity=8,
                charged_amount=Decimal("640.00"),
                fund_amount=Decimal("612.34"),
                personal_amount=Decimal("0"),
                rejected_amount=Decimal("27.66"),
            )
        ]
    )
    return "612.34"


def _account_renamed(w):
    from benefits.models import InsuredAccount

    InsuredAccount.objects.filter(pk=w["account"].pk).update(name="钱一一")
    return "钱一一"


def _agent_link_created(w):
    principal = make_person(name="赵老太")
    agent_link_create(account=w["account"], principal=principal, valid_from=D(2024, 1, 1))
    return "赵老太"


CHANGES = [
    _contribution_arrears_by_save,
    _contribution_arrears_by_queryset_update,
    _contribution_paid_by_plain_sql,
    _contribution_inserted_by_bulk_create,
    _coverage_ended,
    _person_renamed_by_plain_sql,
    _application_submitted,
    _conclusion_added,
    _expiry_reminder_created,
    _decision_ended,
    _hospital_stay_recorded,
    _institution_renamed_by_queryset_update,
    _policy_standard_changed,
    _settlement_lines_bulk_inserted,
    _account_renamed,
    _agent_link_created,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_every_kind_of_change_shows_on_the_next_view(client, world, change):
    before = _page(client)
    assert _served_from_cache(client)
    expected = change(world)
    assert expected not in before
    after = _page(client)
    assert expected in after
    assert _served_from_cache(client) and _page(client) == after


def test_a_settlement_run_going_back_to_draft_hides_its_lines(client, world):
    from settlement.models import SettlementRun

    _settlement_lines_bulk_inserted(world)
    assert "612.34" in _page(client)
    SettlementRun.objects.update(state="draft")
    assert "612.34" not in _page(client)


def test_the_date_is_part_of_the_key(client, world, monkeypatch):
    today = timezone.localdate()
    conclusion = world["conclusion"]
    conclusion.review_deadline = today + dt.timedelta(days=1)
    conclusion.save()
    assert "对该结论申请复核" in _page(client)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=2))
    assert "对该结论申请复核" not in _page(client)


def test_the_language_is_part_of_the_key(client, world):
    assert 'lang="zh-hans"' in _page(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _page(client)
    assert '<html lang="en">' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert '<html lang="zh-hans">' in _page(client)


def test_the_csrf_token_is_fresh_and_valid_on_a_cached_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["account"].user)
    first = TOKEN.findall(client.get("/me/").content.decode())
    second = TOKEN.findall(client.get("/me/").content.decode())
    assert first and second and first[0] != second[0]  # masked anew on every view, not cached
    assert client.post("/me/logout/", {"csrfmiddlewaretoken": second[0]}).status_code == 302


def test_flash_messages_show_even_when_the_page_is_cached(client, world):
    _page(client)
    page = client.post("/me/apply/", {"disability_since": "2020-01-01"}, follow=True).content.decode()
    assert "请上传至少一份诊断证明等医疗材料。" in page
    assert "请上传至少一份诊断证明等医疗材料。" not in _page(client)


def test_an_agent_and_the_principal_each_get_their_own_page(client, world):
    principal = make_person(name="孙老伯")
    principal_account = _activated(principal, name="孙老伯")
    agent_link_create(account=world["account"], principal=principal, valid_from=D(2024, 1, 1))
    client.post(f"/me/switch/{principal.pk}/")
    agent_view = _page(client)
    assert "代办查看" in agent_view and "孙老伯" in agent_view
    other = Client()
    other.force_login(principal_account.user)
    own_view = _page(other)
    assert "代办查看" not in own_view and "钱一" not in own_view
    assert "代办查看" in _page(client)


def test_a_repeat_view_costs_two_queries_the_session_user_and_the_versions(client, world):
    _page(client)
    with CaptureQueriesContext(connection) as queries:
        assert _served_from_cache(client)
    tables = [set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', q["sql"])) for q in queries.captured_queries]
    assert len(tables) == 2 and tables[0] == {"auth_user"}, tables
    assert {"insured_personversion", "insured_accountversion", "insured_sharedversion"} <= tables[1]


def test_misses_and_hits_are_counted(client, world):
    before = STATS.snapshot()
    _page(client)
    _page(client)
    client.get("/me/?x=1")
    after = STATS.snapshot()
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] >= 1 and after["uncached"] - before["uncached"] == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_by_another_connection_shows_at_once(policy):
    import psycopg

    me = make_person(name="李一")
    make_conclusion(me, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2030, 12, 31))
    client = Client()
    client.force_login(_activated(me).user)
    assert "欠费提醒" not in _page(client)
    assert _served_from_cache(client)
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in ("dbname", "host", "port", "user", "password")},
        autocommit=True,
    ) as other:
        other.execute(
            "UPDATE enrollment_contribution SET individual_paid = 0, status = 'arrears' "
            "WHERE person_id = %s AND year = 2026",
            [me.pk],
        )
    assert "2026年度个人缴费尚欠 30.00 元" in _page(client)
