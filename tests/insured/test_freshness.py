"""Freshness by data design (insured/models.py, migration 0001): the tables the page reads, taken from the
queries Django really runs, each have the version triggers, and a write to each one made with plain SQL
(no ORM, no signal: as a set-based job or an import writes) shows on the next view of a cached page."""

# ruff: noqa: S105, S106, S608
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benefits.services import decision_create
from benefits.services.accounts import account_activate, account_create, activation_code_issue
from insured.cache import STATS

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
PASSWORD = "Kx9-long-enough-pw"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Read for the request, not shown: the session's user (Django's), the page versions themselves.
REQUEST_LEVEL = {"auth_user", "django_session", "insured_personversion", "insured_accountversion"}
REQUEST_LEVEL |= {"insured_sharedversion"}


def _activated(person, *, name=""):
    account = account_create(national_id=person.national_id, name=name, person=person)
    code = activation_code_issue(account=account)
    return account_activate(national_id=account.national_id, code=code, password=PASSWORD)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _page(client, path="/me/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub("T", response.content.decode())


@pytest.fixture
def world(policy, client):
    """A page that shows a row of every kind: settlement lines, a reminder, a stay, an agent's principal."""
    from assessment.models import Application, ExpiryReminder
    from benefits.services.accounts import agent_link_create
    from benefits.services.hospital import hospital_stay_record
    from settlement.models import SettlementLine, SettlementRun

    today = timezone.localdate()
    me = make_person(name="钱一")
    institution = make_institution()
    conclusion = make_conclusion(
        me, grade=3, concluded_on=D(2024, 1, 1), valid_until=today + dt.timedelta(30)
    )
    ExpiryReminder.objects.create(conclusion=conclusion, remind_on=today - dt.timedelta(days=30))
    decision = decision_create(
        person=me, care_form="home_visits", institution=institution, starts_on=D(2024, 2, 1)
    )
    hospital_stay_record(person=me, admitted_on=D(2026, 3, 1), discharged_on=D(2026, 3, 9), hospital="市一院")
    Application.objects.create(
        person=me,
        applied_on=D(2026, 11, 2),
        channel="counter",
        applied_by="self",
        disability_since=D(2026, 1, 1),
    )
    run = SettlementRun.objects.create(month=D(2026, 10, 1), state="audited")
    line = SettlementLine.objects.create(
        run=run,
        institution=institution,
        person=me,
        care_form="home_visits",
        service_month=D(2026, 10, 1),
        quantity=8,
        charged_amount=Decimal("640.00"),
        fund_amount=Decimal("612.34"),
        personal_amount=Decimal("0"),
        rejected_amount=Decimal("27.66"),
    )
    from settlement.models import BankAccount, Payment, PaymentBatch, Payout

    paid_run = SettlementRun.objects.create(month=D(2026, 9, 1), state="approved")
    payout = Payout.objects.create(run=paid_run, person=me, amount=Decimal("930.00"))
    bank = BankAccount.objects.create(
        person=me,
        bank_code="102",
        bank_name="工商银行",
        account_no="6222020000000000018",
        holder_name="钱一",
        valid_from=D(2026, 1, 1),
    )
    batch = PaymentBatch.objects.create(number="PB202609-01", run=paid_run, layout="default")
    payment = Payment.objects.create(
        reference="PB202609-01-00001",
        run=paid_run,
        batch=batch,
        payout=payout,
        person=me,
        account=bank,
        amount=Decimal("930.00"),
    )
    account = _activated(me, name="钱一")
    principal = make_person(name="赵老太")
    agent_link_create(account=account, principal=principal, valid_from=D(2024, 1, 1))
    client.force_login(account.user)
    return {
        "me": me,
        "principal": principal,
        "institution": institution,
        "conclusion": conclusion,
        "decision": decision,
        "account": account,
        "run": run,
        "line": line,
        "payment": payment,
        "bank": bank,
    }


def _tables_read(client) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        body = _page(client, "/me/?uncached=1")  # a query string: rendered without the cache
    assert (
        "612.34" in body
        and "赵老太" in body
        and "****0018" in body
        and "expiry-reminder" in body
        and "住院期间" in body
    )
    return {t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', q["sql"])}


def _triggered_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE 'insured\\_bump\\_%%'"
        )
        return {row[0] for row in cursor.fetchall()}


# A write with plain SQL to each table the page reads, and a text the page then shows (or stops showing).
def _writes(w) -> dict:
    me, today = w["me"].pk, timezone.localdate()
    return {
        "enrollment_person": ("UPDATE enrollment_person SET name = '钱一改' WHERE id = %s", [me], "钱一改"),
        "enrollment_coverageperiod": (
            "UPDATE enrollment_coverageperiod SET \"end\" = '2026-06-30', end_reason = 'stopped' "
            "WHERE person_id = %s",
            [me],
            "2026-06-30",
        ),
        "enrollment_contribution": (
            "UPDATE enrollment_contribution SET individual_paid = 0, status = 'arrears' "
            "WHERE person_id = %s AND year = 2024",
            [me],
            "2024年度个人缴费尚欠 30.00 元",
        ),
        "assessment_application": (
            "UPDATE assessment_application SET applied_on = '2026-11-03' WHERE person_id = %s",
            [me],
            "2026-11-03",
        ),
        "assessment_conclusion": (
            "UPDATE assessment_conclusion SET grade = 5 WHERE person_id = %s",
            [me],
            "5级",
        ),
        "assessment_expiryreminder": (
            "DELETE FROM assessment_expiryreminder WHERE conclusion_id = %s",
            [w["conclusion"].pk],
            "!expiry-reminder",
        ),
        "benefits_benefitdecision": (
            "UPDATE benefits_benefitdecision SET ends_on = %s WHERE person_id = %s",
            [today - dt.timedelta(days=1), me],
            "当前没有有效的待遇核定",
        ),
        "benefits_hospitalstay": (
            "DELETE FROM benefits_hospitalstay WHERE person_id = %s",
            [me],
            "!住院期间",
        ),
        "institutions_institution": (
            "UPDATE institutions_institution SET name = '新名字护理院' WHERE id = %s",
            [w["institution"].pk],
            "新名字护理院",
        ),
        "settlement_settlementrun": (
            "UPDATE settlement_settlementrun SET state = 'draft' WHERE id = %s",
            [w["run"].pk],
            "!612.34",
        ),
        "settlement_settlementline": (
            "UPDATE settlement_settlementline SET fund_amount = 598.76, rejected_amount = 41.24 WHERE id = %s",
            [w["line"].pk],
            "598.76",
        ),
        "core_policyrecord": (
            "UPDATE core_policyrecord SET value = jsonb_set(value, '{monthly_limit}', '\"950.00\"') "
            "WHERE value ->> 'monthly_limit' = '900.00'",
            [],
            "950.00",
        ),
        "benefits_insuredaccount": (
            "UPDATE benefits_insuredaccount SET name = '钱一一' WHERE id = %s",
            [w["account"].pk],
            "钱一一",
        ),
        "benefits_agentlink": (
            "DELETE FROM benefits_agentlink WHERE account_id = %s",
            [w["account"].pk],
            "!赵老太",
        ),
        "settlement_payment": (
            "UPDATE settlement_payment SET state = 'failed', bank_reason = '账户冻结' WHERE id = %s",
            [w["payment"].pk],
            "账户冻结",
        ),
        "settlement_bankaccount": (
            "UPDATE settlement_bankaccount SET bank_name = '农业银行' WHERE id = %s",
            [w["bank"].pk],
            "农业银行",
        ),
    }


def test_every_table_the_page_reads_has_the_version_triggers(client, world):
    read = _tables_read(client) - REQUEST_LEVEL
    assert read - _triggered_tables() == set(), "a table the page reads has no insured_bump trigger"


WRITTEN = [
    "enrollment_person",
    "enrollment_coverageperiod",
    "enrollment_contribution",
    "assessment_application",
    "assessment_conclusion",
    "assessment_expiryreminder",
    "benefits_benefitdecision",
    "benefits_hospitalstay",
    "institutions_institution",
    "settlement_settlementrun",
    "settlement_settlementline",
    "core_policyrecord",
    "benefits_insuredaccount",
    "benefits_agentlink",
    "settlement_payment",
    "settlement_bankaccount",
]


def test_each_table_the_page_reads_has_a_plain_sql_write_below(client, world):
    read = _tables_read(client) - REQUEST_LEVEL
    # core_policyscheme: read with the records (scheme__active); its changes bump the shared version too.
    assert read - {"core_policyscheme"} == set(WRITTEN), "add a write below (and a trigger) for a new table"


@pytest.mark.parametrize("table", WRITTEN)
def test_a_plain_sql_write_to_the_table_changes_the_cached_page(client, world, table):
    statement, params, expected = _writes(world)[table]
    before = _page(client)
    hits = STATS.snapshot()["hits"]
    assert _page(client) == before and STATS.snapshot()["hits"] == hits + 1  # cached
    _sql(statement, params)
    misses = STATS.snapshot()["misses"]
    after = _page(client)
    assert STATS.snapshot()["misses"] == misses + 1, f"{table}: the stale page was served"
    if expected.startswith("!"):
        assert expected[1:] in before and expected[1:] not in after
    else:
        assert expected not in before and expected in after


def test_a_write_for_one_person_leaves_the_other_pages_cached(client, world):
    from django.test import Client

    other = make_person(name="孙二")
    make_conclusion(other, grade=4, concluded_on=D(2025, 1, 1), valid_until=D(2030, 1, 1))
    other_client = Client()
    other_client.force_login(_activated(other).user)
    _page(client)
    _page(other_client)
    _sql(
        "UPDATE enrollment_contribution SET individual_paid = 0, status = 'arrears' "
        "WHERE person_id = %s AND year = 2025",
        [world["me"].pk],
    )
    before = STATS.snapshot()
    assert "2025年度个人缴费尚欠" not in _page(other_client)
    assert STATS.snapshot()["hits"] == before["hits"] + 1
    assert "2025年度个人缴费尚欠" in _page(client)
    assert STATS.snapshot()["misses"] == before["misses"] + 1


def test_a_bulk_statement_bumps_each_person_once(world):
    from insured.models import PersonVersion

    persons = [world["me"], world["principal"], make_person(name="甲"), make_person(name="乙")]
    ids = [p.pk for p in persons]
    before = dict(PersonVersion.objects.filter(person_id__in=ids).values_list("person_id", "version"))
    _sql(
        "UPDATE enrollment_contribution SET individual_paid = individual_paid WHERE person_id = ANY(%s)",
        [ids],
    )
    after = dict(PersonVersion.objects.filter(person_id__in=ids).values_list("person_id", "version"))
    assert set(after) == set(ids) and all(after[i] != before.get(i) for i in ids)


def test_a_truncate_makes_every_page_stale(client, world):
    from insured.models import SharedVersion

    shared = SharedVersion.objects.get().version
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before a TRUNCATE
    _sql("TRUNCATE benefits_hospitalstay")
    assert SharedVersion.objects.get().version != shared
    assert "住院期间" not in _page(client)


def test_a_new_first_contribution_year_bumps_the_shared_version(world):
    from insured.models import SharedVersion

    shared = SharedVersion.objects.get().version
    _sql("UPDATE enrollment_contribution SET individual_paid = individual_paid WHERE year = 2026")
    assert SharedVersion.objects.get().version == shared  # not the first year: only the persons' pages
    _sql(
        "UPDATE enrollment_contribution SET year = 2019 WHERE person_id = %s AND year = 2021",
        [world["me"].pk],
    )
    assert SharedVersion.objects.get().version != shared


def test_a_statement_writing_many_persons_bumps_the_shared_version_instead(client, world):
    """Over 5,000 rows in one statement (a chunk of a yearly run or a settlement): one shared bump, no version
    row per person (insured 0003); every cached page is then stale. Up to 5,000, each person's own bump."""
    from insured.models import PersonVersion, SharedVersion

    _page(client)
    shared = SharedVersion.objects.get().version
    versions = PersonVersion.objects.count()
    _sql(
        "INSERT INTO enrollment_person (national_id, name, birth_date, sex, insurance_type, region_code, "
        "categories, has_personal_account, village_code, created_at, updated_at) "
        "SELECT 'B' || i, 'P' || i, date '1950-01-01', 'F', 'resident', '320302', '{}', false, '', now(), now() "
        "FROM generate_series(1, 5001) i"
    )
    assert SharedVersion.objects.get().version != shared
    assert PersonVersion.objects.count() == versions
    before = STATS.snapshot()
    _page(client)
    assert STATS.snapshot()["misses"] == before["misses"] + 1  # the page was made again

    shared = SharedVersion.objects.get().version
    _sql("UPDATE enrollment_person SET name = name WHERE national_id LIKE 'B%%' AND national_id <> 'B1'")
    assert SharedVersion.objects.get().version == shared
    assert PersonVersion.objects.count() == versions + 5000
