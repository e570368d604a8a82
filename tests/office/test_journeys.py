"""Staff journeys per role in real Chromium (issue 16), each from the login through the dashboard and the
admin's pages: the clerk imports a roster with errors and downloads the error report; the coordinator takes
an assessed application from the 待结论 queue to a final conclusion; the settlement officer starts a month, which
a real Celery worker runs while the job's page shows its progress until it is done; the supervisor approves an
audited month from the 待批准结算 queue, confirming on the intermediate page; the accountant exports a fund report
table to XLSX."""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from assessment import services as assessment_services
from assessment.models import Application, Conclusion
from enrollment.models import Person
from ltci.core import roles
from ltci.core.models import ImportBatch
from settlement.models import LedgerEntry, SettlementRun
from tests.assessment.conftest import (
    MODERATE,
    coordinator_group,
    make_assessors,
    make_institution,
    make_person,
)
from tests.enrollment.conftest import ROSTER_HEADER, nid
from tests.settlement.conftest import bed_days, world  # noqa: F401 -- the settlement world fixture

PASSWORD = "journey-pw-1"  # noqa: S105 (test fixture)
D = dt.date

pytestmark = [
    pytest.mark.browser,
    # restore migrated rows (staff groups, beat entries) after the flush, for the tests that follow
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def staff(username, group):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    return user


def login(browser, base, username):
    """A fresh browser context logged in to the admin; lands on the role's dashboard."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.locator("#dashboard").count() == 1
    return page


def test_clerk_imports_a_roster_with_errors_and_downloads_the_report(live_server, browser, tmp_path):
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    staff("jr-clerk", Group.objects.get(name=roles.ENROLLMENT_CLERK))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        ROSTER_HEADER
        + f"{nid(1)},张三,employee,320302,2022-01-01,,true,,\n"
        + f"{nid(3)},李四,employee,999999,2022-01-01,,true,,\n"
        + f"{nid(4)},王五,居民,320302,2022-01-01,,false,,\n",
        encoding="utf-8",
    )
    page = login(browser, live_server.url, "jr-clerk")
    page.click("text=查找参保人（个案）")
    page.click("text=导入参保名单")
    page.set_input_files("#id_file", str(roster))
    with page.expect_navigation():
        page.click("input[type=submit][value=导入]")
    report = page.inner_text("#import-report")
    assert "999999" in report and "居民" in report
    with page.expect_download() as download:
        page.click("#error-report")
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "999999" in text and "王五" not in text.split("\n")[0]
    assert len([line for line in text.splitlines() if line.strip()]) == 3  # the header and two rows
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]
    assert ImportBatch.objects.count() == 1


def test_coordinator_takes_an_assessed_application_to_a_final_conclusion(live_server, browser):
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    staff("jr-coord", coordinator_group())
    agency = make_institution("JR-PG")
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, [])])
    person = make_person(name="王秀英")
    app = assessment_services.application_submit(
        person=person, applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1)
    )
    assessment_services.application_accept(application=app, on=D(2025, 9, 2))
    pair = assessment_services.application_assign(application=app, agency=agency, seed=1)
    assessment_services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 9, 25))
    for assignment in pair:
        assessment_services.visit_confirm(assignment=assignment)
    assert Application.objects.get(pk=app.pk).state == "assessed"

    page = login(browser, live_server.url, "jr-coord")
    page.click('tr[data-queue="assessment.to_conclude"] th a')
    assert "王秀英" in page.inner_text("#result_list")
    page.click("#result_list tbody tr th a")  # the application's own page
    page.click('a[href$="/action/publish/"]')  # 公示
    page.fill("#id_on", "2025-09-26")
    page.click("input[name=confirm]")
    page.click('a[href$="/action/conclude/"]')  # 公示期满，结论生效
    page.fill("#id_on", "2025-10-11")
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist")
    assert "结论生效" in page.inner_text(".messagelist")
    conclusion = Conclusion.objects.get(application=app)
    assert (conclusion.state, conclusion.grade) == ("final", 2)
    assert Application.objects.get(pk=app.pk).state == "final"


def test_supervisor_approves_an_audited_month_from_the_dashboard(live_server, browser):
    officer = staff("jr-officer", Group.objects.get(name=roles.SETTLEMENT_OFFICER))
    staff("jr-boss", Group.objects.get(name=roles.SUPERVISOR))
    run = SettlementRun.objects.create(
        month=D(2024, 5, 1), state=SettlementRun.State.AUDITED, started_by=officer
    )
    SettlementRun.objects.create(month=D(2024, 6, 1), state=SettlementRun.State.DRAFT, started_by=officer)

    page = login(browser, live_server.url, "jr-boss")
    queue = page.locator('tr[data-queue="settlement.to_approve"]')
    assert queue.locator("td.count").inner_text() == "1"
    queue.locator("th a").click()
    page.wait_for_selector("#result_list")
    assert page.locator("input[name=_selected_action]").count() == 1  # the filtered list: the audited run
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "approve")
    with page.expect_navigation():
        page.click("button[name=index]")
    run.refresh_from_db()
    assert run.state == "audited"  # approval asks first
    with page.expect_navigation():
        page.click("#confirm-approve-button")
    run.refresh_from_db()
    assert (run.state, run.approved_by.username) == ("approved", "jr-boss")


@pytest.fixture
def celery_worker_process():
    """A real Celery worker (solo pool) on the test database and this test's broker, its stale messages
    purged first; stopped after the test."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ltci.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
    }
    celery = [sys.executable, "-m", "celery", "-A", "ltci"]
    subprocess.run([*celery, "purge", "-f"], env=env, check=True, capture_output=True, timeout=60)
    worker = subprocess.Popen(
        [*celery, "worker", "-P", "solo", "--without-mingle", "--without-gossip", "-l", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def test_settlement_officer_runs_a_month_in_the_background_and_watches_it_finish(
    live_server,
    browser,
    world,  # noqa: F811
    celery_worker_process,
):
    person = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", person, D(2024, 5, 1), D(2024, 5, 10)))
    staff("jr-settle", Group.objects.get(name=roles.SETTLEMENT_OFFICER))
    page = login(browser, live_server.url, "jr-settle")
    page.goto(f"{live_server.url}/admin/settlement/settlementrun/")
    page.fill("input[name=month]", "2024-05")
    started = time.monotonic()
    with page.expect_navigation():
        page.click("button:has-text('运行月度结算')")
    assert "/admin/core/jobrun/" in page.url, "the page answers at once with the job's page"
    assert "2024-05 的月度结算已在后台开始运行" in page.inner_text(".messagelist")
    # job-progress.js polls and reloads the page when the worker is done
    page.wait_for_selector("#job-progress[data-state=done]", timeout=90_000)
    assert page.inner_text("#job-progress-percent") == "100%"
    assert page.inner_text("#job-progress-state") == "完成"
    run = SettlementRun.objects.get(month=D(2024, 5, 1))
    assert run.state == "draft" and run.started_by.username == "jr-settle" and run.line_count > 0
    page.click("#job-result")
    assert "2024" in page.inner_text("#result_list")
    assert time.monotonic() - started < 90


def test_accountant_exports_the_fund_report(live_server, browser):
    staff("jr-acc", Group.objects.get(name=roles.FUND_ACCOUNTANT))
    for n, (account, amount, day) in enumerate(
        [("income_fiscal", "114467.10", D(2024, 1, 5)), ("expense_handling", "-30.50", D(2024, 3, 31))]
    ):
        LedgerEntry.objects.create(
            booked_on=day,
            account=account,
            source="fiscal" if account.startswith("income") else "handling",
            region_code="320302",
            amount=Decimal(amount),
            reference=f"jr:{n}",
        )
    page = login(browser, live_server.url, "jr-acc")
    page.goto(f"{live_server.url}/admin/settlement/settlementrun/reports/?year=2024")
    assert "¥114,467.10" in page.inner_text("#content") and "财政补助收入" in page.inner_text("#content")
    with page.expect_download() as download:
        page.click("a.export-xlsx[href*='table=months']")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active  # noqa: SIM115
    assert download.value.suggested_filename.endswith(".xlsx")
    assert sheet.max_row >= 13, "every month of the year"
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert any(isinstance(v, (int, float)) and abs(v - 114467.10) < 0.01 for v in cells)
