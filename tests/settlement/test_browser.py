"""Journey in real Chromium: an institution uploads a month with bad rows, sees the errors, submits the
claim; staff run, audit and approve in the admin; the institution downloads the statement."""

import pytest
from django.contrib.auth.models import Group, User

from institutions.models import Institution, InstitutionUser
from ltci.core import roles
from ltci.core.models import JobRun
from settlement.models import SettlementRun
from settlement.tasks import settlement_run_month

from .conftest import D, World, bed_days

PASSWORD = "browser-pw-1"  # noqa: S105

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, base, path, username):
    page.goto(f"{base}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")


def test_upload_claim_run_audit_approve_download(live_server, browser, load_pack, tmp_path):
    load_pack("xuzhou-2022")
    world = World(tmp_path)
    world.institutions([{"code": "YL001", "type": "elderly_care", "care_forms": "residential", "beds": "5"}])
    nid = world.beneficiary(form="residential", institution="YL001")
    user = User.objects.create_user("yl-admin", password=PASSWORD)
    InstitutionUser.objects.create(user=user, institution=Institution.objects.get(code="YL001"), role="admin")
    officer = User.objects.create_user("officer", password=PASSWORD, is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.SETTLEMENT_OFFICER))
    boss = User.objects.create_user("boss", password=PASSWORD, is_staff=True, is_superuser=True)
    boss.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    rows = bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31))
    lines = [
        "institution_code,national_id,kind,service_date,component,charged_amount,caregiver_id,started_at,"
        "ended_at,items"
    ]
    lines += [
        f"{r['institution_code']},{r['national_id']},bed_day,{r['service_date']},life,60.00,,,," for r in rows
    ]
    lines += [f"YL001,{nid},bed_day,2024-05-32,life,60.00,,,,", f"YL001,{nid},nap,2024-05-03,life,60.00,,,,"]
    upload = tmp_path / "may.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = live_server.url

    portal = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _login(portal, base, "/portal/login/", "yl-admin")
    portal.goto(f"{base}/portal/settlement/?month=2024-05")
    portal.set_input_files("#id_file", str(upload))
    portal.click("#upload-form button[type=submit]")
    assert "共 33 行：新增 31，已存在 0，拒绝 2" in portal.inner_text("#upload-summary")
    errors = portal.inner_text("#upload-errors")
    assert "2024-05-32" in errors and "填写的是 nap" in errors
    with portal.expect_download() as download:
        portal.click("text=下载错误报告")
    assert download.value.suggested_filename.startswith("errors-")
    portal.goto(f"{base}/portal/settlement/?month=2024-05")
    portal.click("#submit-claim")
    assert "已提交 2024-05 申报" in portal.inner_text("main")

    staff = browser.new_context().new_page()
    _login(staff, base, "/admin/login/", "officer")
    staff.goto(f"{base}/admin/settlement/settlementrun/")
    staff.fill("input[name=month]", "2024-05")
    with staff.expect_navigation():
        staff.click("text=运行月度结算")
    # The month runs in the background (issue 16): the officer lands on the job's page at once and watches its
    # progress bar, which the page keeps live, reach done while a worker runs the task.
    assert "2024-05 的月度结算已在后台开始运行" in staff.inner_text("body")
    assert staff.get_attribute("#job-progress", "data-state") == "running"
    job = JobRun.objects.get(job="settlement", period="2024-05")
    settlement_run_month.apply(args=["2024-05"], kwargs={"job_id": job.pk})
    staff.wait_for_selector("#job-progress[data-state=done]")
    assert staff.eval_on_selector("#job-progress-bar", "bar => bar.value") == 100
    assert "100%" in staff.inner_text("#job-progress") and "完成" in staff.inner_text("#job-progress-state")
    with staff.expect_navigation():
        staff.click("#job-result")
    assert staff.locator("#result_list tbody tr").count() == 1  # the month's new version (its list, filtered)
    assert "草稿" in staff.inner_text("#result_list")
    staff.check("input[name=_selected_action]")
    staff.select_option("select[name=action]", "audit")
    with staff.expect_navigation():
        staff.click("button[name=index]")
    run = SettlementRun.objects.get()
    assert run.state == "audited"

    boss_page = browser.new_context().new_page()
    _login(boss_page, base, "/admin/login/", "boss")
    boss_page.goto(f"{base}/admin/settlement/settlementrun/")
    boss_page.check("input[name=_selected_action]")
    boss_page.select_option("select[name=action]", "approve")
    with boss_page.expect_navigation():
        boss_page.click("button[name=index]")
    run.refresh_from_db()
    assert run.state == "audited"  # approval asks for confirmation first (issue 16)
    with boss_page.expect_navigation():
        boss_page.click("#confirm-approve-button")
    run.refresh_from_db()
    assert run.state == "approved"

    portal.goto(f"{base}/portal/settlement/results/?month=2024-05")
    assert "¥1,302.00" in portal.inner_text("#result-lines")
    portal.goto(f"{base}/portal/settlement/?month=2024-05")
    with portal.expect_download() as download:
        portal.click(".statement-pdf")
    path = download.value.path()
    assert open(path, "rb").read(4) == b"%PDF"  # noqa: SIM115
