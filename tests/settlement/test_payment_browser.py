# ruff: noqa: F811 - the fixture imported from test_payments is a parameter here
"""Issue 19 in real Chromium: the fund accountant pays an approved month through the bank. The accountant makes
the batch from the run list, downloads the bank file, uploads the bank's return with one failed line; the clerk
enters the person's corrected account; the accountant re-issues the failed payment in a second batch, downloads
its file and uploads the second return: every payment is paid, and so is the month."""

import csv
import io

import pytest
from django.utils import timezone

from ltci.core import roles
from settlement.models import Payment, PaymentBatch, SettlementRun

from .conftest import staff
from .test_payments import approved, card, institution_account, person_account  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "pw"  # noqa: S105 (the settlement conftest's staff password)


def login(browser, base, username):
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def bank_file(page, batch):
    """Download the batch's bank file from the batch list; its rows as dicts."""
    page.goto(page.url.split("/admin/")[0] + "/admin/settlement/paymentbatch/")
    row = page.locator("#result_list tbody tr", has_text=batch)
    with page.expect_download() as download:
        row.locator("a", has_text="下载").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    return list(csv.DictReader(io.StringIO(text)))


def upload_return(page, tmp_path, name, lines):
    path = tmp_path / name
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reference", "account_no", "amount", "status", "value_date", "reason"])
    writer.writerows(lines)
    path.write_text(out.getvalue(), encoding="utf-8")
    page.goto(page.url.split("/admin/")[0] + "/admin/settlement/paymentbatch/")
    with page.expect_navigation():
        page.click(".object-tools a[href$='/paymentbatch/return/']")  # 导入银行回单, on the batch list
    page.set_input_files("input[type=file][name=file]", str(path))
    with page.expect_navigation():
        page.click("input[type=submit][value=导入]")
    return page.inner_text("#import-report")


def make_batch(page, base, run):
    page.goto(f"{base}/admin/settlement/settlementrun/")
    page.check(f"input[name=_selected_action][value='{run.pk}']")
    page.select_option("select[name=action]", "payment_batch")
    with page.expect_navigation():
        page.click("button[name=index]")
    return page.inner_text(".messagelist")


def test_a_month_is_paid_through_the_bank_with_one_failed_and_reissued_payment(
    live_server, browser, approved, tmp_path
):
    run, inst, cash = approved
    institution_account(inst)
    person_account(cash)
    staff("pay-acc", roles.FUND_ACCOUNTANT)
    staff("pay-clerk", roles.ENROLLMENT_CLERK)
    base = live_server.url

    accountant = login(browser, base, "pay-acc")
    assert "已生成支付批次 PB202405-01（2 笔）" in make_batch(accountant, base, run)
    rows = bank_file(accountant, "PB202405-01")
    assert len(rows) == 2 and "930.00" in [r["amount"] for r in rows]
    paid_on = timezone.localdate().isoformat()
    person_row = next(r for r in rows if r["account_no"] == cash.bank_accounts.get().account_no)
    inst_row = next(r for r in rows if r is not person_row)
    report = upload_return(
        accountant,
        tmp_path,
        "return-1.csv",
        [
            [inst_row["reference"], inst_row["account_no"], inst_row["amount"], "paid", paid_on, ""],
            [
                person_row["reference"],
                person_row["account_no"],
                person_row["amount"],
                "failed",
                "",
                "账户已销户",
            ],
        ],
    )
    assert "拒绝 0 行" in report, report
    failed = Payment.objects.get(reference=person_row["reference"])
    assert (failed.state, failed.bank_reason) == ("failed", "账户已销户")
    assert SettlementRun.objects.get(pk=run.pk).state == "approved"  # one payment is still out

    clerk = login(browser, base, "pay-clerk")
    clerk.goto(f"{base}/admin/settlement/bankaccount/add/")
    new_card = card(4242)
    clerk.fill("#id_person", str(cash.pk))
    clerk.fill("#id_bank_code", "102")
    clerk.fill("#id_bank_name", "中国工商银行徐州分行")
    clerk.fill("#id_account_no", new_card)
    clerk.fill("#id_holder_name", cash.name)
    with clerk.expect_navigation():
        clerk.click("input[name=_save]")
    assert "成功" in clerk.inner_text(".messagelist")

    assert "已生成支付批次 PB202405-02（1 笔）" in make_batch(accountant, base, run)
    [again] = bank_file(accountant, "PB202405-02")
    assert again["account_no"] == new_card and again["amount"] == person_row["amount"]
    assert again["reference"] != person_row["reference"]
    # The failed payment is re-issued once and only once: a third batch has nothing to send.
    assert "PB202405-03" not in make_batch(accountant, base, run)
    report = upload_return(
        accountant,
        tmp_path,
        "return-2.csv",
        [[again["reference"], again["account_no"], again["amount"], "paid", paid_on, ""]],
    )
    assert "拒绝 0 行" in report, report
    reissued = Payment.objects.get(reference=again["reference"])
    assert reissued.state == "paid" and reissued.reissue_of_id == failed.pk
    assert PaymentBatch.objects.count() == 2
    assert SettlementRun.objects.get(pk=run.pk).state == "paid"
