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
    from .services.run import SettlementError, bank_file, latest_run, settlement_run

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
            bank_file(run=run, actor=accountant)
            states.run_transition(run=latest_run(month), to=SettlementRun.State.PAID, actor=accountant)
    ledger_sync()
    stdout.write("settlement: " + ", ".join(f"{m:%Y-%m} {latest_run(m).get_state_display()}" for m in months))
