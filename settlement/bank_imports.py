"""Files of the bank side of payments (issue 19): bank accounts in, and the bank's return file.

Both follow the SPEC 11 conventions (ltci.core.importing): CSV in UTF-8 or GBK, or XLSX; English column codes
or their Chinese names; every problem of a row reported (row, field, reason); a rejected row writes nothing.
The services are ``settlement.services.payments``; ``settlement.imports`` exposes the two importers to the
commands and the admin uploads.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.selectors import persons_by_national_id
from institutions.selectors import institutions_by_code
from ltci.core.dates import parse_iso_date
from ltci.core.import_fields import (
    RowCheck,
    RowError,
    RowProblems,
    choice_parser,
    duplicate_message,
    unknown_institution_message,
    unknown_person_message,
)
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import run_import
from ltci.core.money import parse_amount

from .models import BankAccount, Payment
from .services.payments import AccountInput, PaymentError, account_problems, bank_account_register

# ------------------------------------------------------------------------------------------ bank accounts
ACCOUNT_COLUMNS = ["national_id", "institution_code", "bank_code", "bank_name", "account_no", "holder_name"]
ACCOUNT_LABELS = {
    "national_id": "公民身份号码",
    "institution_code": "机构编码",
    "bank_code": "银行代码",
    "bank_name": "开户银行",
    "account_no": "账号",
    "holder_name": "户名",
}
ACCOUNT_FORMAT = ImportFormat(
    "import_bank_accounts",
    ACCOUNT_COLUMNS,
    ACCOUNT_LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "bank_code": "102",
        "bank_name": "中国工商银行徐州分行",
        "account_no": "6222021234567890128",
        "holder_name": "张三",
    },
)


def _account_row(row: int, values: dict[str, str]) -> dict:
    check = RowCheck(row, values)
    national_id = check.text("national_id").upper()
    code = check.text("institution_code")
    if bool(national_id) == bool(code):
        check.error("national_id", _("公民身份号码与机构编码须填写且只填写其中一项"))
    data = AccountInput(
        *(check.text(name) for name in ("bank_code", "bank_name", "account_no", "holder_name"))
    )
    check.done()
    return {"national_id": national_id, "institution_code": code, "data": data}


def import_bank_accounts(*, content: bytes, filename: str, actor=None):
    """Import persons' and institutions' bank accounts; an account of a holder who is not the owner nor the
    person's agent, a bad number, or an unknown owner rejects the row. The same account again is unchanged."""
    return run_import(
        kind=ACCOUNT_FORMAT.kind,
        content=content,
        filename=filename,
        columns=ACCOUNT_COLUMNS,
        optional=["national_id", "institution_code"],
        labels=ACCOUNT_LABELS,
        parse_row=_account_row,
        apply_rows=lambda rows: _apply_accounts(rows, actor),
        actor=actor,
    )


@transaction.atomic
def _apply_accounts(rows, actor):
    persons = persons_by_national_id(r["national_id"] for _row, r in rows if r["national_id"])
    institutions = institutions_by_code(r["institution_code"] for _row, r in rows if r["institution_code"])
    today = timezone.localdate()
    applied = unchanged = 0
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row, r in rows:
        person = persons.get(r["national_id"]) if r["national_id"] else None
        institution = institutions.get(r["institution_code"]) if r["institution_code"] else None
        if r["national_id"] and person is None:
            errors.append(RowError(row, "national_id", unknown_person_message(r["national_id"])))
            continue
        if r["institution_code"] and institution is None:
            errors.append(
                RowError(row, "institution_code", unknown_institution_message(r["institution_code"]))
            )
            continue
        problems, _link = account_problems(person=person, institution=institution, data=r["data"], on=today)
        if problems:
            errors.append(RowProblems([RowError(row, field, reason) for field, reason in problems]))
            continue
        key = r["national_id"] or f"institution:{r['institution_code']}"
        if key in seen:  # two accounts of one owner in a file: which one is meant is not for us to guess
            field = "national_id" if r["national_id"] else "institution_code"
            errors.append(RowError(row, field, duplicate_message(seen[key])))
            continue
        seen[key] = row
        try:
            with transaction.atomic():
                _account, created = bank_account_register(
                    person=person,
                    institution=institution,
                    data=r["data"],
                    actor=actor,
                    origin=BankAccount.Origin.IMPORT,
                )
        except PaymentError as exc:
            errors.append(RowError(row, "account_no", str(exc)))
            continue
        applied += created
        unchanged += not created
    return applied, unchanged, errors


# ---------------------------------------------------------------------------------------------- returns
RETURN_COLUMNS = ["reference", "account_no", "amount", "status", "value_date", "reason"]
RETURN_LABELS = {
    "reference": "支付流水号",
    "account_no": "账号",
    "amount": "金额",
    "status": "处理结果",
    "value_date": "到账日期",
    "reason": "失败原因",
}
RETURN_FORMAT = ImportFormat(
    "import_bank_return",
    RETURN_COLUMNS,
    RETURN_LABELS,
    {
        "reference": "PB202605-01-00001",
        "account_no": "6222021234567890128",
        "amount": "930.00",
        "status": "paid",
        "value_date": "2026-06-12",
        "reason": "",
    },
)
STATUSES = [("paid", gettext_lazy("成功")), ("failed", gettext_lazy("失败"))]


def _return_row(row: int, values: dict[str, str]) -> dict:
    check = RowCheck(row, values)
    reference = check.get("reference", str.strip)
    account_no = check.get("account_no", str.strip)
    amount = check.get("amount", parse_amount)
    status = check.get("status", choice_parser(STATUSES, lower=True))
    value_date = check.get("value_date", parse_iso_date, required=status == "paid")
    reason = check.get("reason", str.strip, required=status == "failed")
    if reason and len(reason) > 200:
        check.error("reason", _("超过 %(n)s 个字符") % {"n": 200})
    today = timezone.localdate()
    if value_date and value_date > today:
        check.error(
            "value_date",
            _("到账日期 %(date)s 晚于今天（%(today)s）") % {"date": value_date, "today": today},
        )
    check.done()
    return {
        "reference": reference,
        "account_no": account_no,
        "amount": amount,
        "status": status,
        "value_date": value_date if status == "paid" else None,
        "reason": reason or "",
    }


def import_bank_return(*, content: bytes, filename: str, actor=None):
    """Read the bank's return file: each line marks its payment paid (value date) or failed (the bank's
    reason). Unknown references, a reference twice in the file, a line that contradicts the payment (account,
    amount: a partial payment) or an earlier return are rejected with their reason and change nothing; the
    same line again is unchanged. A month whose every payment is paid becomes paid."""
    return run_import(
        kind=RETURN_FORMAT.kind,
        content=content,
        filename=filename,
        columns=RETURN_COLUMNS,
        optional=["value_date", "reason"],
        labels=RETURN_LABELS,
        parse_row=_return_row,
        apply_rows=lambda rows: _apply_return(rows, actor, filename),
        actor=actor,
    )


def _return_problems(row: int, r: dict, payment: Payment) -> list[RowError]:
    problems = []
    if payment.state == Payment.State.HELD or payment.account is None:
        return [RowError(row, "reference", _("支付 %(ref)s 尚未发送银行") % {"ref": r["reference"]})]
    if r["account_no"] != payment.account.account_no:
        problems.append(
            RowError(
                row,
                "account_no",
                _("账号 %(no)s 与该笔支付的收款账号 %(sent)s 不符")
                % {"no": r["account_no"], "sent": payment.account.masked_no},
            )
        )
    if r["amount"] != payment.amount:
        problems.append(
            RowError(
                row,
                "amount",
                _("金额 %(amount)s 与该笔支付的金额 %(sent)s 不符（不接受部分支付）")
                % {"amount": f"{r['amount']:.2f}", "sent": f"{payment.amount:.2f}"},
            )
        )
    sent_on = timezone.localtime(payment.batch.created_at).date()
    if r["value_date"] and r["value_date"] < sent_on:
        problems.append(
            RowError(
                row,
                "value_date",
                _("到账日期 %(date)s 早于支付批次生成日期 %(sent)s")
                % {"date": r["value_date"], "sent": sent_on},
            )
        )
    if payment.state == Payment.State.PAID and r["status"] == "failed":
        problems.append(
            RowError(
                row,
                "status",
                _("该笔支付已于 %(date)s 确认到账，不能再改为失败") % {"date": payment.value_date},
            )
        )
    elif payment.state == Payment.State.FAILED and r["status"] == "paid":
        problems.append(
            RowError(
                row,
                "status",
                _("该笔支付已确认失败（%(reason)s），不能再改为成功") % {"reason": payment.bank_reason},
            )
        )
    elif payment.state == Payment.State.PAID and r["value_date"] != payment.value_date:
        problems.append(
            RowError(
                row,
                "value_date",
                _("该笔支付已确认于 %(date)s 到账，与本行的到账日期不同") % {"date": payment.value_date},
            )
        )
    return problems


@transaction.atomic
def _apply_return(rows, actor, filename):
    from . import states
    from .services.notices import payments_returned_notify

    rows_of: dict[str, list[int]] = defaultdict(list)
    for row, r in rows:
        rows_of[r["reference"]].append(row)
    payments = {
        p.reference: p
        for p in Payment.objects.select_for_update(of=("self",))
        .filter(reference__in=list(rows_of))
        .select_related("account", "batch", "run")
    }
    errors: list[RowError] = []
    changed: list[Payment] = []
    unchanged = 0
    now = timezone.now()
    for row, r in rows:
        reference = r["reference"]
        if len(rows_of[reference]) > 1:
            others = "、".join(str(n) for n in rows_of[reference] if n != row)
            errors.append(
                RowError(
                    row,
                    "reference",
                    _("支付流水号 %(ref)s 在本文件中重复出现（另见第 %(rows)s 行），同一流水号的各行均未处理")
                    % {"ref": reference, "rows": others},
                )
            )
            continue
        payment = payments.get(reference)
        if payment is None:
            errors.append(
                RowError(row, "reference", _("没有支付流水号为 %(ref)s 的支付") % {"ref": reference})
            )
            continue
        problems = _return_problems(row, r, payment)
        if problems:
            errors.append(RowProblems(problems))
            continue
        if payment.state == r["status"]:  # the same line again (a failure's first wording is kept)
            unchanged += 1
            continue
        payment.state = r["status"]
        payment.value_date = r["value_date"]
        payment.bank_reason = r["reason"]
        payment.return_file = filename[:200]
        payment.returned_at = now
        changed.append(payment)
    # One statement: the ledger's trigger books every confirmed payment of it on its value date.
    Payment.objects.bulk_update(changed, ["state", "value_date", "bank_reason", "return_file", "returned_at"])
    for run in {p.run_id: p.run for p in changed}.values():
        states.run_paid_when_complete(run=run, actor=actor)
    payments_returned_notify(changed)
    return len(changed), unchanged, errors
