"""Bank accounts, payment batches, bank files and bank returns (issue 19; SPEC 7.2 "paid", 7.3, 10).

A final month's money leaves as payments: one per institution statement with a positive net payable and one
per positive payout to a person. A batch is one bank file. The bank's return file marks each payment paid
(with its value date) or failed (with the bank's reason); the ledger books a statement or payout when its
payment is confirmed, on the value date (``services.fund.SOURCES``); the month is paid when every payment is.
A failed payment is re-issued once, in the next batch made after its payee's account was corrected.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from benefits.models import AgentLink
from ltci.core.exports import safe_row

from .. import rules
from ..models import BankAccount, Payment, PaymentBatch, Payout, SettlementRun, Statement
from .months import lock_month

BATCH_LOCK = 7_190_001  # pg_advisory_xact_lock key: one batch is made at a time (numbers, re-issues)


class PaymentError(Exception):
    """A refused payment action; the message says why (Chinese)."""


# ---------------------------------------------------------------------------------------------- accounts
@dataclass(frozen=True)
class AccountInput:
    bank_code: str
    bank_name: str
    account_no: str
    holder_name: str


def account_problems(*, person=None, institution=None, data: AccountInput, on: dt.date):
    """([(field, reason)], agent link): every reason the account cannot be registered for its owner.

    The holder is the person, the institution, or an agent or guardian linked to the person on ``on``
    (an account of another person only through an agent link)."""
    problems: list[tuple[str, str]] = []
    for name in ("bank_code", "bank_name", "account_no", "holder_name"):
        if not getattr(data, name).strip():
            problems.append((name, _("必须填写")))
    if len(data.bank_code) > 20:
        problems.append(("bank_code", _("超过 %(n)s 个字符") % {"n": 20}))
    if data.account_no.strip():
        problem = rules.account_number_problem(data.account_no.strip(), card_check=person is not None)
        if problem:
            problems.append(("account_no", problem))
    link = None
    holder = data.holder_name.strip()
    if holder and person is not None and not rules.same_name(holder, person.name):
        links = AgentLink.objects.in_force(on).filter(principal=person).select_related("account")
        link = next((lk for lk in links if rules.same_name(holder, lk.account.name)), None)
        if link is None:
            problems.append(
                (
                    "holder_name",
                    _("户名 %(holder)s 与参保人姓名 %(name)s 不符，也不是其在册的代办人或监护人")
                    % {"holder": holder, "name": person.name},
                )
            )
    if holder and institution is not None and not rules.same_name(holder, institution.name):
        problems.append(
            (
                "holder_name",
                _("户名 %(holder)s 与机构名称 %(name)s 不符") % {"holder": holder, "name": institution.name},
            )
        )
    return problems, link


def current_account(*, person=None, institution=None) -> BankAccount | None:
    owner = Q(person=person) if person is not None else Q(institution=institution)
    return BankAccount.objects.filter(owner, valid_to__isnull=True).first()


@transaction.atomic
def bank_account_register(
    *, person=None, institution=None, data: AccountInput, actor=None, origin=BankAccount.Origin.STAFF
) -> tuple[BankAccount, bool]:
    """Register the owner's account, superseding the current one (kept, closed today); return (account,
    created). The same account again changes nothing. Raise PaymentError listing every problem."""
    if (person is None) == (institution is None):
        raise PaymentError(_("账户必须属于一名参保人或一家机构"))
    today = timezone.localdate()
    problems, link = account_problems(person=person, institution=institution, data=data, on=today)
    if problems:
        raise PaymentError("；".join(f"{field}：{reason}" for field, reason in problems))
    owner = Q(person=person) if person is not None else Q(institution=institution)
    current = BankAccount.objects.select_for_update().filter(owner, valid_to__isnull=True).first()
    fields = {
        "bank_code": data.bank_code.strip(),
        "bank_name": data.bank_name.strip(),
        "account_no": data.account_no.strip(),
        "holder_name": data.holder_name.strip(),
    }
    if current and all(getattr(current, k) == v for k, v in fields.items()) and current.agent_link == link:
        return current, False
    if current:
        current.valid_to = today
        current.save(update_fields=["valid_to"])
    account = BankAccount.objects.create(
        person=person,
        institution=institution,
        agent_link=link,
        valid_from=today,
        origin=origin,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    if current:
        current.superseded_by = account
        current.save(update_fields=["superseded_by"])
    return account, True


# ------------------------------------------------------------------------------------------------ batches
def payee(payment: Payment):
    """The institution of a statement's payment or the person of a payout's."""
    if payment.statement is not None:
        return payment.statement.institution
    assert payment.payout is not None  # noqa: S101 - a database check: one of the two
    return payment.payout.person


def _payee_account(payment: Payment) -> BankAccount | None:
    if payment.statement_id:
        return current_account(institution=payee(payment))
    return current_account(person=payee(payment))


def outstanding(run: SettlementRun) -> int:
    """How many statements and payouts of the run still have no payment confirmed by the bank."""
    statements = Statement.objects.filter(run=run, net_payable__gt=0).exclude(
        payments__state=Payment.State.PAID
    )
    payouts = Payout.objects.filter(run=run, amount__gt=0).exclude(payments__state=Payment.State.PAID)
    return statements.count() + payouts.count()


def _new_payments(run: SettlementRun) -> list[Payment]:
    """Payments for the run's statements and payouts that have none yet (the first batch of the month)."""
    made = [
        Payment(run=run, statement=s, institution=s.institution, amount=s.net_payable)
        for s in Statement.objects.filter(run=run, net_payable__gt=0, payments__isnull=True)
        .select_related("institution")
        .order_by("institution__code")
    ]
    made += [
        Payment(run=run, payout=p, person=p.person, amount=p.amount)
        for p in Payout.objects.filter(run=run, amount__gt=0, payments__isnull=True)
        .select_related("person")
        .order_by("person__national_id")
    ]
    return made


@transaction.atomic
def payment_batch_create(*, run: SettlementRun, actor=None, layout: str | None = None) -> PaymentBatch:
    """Make the month's next batch: the first one holds every payment of the month; a later one the payments
    held for want of an account and the failed ones whose payee's account was corrected since (each failed
    payment re-issued once). Payees without an account wait (held) for the next batch."""
    layout = layout or settings.LTCI_BANK_FILE_LAYOUT
    bank_layout(layout)  # refuse an unknown layout before writing anything
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])
    lock_month(run.month)
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if run.state != SettlementRun.State.APPROVED:
        raise PaymentError(
            _("%(month)s 第%(version)s版结算为“%(state)s”：只有已批准、未支付完毕的结算可以生成支付批次")
            % {"month": f"{run.month:%Y-%m}", "version": run.version, "state": run.get_state_display()}
        )
    number = f"PB{run.month:%Y%m}-{run.payment_batches.count() + 1:02d}"
    batch = PaymentBatch(
        number=number, run=run, layout=layout, created_by=actor if getattr(actor, "pk", None) else None
    )
    sent: list[Payment] = []
    held: list[Payment] = []
    for payment in _new_payments(run):
        payment.account = _payee_account(payment)
        (sent if payment.account else held).append(payment)
    waiting = list(
        Payment.objects.select_for_update(of=("self",))
        .filter(run=run, state=Payment.State.HELD)
        .select_related("statement__institution", "payout__person")
    )
    for payment in waiting:
        payment.account = _payee_account(payment)
    ready = [p for p in waiting if p.account]
    failed = list(
        Payment.objects.select_for_update(of=("self",))
        .filter(run=run, state=Payment.State.FAILED)
        .select_related("statement__institution", "payout__person", "account")
        .order_by("pk")
    )
    # After the lock: a fresh read of which failed payments a committed batch re-issued meanwhile.
    reissued = set(Payment.objects.filter(reissue_of__in=failed).values_list("reissue_of_id", flat=True))
    for old in failed:
        account = _payee_account(old)
        if old.pk in reissued or account is None or account.pk == old.account_id:
            continue
        sent.append(
            Payment(
                run=run,
                statement=old.statement,
                payout=old.payout,
                person=old.person,
                institution=old.institution,
                amount=old.amount,
                account=account,
                reissue_of=old,
            )
        )
    if not sent and not ready:
        waiting_failed = sum(1 for old in failed if old.pk not in reissued)
        raise PaymentError(
            _("%(month)s 没有可发送的支付：%(held)s 笔待登记账户，%(failed)s 笔失败待更正账户")
            % {"month": f"{run.month:%Y-%m}", "held": len(held) + len(waiting), "failed": waiting_failed}
        )
    batch.save()
    for index, payment in enumerate([*ready, *sent], start=1):
        payment.batch = batch
        payment.state = Payment.State.PENDING
        payment.reference = f"{batch.number}-{index:05d}"
    for payment in ready:
        payment.save(update_fields=["batch", "state", "reference", "account"])
    for payment in held:
        payment.state = Payment.State.HELD
    Payment.objects.bulk_create([*sent, *held])
    return batch


# --------------------------------------------------------------------------------------------- bank files
# The fields a bank file may carry: code -> Chinese column name (docs/operations.md "Bank files").
BANK_FILE_FIELDS = {
    "reference": "支付流水号",
    "payee_type": "收款人类型",
    "payee_code": "收款人编码",
    "payee_name": "收款人名称",
    "bank_code": "银行代码",
    "bank_name": "开户银行",
    "account_no": "账号",
    "holder_name": "户名",
    "amount": "金额",
    "month": "结算月份",
    "memo": "用途",
}
DEFAULT_COLUMNS = list(BANK_FILE_FIELDS)


@dataclass(frozen=True)
class BankLayout:
    name: str
    columns: list[str]
    header: str
    delimiter: str
    encoding: str


def bank_layout(name: str) -> BankLayout:
    """The layout of a bank file from settings.LTCI_BANK_FILE_LAYOUTS, checked (a bad setting is refused)."""
    layouts = cast(dict[str, dict], settings.LTCI_BANK_FILE_LAYOUTS)
    spec = layouts.get(name)
    if spec is None:
        raise PaymentError(_("未配置银行文件格式 %(name)s（LTCI_BANK_FILE_LAYOUTS）") % {"name": name})
    columns = list(spec.get("columns") or DEFAULT_COLUMNS)
    unknown = [c for c in columns if c not in BANK_FILE_FIELDS]
    header = spec.get("header", "codes")
    delimiter = spec.get("delimiter", ",")
    encoding = spec.get("encoding", "utf-8-sig")
    problems = []
    if unknown:
        problems.append(_("未知列 %(cols)s") % {"cols": ", ".join(unknown)})
    if header not in ("codes", "labels", "none"):
        problems.append(_("header 应为 codes、labels 或 none"))
    if len(delimiter) != 1:
        problems.append(_("delimiter 应为一个字符"))
    try:
        "".encode(encoding)
    except LookupError:
        problems.append(_("未知编码 %(enc)s") % {"enc": encoding})
    if problems:
        raise PaymentError(
            _("银行文件格式 %(name)s 配置有误：%(problems)s")
            % {"name": name, "problems": "；".join(problems)}
        )
    return BankLayout(name, columns, header, delimiter, encoding)


def payment_fields(payment: Payment) -> dict[str, str]:
    """Every field a bank file may carry for one payment."""
    account = payment.account
    month = f"{payment.run.month:%Y-%m}"
    who = payee(payment)
    if payment.statement_id:
        kind, code, name, memo = "institution", who.code, who.name, f"长护险机构结算 {month}"
    else:
        kind, code, name, memo = "person", who.national_id, who.name, f"长护险待遇补助 {month}"
    if payment.reissue_of_id:
        memo += " 补发"
    return {
        "reference": payment.reference or "",
        "payee_type": kind,
        "payee_code": code,
        "payee_name": name,
        "bank_code": account.bank_code if account else "",
        "bank_name": account.bank_name if account else "",
        "account_no": account.account_no if account else "",
        "holder_name": account.holder_name if account else "",
        "amount": f"{payment.amount:.2f}",
        "month": month,
        "memo": memo,
    }


def batch_payments(batch: PaymentBatch):
    return batch.payments.select_related(
        "run", "account", "statement__institution", "payout__person"
    ).order_by("reference")


def bank_file(*, batch: PaymentBatch) -> bytes:
    """The batch's bank file in its layout, the same bytes every time; the first export is recorded."""
    layout = bank_layout(batch.layout)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=layout.delimiter, lineterminator="\r\n")
    if layout.header != "none":
        writer.writerow(
            layout.columns if layout.header == "codes" else [BANK_FILE_FIELDS[c] for c in layout.columns]
        )
    for payment in batch_payments(batch):
        values = payment_fields(payment)
        writer.writerow(safe_row([values[c] for c in layout.columns]))
    if batch.exported_at is None:
        PaymentBatch.objects.filter(pk=batch.pk, exported_at__isnull=True).update(exported_at=timezone.now())
    try:
        return out.getvalue().encode(layout.encoding)
    except UnicodeEncodeError as exc:
        raise PaymentError(
            _("批次 %(batch)s 含有 %(enc)s 编码无法表示的字符（%(text)s）")
            % {"batch": batch.number, "enc": layout.encoding, "text": exc.object[exc.start : exc.end]}
        ) from None


def bank_file_name(batch: PaymentBatch) -> str:
    return f"bank-{batch.number}.csv"


# ------------------------------------------------------------------------------------------ reconciliation
@dataclass(frozen=True)
class PaymentDifference:
    what: str

    def __str__(self):
        return self.what


def payments_reconcile() -> tuple[list[PaymentDifference], dict]:
    """Tie statements, payouts, payments, bank returns and the ledger together (reconcile_fund).

    Differences: a payment whose amount is not its statement's net payable or its payout; a paid payment
    whose ledger posting is missing or booked on another day than its value date; a month marked paid with
    a payment not confirmed, or every payment confirmed and the month not marked paid."""
    found: list[PaymentDifference] = []
    counts = dict.fromkeys(Payment.State.values, 0)
    sums = dict.fromkeys(Payment.State.values, Decimal("0"))
    payments = Payment.objects.select_related("statement", "payout", "run")
    for p in payments.iterator():
        counts[p.state] += 1
        sums[p.state] += p.amount
        source = p.statement.net_payable if p.statement is not None else p.payout.amount if p.payout else None
        if p.amount != source:
            found.append(
                PaymentDifference(
                    f"payment {p.reference or p.pk}: amount {p.amount} but its "
                    f"{'statement' if p.statement_id else 'payout'} says {source}"
                )
            )
    ledger_sql = """
        SELECT p.reference, p.value_date, l.booked_on
        FROM settlement_payment p
        LEFT JOIN settlement_ledgerentry l
            ON l.reference = CASE WHEN p.statement_id IS NOT NULL THEN 'statement:' || p.statement_id
                                  ELSE 'payout:' || p.payout_id END
        LEFT JOIN settlement_statement s ON s.id = p.statement_id
        WHERE p.state = 'paid' AND (l.id IS NULL OR l.booked_on <> p.value_date)
          AND (s.id IS NULL OR s.fund_payable + s.adjustments <> 0)"""
    with connection.cursor() as cursor:
        cursor.execute(ledger_sql)
        for reference, value_date, booked_on in cursor.fetchall():
            if booked_on is None:
                found.append(
                    PaymentDifference(f"payment {reference}: paid on {value_date} but not in the ledger")
                )
            else:
                found.append(
                    PaymentDifference(
                        f"payment {reference}: value date {value_date} but booked on {booked_on}"
                    )
                )
    for run in SettlementRun.objects.filter(
        state__in=[SettlementRun.State.APPROVED, SettlementRun.State.PAID]
    ):
        left = outstanding(run)
        if run.state == SettlementRun.State.PAID and left and run.payments.exists():
            found.append(
                PaymentDifference(f"{run}: marked paid but {left} payments are not confirmed by the bank")
            )
        if run.state == SettlementRun.State.APPROVED and not left and run.payments.exists():
            found.append(
                PaymentDifference(f"{run}: every payment is confirmed but the month is not marked paid")
            )
    return found, {state: (counts[state], sums[state]) for state in counts}
