"""Bank accounts, payment batches, bank files and bank returns (issue 19)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from benefits.models import AgentLink, InsuredAccount
from enrollment.models import Person
from institutions.models import Institution
from ltci.core import roles
from settlement import states
from settlement.imports import import_bank_accounts, import_bank_return
from settlement.models import BankAccount, LedgerEntry, Payment, SettlementRun
from settlement.rules import luhn_valid
from settlement.services.payments import (
    AccountInput,
    PaymentError,
    bank_account_register,
    bank_file,
    payment_batch_create,
)
from settlement.services.run import settlement_run
from tests.concurrency import InThread, wait_until_blocked

from .conftest import D, bed_days, staff
from .test_ledger_follows import reconciled


def card(n: int) -> str:
    body = f"622202{n:012d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


GOOD_CARD = card(1)
BAD_CARD = GOOD_CARD[:-1] + str((int(GOOD_CARD[-1]) + 1) % 10)
ICBC = "102"


def person_account(person, number=None, holder=None, **kw):
    return bank_account_register(
        person=person,
        data=AccountInput(ICBC, "中国工商银行徐州分行", number or card(person.pk), holder or person.name),
        **kw,
    )[0]


def institution_account(inst, number="1106000000000001"):
    return bank_account_register(
        institution=inst, data=AccountInput(ICBC, "中国工商银行徐州分行", number, inst.name)
    )[0]


@pytest.fixture
def approved(world):
    """May 2024 approved: YL001's statement (net 1236.90) and a remote-cash payout (930.00)."""
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    cash = Person.objects.get(national_id=world.beneficiary(form="remote_cash"))
    officer = staff("officer", roles.SETTLEMENT_OFFICER)
    run = settlement_run(month=D(2024, 5, 1), actor=officer)
    states.run_transition(run=run, to="audited", actor=officer)
    run = states.run_transition(run=run, to="approved", actor=staff("boss", roles.SUPERVISOR))
    return run, Institution.objects.get(code="YL001"), cash


def return_csv(tmp_path, lines, name="return.csv") -> str:
    path = tmp_path / name
    body = "reference,account_no,amount,status,value_date,reason\n" + "".join(
        ",".join(x) + "\n" for x in lines
    )
    path.write_text(body, encoding="utf-8")
    return str(path)


def line(p, status="paid", value_date=None, reason="", amount=None, account=None):
    when = "" if status == "failed" else (value_date or timezone.localdate()).isoformat()
    return [p.reference, account or p.account.account_no, amount or f"{p.amount:.2f}", status, when, reason]


# ----------------------------------------------------------------------------------------------- accounts
@pytest.mark.parametrize(
    "number,message",
    [
        ("6222 0212", "账号只能由数字组成"),
        ("62220A21234567890", "账号只能由数字组成"),
        ("１２３４５６７８９", "账号只能由数字组成"),  # full-width digits
        ("1234567", "账号应为 8 至 32 位数字（填写的有 7 位）"),
        ("1" * 33, "账号应为 8 至 32 位数字（填写的有 33 位）"),
        (BAD_CARD, "银行卡号校验位不正确（Luhn 校验未通过）"),
    ],
)
def test_bad_account_numbers_are_refused(world, approved, number, message):
    _, _, cash = approved
    with pytest.raises(PaymentError, match=message):
        person_account(cash, number=number)
    assert not BankAccount.objects.filter(person=cash).exists()


def test_a_passbook_number_and_a_corporate_account_need_no_luhn_digit(world, approved):
    _, inst, cash = approved
    assert person_account(cash, number="320300123456").account_no == "320300123456"  # 12 digits: no card
    assert not luhn_valid("1106000000000002")
    assert (
        institution_account(inst, "1106000000000002").account_no == "1106000000000002"
    )  # corporate: no Luhn


def test_holder_must_be_the_person_or_a_linked_agent(world, approved):
    _, inst, cash = approved
    with pytest.raises(
        PaymentError, match="户名 李四 与参保人姓名 参保人 不符，也不是其在册的代办人或监护人"
    ):
        person_account(cash, holder="李四")
    with pytest.raises(PaymentError, match="户名 李四 与机构名称 .* 不符"):
        bank_account_register(institution=inst, data=AccountInput(ICBC, "工行", "1106000000000001", "李四"))
    agent = InsuredAccount.objects.create(
        national_id="320302198001010011", name="李四", user=staff("agent-user"), activated_at=timezone.now()
    )
    link = AgentLink.objects.create(account=agent, principal=cash, valid_from=D(2020, 1, 1))
    account = person_account(cash, holder="李 四")  # spaces do not matter
    assert account.agent_link == link
    AgentLink.objects.filter(pk=link.pk).update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(PaymentError, match="不是其在册的代办人"):
        person_account(cash, number=card(77), holder="李四")  # the link has ended


def test_a_new_account_supersedes_the_current_one_and_history_is_kept(world, approved):
    _, _, cash = approved
    first = person_account(cash)
    assert person_account(cash) == first  # the same account again changes nothing
    second = person_account(cash, number=card(55))
    first.refresh_from_db()
    assert (first.valid_to, first.superseded_by) == (timezone.localdate(), second)
    assert second.valid_to is None
    assert BankAccount.objects.filter(person=cash).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.filter(pk=first.pk).update(valid_to=None)  # one current account per person


def test_import_bank_accounts_reports_every_bad_row(world, approved, tmp_path):
    _, inst, cash = approved
    body = (
        "national_id,institution_code,bank_code,bank_name,account_no,holder_name\n"
        f"{cash.national_id},,102,工行,{GOOD_CARD},{cash.name}\n"
        f",YL001,102,工行,1106000000000009,{inst.name}\n"
        f"{cash.national_id},YL001,102,工行,{GOOD_CARD},{cash.name}\n"
        f"110101199001011234,,102,工行,{GOOD_CARD},某人\n"
        f",YL999,102,工行,1106000000000009,某机构\n"
        f",YL001,102,工行,11060000000000AB,别人\n"
    )
    path = tmp_path / "accounts.csv"
    path.write_text(body, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bank_accounts", str(path), stdout=out, stderr=err)
    errors = err.getvalue()
    assert "共 6 行，导入 2 行" in out.getvalue()
    assert "第 4 行，「公民身份号码（national_id）」：公民身份号码与机构编码须填写且只填写其中一项" in errors
    assert (
        "第 5 行，「公民身份号码（national_id）」：没有公民身份号码为 110101199001011234 的参保人" in errors
    )
    assert "第 6 行，「机构编码（institution_code）」：没有编码为 YL999 的机构" in errors
    assert "第 7 行，「账号（account_no）」：账号只能由数字组成" in errors
    assert "第 7 行，「户名（holder_name）」：户名 别人 与机构名称" in errors
    assert BankAccount.objects.get(person=cash).account_no == GOOD_CARD
    report = import_bank_accounts(content=body.encode(), filename="again.csv")
    assert (report.applied, report.unchanged) == (0, 2)  # idempotent


# -------------------------------------------------------------------------------------------- batches
def test_first_batch_pays_every_payee_and_the_bank_file_follows_the_layout(world, approved):
    run, inst, cash = approved
    institution_account(inst)
    person_account(cash, number=GOOD_CARD)
    batch = payment_batch_create(run=run)
    assert batch.number == "PB202405-01"
    rows = bank_file(batch=batch).decode("utf-8-sig").splitlines()
    assert rows[0] == (
        "reference,payee_type,payee_code,payee_name,bank_code,bank_name,account_no,holder_name,amount,month,memo"
    )
    assert rows[1].startswith("PB202405-01-00001,institution,YL001,")
    assert ",1106000000000001," in rows[1] and rows[1].endswith(",1236.90,2024-05,长护险机构结算 2024-05")
    assert rows[2].startswith(f"PB202405-01-00002,person,{cash.national_id},参保人,102,")
    assert f",{GOOD_CARD},参保人,930.00,2024-05," in rows[2]
    assert bank_file(batch=batch) == bank_file(batch=batch)  # re-issued identically


@override_settings(
    LTCI_BANK_FILE_LAYOUTS={
        "gbk": {
            "columns": ["reference", "holder_name", "amount"],
            "header": "labels",
            "delimiter": "|",
            "encoding": "gb18030",
        },
        "bad": {
            "columns": ["reference", "iban"],
            "header": "maybe",
            "delimiter": "||",
            "encoding": "ebcdic-x",
        },
    }
)
def test_bank_layouts_are_configured_per_bank(world, approved):
    run, inst, cash = approved
    institution_account(inst)
    person_account(cash)
    with pytest.raises(PaymentError, match="未配置银行文件格式 default"):
        payment_batch_create(run=run)
    with pytest.raises(
        PaymentError, match="未知列 iban；header 应为 codes、labels 或 none；delimiter 应为一个字符；未知编码"
    ):
        payment_batch_create(run=run, layout="bad")
    batch = payment_batch_create(run=run, layout="gbk")
    text = bank_file(batch=batch).decode("gb18030").splitlines()
    assert text[0] == "支付流水号|户名|金额"
    assert text[2] == "PB202405-01-00002|参保人|930.00"


def test_a_payee_without_account_waits_for_the_next_batch(world, approved):
    run, inst, cash = approved
    institution_account(inst)
    first = payment_batch_create(run=run)
    held = Payment.objects.get(payout__person=cash)
    assert (held.state, held.batch, held.reference) == ("held", None, None)
    with pytest.raises(PaymentError, match="没有可发送的支付：1 笔待登记账户，0 笔失败待更正账户"):
        payment_batch_create(run=run)
    person_account(cash)
    second = payment_batch_create(run=run)
    held.refresh_from_db()
    assert (held.state, held.batch, held.reference) == ("pending", second, "PB202405-02-00001")
    assert first.payments.count() == 1


def test_only_an_approved_month_gets_a_batch(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    run = settlement_run(month=D(2024, 5, 1))
    with pytest.raises(PaymentError, match="只有已批准、未支付完毕的结算可以生成支付批次"):
        payment_batch_create(run=run)


# ---------------------------------------------------------------------------------------------- returns
@pytest.fixture
def sent(approved):
    run, inst, cash = approved
    institution_account(inst)
    person_account(cash)
    batch = payment_batch_create(run=run)
    inst_payment, cash_payment = batch.payments.order_by("reference")
    return run, inst_payment, cash_payment


def test_a_bank_return_pays_books_on_the_value_date_and_pays_the_month(sent, tmp_path):
    run, inst_payment, cash_payment = sent
    assert not LedgerEntry.objects.filter(source="settlement").exists()  # nothing spent before the bank pays
    reconciled()
    path = return_csv(tmp_path, [line(inst_payment)])
    call_command("import_bank_return", path, stdout=io.StringIO())
    entry = LedgerEntry.objects.get(reference=f"statement:{inst_payment.statement_id}")
    assert (entry.booked_on, entry.amount) == (timezone.localdate(), Decimal("-1302.00"))
    assert SettlementRun.objects.get(pk=run.pk).state == "approved"  # one payment is still out
    reconciled()
    call_command(
        "import_bank_return", return_csv(tmp_path, [line(cash_payment)], "r2.csv"), stdout=io.StringIO()
    )
    assert LedgerEntry.objects.get(reference__startswith="payout:").booked_on == timezone.localdate()
    run.refresh_from_db()
    assert run.state == "paid" and run.paid_at is not None
    out = reconciled()
    assert "payments paid: 2, 2166.90" in out
    with open(path, "rb") as handle:
        again = import_bank_return(content=handle.read(), filename="again.csv")
    assert (again.applied, again.unchanged, again.errors) == (0, 1, [])


def test_a_return_with_unknown_duplicate_and_partial_lines_applies_nothing_of_them(sent, tmp_path):
    run, inst_payment, cash_payment = sent
    lines = [
        ["PB202405-01-09999", "1106000000000001", "10.00", "paid", timezone.localdate().isoformat(), ""],
        line(inst_payment),
        line(inst_payment, status="failed", reason="户名不符"),
        line(cash_payment, amount="500.00"),
    ]
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bank_return", return_csv(tmp_path, lines), stdout=out, stderr=err)
    errors = err.getvalue()
    assert "第 2 行，「支付流水号（reference）」：没有支付流水号为 PB202405-01-09999 的支付" in errors
    assert (
        "第 3 行，「支付流水号（reference）」：支付流水号 PB202405-01-00001 在本文件中重复出现（另见第 4 行），"
        "同一流水号的各行均未处理" in errors
    )
    assert (
        "第 4 行，「支付流水号（reference）」：支付流水号 PB202405-01-00001 在本文件中重复出现（另见第 3 行）"
        in errors
    )
    assert "第 5 行，「金额（amount）」：金额 500.00 与该笔支付的金额 930.00 不符（不接受部分支付）" in errors
    assert "共 4 行，导入 0 行，无变化 0 行，拒绝 4 行" in out.getvalue()
    for bad, message in [
        (
            [cash_payment.reference, cash_payment.account.account_no, "930.00", "paid"],
            "「到账日期（value_date）」：必须填写",
        ),
        ([cash_payment.reference, "", "", ""], "「账号（account_no）」：必须填写"),
        (
            line(cash_payment, account="6222020000000000000"),
            "账号 6222020000000000000 与该笔支付的收款账号 ****",
        ),
        (line(cash_payment, status="failed"), "「失败原因（reason）」：必须填写"),
        (line(cash_payment, status="returned"), "「处理结果（status）」：不是允许的值（填写的是 returned"),
        (line(cash_payment, value_date=D(2024, 6, 1)), "到账日期 2024-06-01 早于支付批次生成日期"),
    ]:
        report = import_bank_return(content=_bytes(tmp_path, [bad]), filename="partial.csv")
        assert message in str(report.errors[0]), report.errors
        assert report.applied == 0
    assert set(Payment.objects.values_list("state", flat=True)) == {"pending"}
    assert not LedgerEntry.objects.filter(source="settlement").exists()
    with pytest.raises(SystemExit) as exit_code:
        from django.core.management import ManagementUtility

        ManagementUtility(
            ["manage.py", "import_bank_return", return_csv(tmp_path, lines, "again.csv")]
        ).execute()
    assert exit_code.value.code == 1


def test_a_return_that_contradicts_an_earlier_one_is_refused(sent, tmp_path):
    _, inst_payment, _ = sent
    import_bank_return(content=_bytes(tmp_path, [line(inst_payment)]), filename="a.csv")
    report = import_bank_return(
        content=_bytes(tmp_path, [line(inst_payment, status="failed", reason="账户冻结")]), filename="b.csv"
    )
    assert [str(e) for e in report.errors] == [
        f"第 2 行，「处理结果（status）」：该笔支付已于 {timezone.localdate()} 确认到账，不能再改为失败"
    ]
    assert Payment.objects.get(pk=inst_payment.pk).state == "paid"


def _bytes(tmp_path, lines) -> bytes:
    with open(return_csv(tmp_path, lines, "x.csv"), "rb") as handle:
        return handle.read()


def test_a_file_refused_as_a_whole_changes_nothing(sent, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("ref,amount\nx,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头不正确"):
        call_command("import_bank_return", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert set(Payment.objects.values_list("state", flat=True)) == {"pending"}


# ------------------------------------------------------------------------------------------- re-issue
def test_a_failed_payment_is_reissued_once_and_only_once_after_the_account_is_corrected(sent, tmp_path):
    run, inst_payment, cash_payment = sent
    import_bank_return(
        content=_bytes(
            tmp_path, [line(inst_payment), line(cash_payment, status="failed", reason="账户已销户")]
        ),
        filename="r.csv",
    )
    failed = Payment.objects.get(pk=cash_payment.pk)
    assert (failed.state, failed.bank_reason) == ("failed", "账户已销户")
    assert not LedgerEntry.objects.filter(reference__startswith="payout:").exists()
    with pytest.raises(PaymentError, match="0 笔待登记账户，1 笔失败待更正账户"):
        payment_batch_create(run=run)  # the same account would fail again
    person_account(failed.payout.person, number=card(99))
    batch = payment_batch_create(run=run)
    reissue = batch.payments.get()
    assert (reissue.reissue_of, reissue.amount, reissue.account.account_no) == (
        failed,
        Decimal("930.00"),
        card(99),
    )
    with pytest.raises(PaymentError, match="没有可发送的支付"):
        payment_batch_create(run=run)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            run=run,
            payout=failed.payout,
            person=failed.person,
            amount=failed.amount,
            account=reissue.account,
            batch=batch,
            reissue_of=failed,
            reference="X",
        )
    assert "补发" in bank_file(batch=batch).decode("utf-8-sig")
    import_bank_return(content=_bytes(tmp_path, [line(reissue)]), filename="r2.csv")
    run.refresh_from_db()
    assert run.state == "paid"
    assert Payment.objects.filter(payout=failed.payout).count() == 2
    reconciled()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_made_at_once_reissue_a_failed_payment_once(sent, tmp_path):
    run, inst_payment, cash_payment = sent
    import_bank_return(
        content=_bytes(
            tmp_path, [line(inst_payment), line(cash_payment, status="failed", reason="账户已销户")]
        ),
        filename="r.csv",
    )
    person_account(cash_payment.payout.person, number=card(99))
    with transaction.atomic():
        payment_batch_create(run=run)  # holds the batch lock until this transaction commits
        other = InThread(payment_batch_create, run=run)
        assert wait_until_blocked(other) == "advisory"
    other.join()
    assert isinstance(other.error, PaymentError), other.error or other.result
    assert "没有可发送的支付" in str(other.error)
    assert Payment.objects.filter(reissue_of=cash_payment).count() == 1


def test_the_month_cannot_be_marked_paid_by_hand_while_payments_are_out(sent):
    run, _, _ = sent
    with pytest.raises(states.TransitionRefused, match="还有 2 笔支付未经银行回单确认到账"):
        states.run_transition(run=run, to="paid", actor=staff("acc", roles.FUND_ACCOUNTANT))


def test_reconcile_reports_a_month_marked_paid_with_payments_out(sent):
    run, _, _ = sent
    SettlementRun.objects.filter(pk=run.pk).update(state="paid")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("reconcile_fund", stdout=out, stderr=err)
    assert "marked paid but 2 payments are not confirmed by the bank" in err.getvalue()
