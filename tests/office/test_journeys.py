"""Staff journeys per role in real Chromium (issue 16), each from the login through the dashboard and the
admin's pages: the clerk imports a roster with errors and downloads the error report; the coordinator takes
an assessed application from the 待结论 queue to a final conclusion; the supervisor approves an audited month
from the 待批准结算 queue, confirming on the intermediate page."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from assessment import services as assessment_services
from assessment.models import Application, Conclusion
from enrollment.models import Person
from ltci.core import roles
from ltci.core.models import ImportBatch
from settlement.models import SettlementRun
from tests.assessment.conftest import (
    MODERATE,
    coordinator_group,
    make_assessors,
    make_institution,
    make_person,
)
from tests.enrollment.conftest import ROSTER_HEADER, nid

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
