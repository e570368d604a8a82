"""Admin list pages for big tables: no full COUNT, no DISTINCT scans, masked IDs (SPEC 3.1, 12)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.models import AccountEvent, ContributionTransaction, Person
from enrollment.services.run import JOB, contribution_run_year
from ltci.core.idnumber import mask_id
from ltci.core.jobs import lock_key
from ltci.core.models import JobRun
from ltci.core.paginator import LargeTablePaginator
from tests.concurrency import other_connection

from .conftest import nid


@pytest.fixture
def city(roster):
    roster(
        f"{nid(1)},张三,employee,320302,2022-01-01,,true,,",
        f"{nid(3)},李四,resident,320303,2022-01-01,,false,,",
    )
    AccountEvent.objects.create(
        person=Person.objects.get(national_id=nid(1)),
        event="balance",
        amount=50,
        occurred_on=dt.date(2026, 1, 1),
    )
    contribution_run_year(year=2026, on=dt.date(2026, 1, 20))


def queries_of(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url, params or {})
    assert page.status_code == 200, url
    return page, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/enrollment/person/",
        "/admin/enrollment/contribution/",
        "/admin/enrollment/contributiontransaction/",
        "/admin/enrollment/accountevent/",
        "/admin/enrollment/coverageperiod/",
    ],
)
def test_big_list_pages_never_count_or_scan_the_whole_table(client, admin_user, city, url):
    client.force_login(admin_user)
    _, sqls = queries_of(client, url)
    table = {
        "person": "enrollment_person",
        "contribution": "enrollment_contribution",
        "contributiontransaction": "enrollment_contributiontransaction",
        "accountevent": "enrollment_accountevent",
        "coverageperiod": "enrollment_coverageperiod",
    }[url.split("/")[3]]
    for sql in sqls:
        if f'FROM "{table}"' in sql:
            assert "DISTINCT" not in sql, sql
            if "COUNT(" in sql:
                assert "LIMIT" in sql, f"uncapped count: {sql}"


def test_filtered_list_uses_a_capped_count(client, admin_user, city):
    client.force_login(admin_user)
    page, sqls = queries_of(client, "/admin/enrollment/contribution/", {"year": "2026", "region": "320302"})
    assert "张三" in page.text and "李四" not in page.text
    counts = [s for s in sqls if "COUNT(" in s]
    assert counts and all("LIMIT 10001" in s for s in counts)


def test_estimate_is_used_for_an_unfiltered_big_table(db, city):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enrollment_person")
    paginator = LargeTablePaginator(Person.objects.order_by("pk"), 50)
    paginator.cap = 1
    assert paginator.count == 2  # reltuples after ANALYZE
    filtered = LargeTablePaginator(Person.objects.filter(name="张三").order_by("pk"), 50)
    assert filtered.count == 1


def test_person_list_masks_the_id_and_the_detail_page_shows_it(client, admin_user, city):
    client.force_login(admin_user)
    page = client.get("/admin/enrollment/person/")
    assert mask_id(nid(1)) in page.text and nid(1) not in page.text
    detail = client.get(f"/admin/enrollment/person/{Person.objects.get(national_id=nid(1)).pk}/change/")
    assert nid(1) in detail.text


def test_transaction_search_by_id_number_and_source_key(client, admin_user, city):
    client.force_login(admin_user)
    transfer = ContributionTransaction.objects.get(kind="account_transfer")
    for term, expected in [
        (nid(1), [transfer]),
        (nid(1).lower(), [transfer]),
        (nid(3), []),
        (transfer.source_key, [transfer]),
        ("nothing", []),
    ]:
        page = client.get("/admin/enrollment/contributiontransaction/", {"q": term})
        assert list(page.context["cl"].result_list) == expected, term


def test_admin_run_button_refuses_while_a_run_holds_the_lock(client, admin_user, city):
    client.force_login(admin_user)
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_key(JOB, "2026")])
        page = client.post("/admin/enrollment/contribution/run/", {"year": "2026", "on": ""}, follow=True)
    assert "正在运行，不能重复启动" in page.text


def test_run_page_shows_progress_of_recent_runs(client, admin_user, city):
    client.force_login(admin_user)
    run = JobRun.objects.get(job=JOB)
    page = client.get("/admin/enrollment/contribution/run/")
    assert f"{run.done}/{run.total}" in page.text and run.total == 2


def test_coverage_change_by_roster_is_in_the_period_history_page(client, admin_user, roster, city):
    roster(f"{nid(1)},张三,employee,320302,2022-01-01,,true,2026-06-30,moved_out")
    period = Person.objects.get(national_id=nid(1)).coverage.get()
    client.force_login(admin_user)
    page = client.get(f"/admin/enrollment/coverageperiod/{period.pk}/history/")
    assert page.status_code == 200 and "roster roster.csv" in page.text
    found = client.get("/admin/enrollment/coverageperiod/", {"q": nid(1).lower()})
    assert list(found.context["cl"].result_list) == [period]
