"""Demo settlement data: three months before the current one settled (paid), audited, and open (draft).

Records come from the demo benefit decisions: bed-days for residents, a few home visits for home-care
clients (with a duplicate and an over-limit case so the audit shows its codes). Idempotent.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from benefits.models import BenefitDecision
from institutions.models import Employment
from ltci.core.dates import month_end

from .models import ServiceRecord, SettlementRun
from .services.records import records_store

MARKER = "demo:"


def _months(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    out = []
    for _ in range(3):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first)
    return list(reversed(out))  # oldest first: paid, audited, open


def _records_for(month: dt.date, rng) -> list[tuple[str, dict]]:
    end = month_end(month)
    rows = []
    decisions = (
        BenefitDecision.objects.overlapping(month, end)
        .filter(care_form__in=["residential", "home_visits", "home_family"], institution__isnull=False)
        .select_related("institution")
    )
    for decision in decisions[:200]:
        start = max(decision.starts_on, month)
        last = min(decision.ends_on or end, end)
        if decision.care_form == "residential":
            day = start
            while day <= last:
                rows.append(
                    (
                        f"{MARKER}{decision.pk}:{day}:life",
                        {
                            "institution_id": decision.institution_id,
                            "person_id": decision.person_id,
                            "kind": "bed_day",
                            "service_date": day,
                            "component": "life",
                            "charged_amount": Decimal(rng.choice(["60.00", "60.00", "58.00", "65.00"])),
                        },
                    )
                )
                day += dt.timedelta(days=1)
            continue
        caregiver = (
            Employment.objects.filter(institution_id=decision.institution_id)
            .values_list("caregiver__national_id", flat=True)
            .first()
            or ""
        )
        visits = 10 if decision.care_form == "home_visits" else 3
        for n in range(visits):
            day = start + dt.timedelta(days=n * 3)
            if day > last:
                break
            begin = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
            rows.append(
                (
                    f"{MARKER}{decision.pk}:{day}:visit",
                    {
                        "institution_id": decision.institution_id,
                        "person_id": decision.person_id,
                        "kind": "home_visit",
                        "service_date": day,
                        "component": "",
                        "charged_amount": Decimal("100.00"),
                        "caregiver_national_id": caregiver,
                        "started_at": begin,
                        "ended_at": begin + dt.timedelta(hours=1),
                        "items": ["清洁照料", "饮食照料"],
                    },
                )
            )
    if rows:  # one duplicate, to show DUPLICATE in the audit
        key, data = rows[0]
        rows.append((key + ":again", dict(data)))
    return rows


def seed(*, persons, rng, stdout):
    from ltci.core.policy import PolicyError

    from . import states
    from .services.fund import ledger_sync
    from .services.run import SettlementError, latest_run, settlement_run

    today = timezone.localdate()
    months = _months(today)
    if ServiceRecord.objects.filter(source_key__startswith=MARKER).exists():
        stdout.write("settlement: demo data already present")
        return
    User = get_user_model()
    settler = User.objects.filter(username="settler").first()
    supervisor = User.objects.filter(username="supervisor").first()
    accountant = User.objects.filter(username="accountant").first()
    for month in months:
        records_store(records=_records_for(month, rng), origin=ServiceRecord.Origin.PORTAL)
    for index, month in enumerate(months):
        try:
            run = settlement_run(month=month, actor=settler)
        except (SettlementError, PolicyError) as exc:
            stdout.write(f"settlement: {month:%Y-%m} not run: {exc}")
            return
        if index <= 1 and settler and supervisor:
            run = states.run_transition(run=run, to=SettlementRun.State.AUDITED, actor=settler)
        if index == 0 and supervisor and accountant:
            run = states.run_transition(run=run, to=SettlementRun.State.APPROVED, actor=supervisor)
            _pay_through_the_bank(run=run, accountant=accountant, clerk=settler, stdout=stdout)
    ledger_sync()
    stdout.write("settlement: " + ", ".join(f"{m:%Y-%m} {latest_run(m).get_state_display()}" for m in months))


def _card(n: int) -> str:
    """A 19-digit demo bank card number with its Luhn check digit."""
    from .rules import luhn_valid

    body = f"622202{n:012d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _return_file(lines) -> bytes:
    from ltci.core.exports import csv_text

    header = ["reference", "account_no", "amount", "status", "value_date", "reason"]
    return csv_text([header, *lines], bom=True).encode("utf-8")


def _pay_through_the_bank(*, run, accountant, clerk, stdout) -> None:
    """Issue 19: the month's payees get accounts (one person's card is closed at the bank), the first batch
    goes to the bank, its return pays every payment but that one, the person's account is corrected, the
    re-issue batch is returned paid, and the month becomes paid."""
    from .imports import import_bank_return
    from .models import Payment, Statement
    from .services.payments import AccountInput, bank_account_register, payment_batch_create

    for s in Statement.objects.filter(run=run).select_related("institution"):
        inst = s.institution
        if inst.bank_account.isdigit():
            bank_account_register(
                institution=inst,
                data=AccountInput(
                    "102", inst.bank_name or "中国工商银行徐州分行", inst.bank_account, inst.name
                ),
                actor=accountant,
            )
    payouts = list(run.payouts.filter(amount__gt=0).select_related("person").order_by("person__national_id"))
    for payout in payouts:
        bank_account_register(
            person=payout.person,
            data=AccountInput("102", "中国工商银行徐州分行", _card(payout.person_id), payout.person.name),
            actor=clerk,
        )
    batch = payment_batch_create(run=run, actor=accountant)
    today = timezone.localdate().isoformat()
    failing = next((p for p in batch.payments.order_by("reference") if p.payout_id), None)
    lines = [
        [
            p.reference,
            p.account.account_no,
            f"{p.amount:.2f}",
            "failed" if p == failing else "paid",
            "" if p == failing else today,
            "账户已销户" if p == failing else "",
        ]
        for p in batch.payments.select_related("account").order_by("reference")
    ]
    import_bank_return(content=_return_file(lines), filename=f"return-{batch.number}.csv", actor=accountant)
    if failing is not None:
        person = failing.payout.person
        bank_account_register(
            person=person,
            data=AccountInput("104", "中国银行徐州分行", _card(900000 + person.pk), person.name),
            actor=clerk,
        )
        again = payment_batch_create(run=run, actor=accountant)
        lines = [
            [p.reference, p.account.account_no, f"{p.amount:.2f}", "paid", today, ""]
            for p in again.payments.select_related("account")
        ]
        import_bank_return(
            content=_return_file(lines), filename=f"return-{again.number}.csv", actor=accountant
        )
    paid = Payment.objects.filter(run=run, state=Payment.State.PAID).count()
    stdout.write(
        f"settlement: {run.month:%Y-%m} {paid} payments paid through bank returns, 1 failed and re-issued"
    )
