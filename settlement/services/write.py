"""Stage 4 of the monthly run (SPEC 7.2): store the priced lines as a new version of the month, in one
transaction under the month's lock, replacing its previous draft or audited version; then the statements
per institution and the payouts to persons.

The institution lines come from run_lines (``price.py``) by INSERT ... SELECT, each record's audit from
``price.RESULT_SQL`` joined to its line; the allowance and adjustment lines are COPYed. A crash before the
commit leaves the previous version as it was.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max

from ltci.core.dates import month_end
from ltci.core.money import ZERO, fen
from ltci.core.partitions import ensure_partitions
from ltci.core.sql import copy_rows, execute, fetch

from ..models import (
    Appeal,
    Correction,
    Payout,
    RecordAudit,
    ServiceRecord,
    SettlementLine,
    SettlementRun,
    Statement,
)
from .months import lock_month, refuse_final
from .price import RESULT_SQL, LineResult

LINE = SettlementLine._meta.db_table
RECORD_AUDIT = RecordAudit._meta.db_table
RECORD = ServiceRecord._meta.db_table
# the tables holding a version's rows, children first (a stale version is deleted in this order)
VERSION_TABLES = [(m._meta.db_table, "run_id") for m in (RecordAudit, Payout, Statement, SettlementLine)] + [
    (SettlementRun._meta.db_table, "id")
]

LINE_COLUMNS = [
    "id",
    "run_id",
    "institution_id",
    "person_id",
    "care_form",
    "service_month",
    "quantity",
    "charged_amount",
    "fund_amount",
    "personal_amount",
    "rejected_amount",
    "reason_codes",
    "is_late",
    "is_adjustment",
    "adjusts_id",
    "details",
]


def _copy_lines(lines: list[SettlementLine]) -> None:
    """COPY the lines with ids drawn from their sequence first (the record audits point at them); a
    bulk INSERT with 16 parameters a line costs far more in query building than the rows themselves."""
    from psycopg.types.json import Jsonb

    if not lines:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{LINE}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
            [len(lines)],
        )
        for line, (pk,) in zip(lines, cursor.fetchall(), strict=True):
            line.pk = pk
    copy_rows(
        LINE,
        LINE_COLUMNS,
        (
            (
                x.pk,
                x.run_id,
                x.institution_id,
                x.person_id,
                x.care_form,
                x.service_month,
                x.quantity,
                x.charged_amount,
                x.fund_amount,
                x.personal_amount,
                x.rejected_amount,
                list(x.reason_codes or []),
                x.is_late,
                x.is_adjustment,
                x.adjusts_id,
                Jsonb(x.details or {}),
            )
            for x in lines
        ),
    )


AUDITS_SQL = f"""
INSERT INTO {RECORD_AUDIT} (run_id, record_id, line_id, codes, charged_amount, base_amount, rejected_amount,
                                    detail, service_month)
SELECT %(run)s, f.id, l.id, CASE WHEN f.code IS NULL THEN '{{}}'::varchar[] ELSE ARRAY[f.code]::varchar[] END,
       f.charged, f.base, f.charged - f.base, left(f.detail, 300), f.service_month
FROM ({RESULT_SQL}) f
JOIN run_lines l ON l.institution_id = f.institution_id AND l.person_id = f.person_id AND l.form = f.form
     AND l.service_month = f.service_month AND l.late = f.late
"""  # noqa: S608 (constants of the code, no input)

LINES_INSERT_SQL = f"""
INSERT INTO {LINE} (id, run_id, institution_id, person_id, care_form, service_month, quantity,
    charged_amount, fund_amount, personal_amount, rejected_amount, reason_codes, is_late, is_adjustment, details)
SELECT id, %(run)s, institution_id, person_id, form, service_month, quantity, charged, fund, personal, rejected,
       codes, late, false, jsonb_build_object('classes', to_jsonb(classes))
           -- a device line's charity share (Jinjiang): part of the personal amount, paid by the charity fund
           || CASE WHEN charity <> 0 THEN jsonb_build_object('charity', charity::text, 'person', (personal - charity)::text)
                   ELSE '{{}}'::jsonb END
FROM run_lines
"""  # noqa: S608 (constants of the code, no input)


def ensure_month_partitions(month: dt.date) -> None:
    """The month's and the next month's partitions of the lines, audits and service records, made before the
    run writes (outside its transaction: creating a partition briefly locks the whole table); records of the
    month that waited in the DEFAULT partition move into the month's."""
    for table in (LINE, RECORD_AUDIT, RECORD):
        ensure_partitions(table, month_end(month) + dt.timedelta(days=1), since=month)


@transaction.atomic
def write_run(month: dt.date, allowance_lines: list[LineResult], *, actor, job) -> SettlementRun:
    """Replace the month's draft or audited version by a new one built from the staged lines, in one
    transaction under the month's lock."""
    lock_month(month)
    refuse_final(month)  # approved while this run computed
    previous = SettlementRun.objects.select_for_update().filter(month=month)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    stale = [r.pk for r in previous if not r.is_final]
    if stale:
        Appeal.objects.filter(settled_in_id__in=stale).update(settled_in=None)
        Correction.objects.filter(settled_in_id__in=stale).update(settled_in=None)
        for table, column in VERSION_TABLES:
            execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [stale])  # noqa: S608
    run = SettlementRun.objects.create(
        month=month, version=version, started_by=actor if getattr(actor, "pk", None) else None, job=job
    )
    lines = [
        SettlementLine(
            run=run,
            institution_id=line.institution_id,
            person_id=line.person_id,
            care_form=line.care_form,
            service_month=line.service_month,
            quantity=line.quantity,
            charged_amount=line.amounts.charged,
            fund_amount=line.amounts.fund,
            personal_amount=line.amounts.personal,
            rejected_amount=line.amounts.rejected,
            reason_codes=list(line.amounts.codes),
            is_late=line.is_late,
            details=line.details,
        )
        for line in allowance_lines
    ]
    lines += _adjustment_lines(run)
    _copy_lines(lines)
    execute(LINES_INSERT_SQL, {"run": run.pk})
    audit_count = execute(AUDITS_SQL, {"run": run.pk})
    _statements(run)
    Payout.objects.bulk_create(
        [
            Payout(run=run, person_id=p, amount=a)
            for p, a in fetch(
                f"SELECT person_id, sum(fund_amount) FROM {LINE} WHERE run_id = %s "  # noqa: S608
                "AND institution_id IS NULL GROUP BY person_id "
                # a person whose only lines are unpaid allowances (zero-fund lines with their reasons) has no payout
                "HAVING bool_or(quantity <> 0 OR is_adjustment) ORDER BY person_id",
                [run.pk],
            )
        ],
        batch_size=5000,
    )
    run.record_count = audit_count
    run.line_count, run.fund_total = fetch(
        f"SELECT count(*), coalesce(sum(fund_amount), 0) FROM {LINE} WHERE run_id = %s",  # noqa: S608
        [run.pk],
    )[0]
    run.save(update_fields=["record_count", "line_count", "fund_total"])
    return run


def _adjustment_lines(run: SettlementRun) -> list[SettlementLine]:
    """Upheld appeals and staff corrections of final earlier months not yet settled become adjustment lines
    of this run (charged 0, fund +amount, rejected -amount: the identity holds)."""
    lines = []
    for appeal in (
        Appeal.objects.select_for_update()
        .select_related("line")
        .filter(state=Appeal.State.UPHELD, settled_in__isnull=True, line__run__month__lt=run.month)
    ):
        amount = appeal.amount
        lines.append(
            SettlementLine(
                run=run,
                institution_id=appeal.line.institution_id,
                person_id=appeal.line.person_id,
                care_form=appeal.line.care_form,
                service_month=appeal.line.service_month,
                quantity=0,
                charged_amount=ZERO,
                fund_amount=amount,
                personal_amount=ZERO,
                rejected_amount=-amount,
                reason_codes=[],
                is_adjustment=True,
                adjusts=appeal.line,
                details={"appeal": appeal.pk},
            )
        )
        appeal.settled_in = run
        appeal.save(update_fields=["settled_in"])
    for correction in (
        Correction.objects.select_for_update()
        .select_related("line")
        .filter(settled_in__isnull=True, line__run__month__lt=run.month)
        .order_by("id")
    ):
        amount = correction.amount
        lines.append(
            SettlementLine(
                run=run,
                institution_id=correction.line.institution_id,
                person_id=correction.line.person_id,
                care_form=correction.line.care_form,
                service_month=correction.line.service_month,
                quantity=0,
                charged_amount=ZERO,
                fund_amount=amount,
                personal_amount=ZERO,
                rejected_amount=-amount,
                reason_codes=[],
                is_adjustment=True,
                adjusts=correction.line,
                details={"correction": correction.pk},
            )
        )
        correction.settled_in = run
        correction.save(update_fields=["settled_in"])
    return lines


def _statements(run: SettlementRun) -> None:
    from institutions.models import Violation
    from institutions.selectors import agreement_days
    from ltci.core.policy import NoPolicyInForce, policy_in_force

    totals = {
        institution_id: {"charged": charged, "fund": fund, "adjust": adjust}
        for institution_id, charged, fund, adjust in fetch(
            f"""
        SELECT institution_id, coalesce(sum(charged_amount) FILTER (WHERE NOT is_adjustment), 0),
               coalesce(sum(fund_amount) FILTER (WHERE NOT is_adjustment), 0),
               coalesce(sum(fund_amount) FILTER (WHERE is_adjustment), 0)
        FROM {LINE} WHERE run_id = %s AND institution_id IS NOT NULL
        GROUP BY institution_id ORDER BY institution_id""",  # noqa: S608
            [run.pk],
        )
    }
    if not totals:
        return
    end = month_end(run.month)
    recover: dict[int, list[tuple[int, Decimal]]] = {}
    for institution_id, pk, amount, penalty in (
        Violation.objects.filter(institution_id__in=list(totals), found_on__lte=end, deducted_in="")
        .values_list("institution_id", "id", "amount_to_recover", "penalty")
        .order_by("id")
    ):
        if amount + penalty:
            recover.setdefault(institution_id, []).append((pk, amount + penalty))
    periods = agreement_days(institution_ids=list(totals), start=run.month, end=end)
    try:
        default_rate = Decimal(policy_in_force("quality_deposit", on=end)["rate"])
    except NoPolicyInForce:
        default_rate = ZERO
    owed = _negative_statements(run, list(totals))
    statements = []
    for institution_id, t in totals.items():
        agreements = periods.get(institution_id) or []
        rate = (
            agreements[-1][2].deposit_rate
            if agreements and agreements[-1][2].deposit_rate is not None
            else default_rate
        )
        deposit = fen(t["fund"] * rate)
        violations = recover.get(institution_id, [])
        recovered = sum((amount for _, amount in violations), ZERO)
        carried_from, carried = owed.get(institution_id, (None, ZERO))
        statements.append(
            Statement(
                run=run,
                institution_id=institution_id,
                charged_total=t["charged"],
                fund_payable=t["fund"],
                deposit_rate=rate,
                deposit_withheld=deposit,
                recovered=recovered,
                adjustments=t["adjust"],
                carried=carried,
                carried_from_id=carried_from,
                net_payable=t["fund"] - deposit - recovered + t["adjust"] + carried,
                violation_ids=[pk for pk, _ in violations],
            )
        )
    Statement.objects.bulk_create(statements)


def _negative_statements(run: SettlementRun, institution_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """Per institution, its latest statement of an approved or paid earlier month when that statement's net
    payable is negative (recoveries above the fund's payment): carried into this statement, once."""
    owed = {}
    latest = (
        Statement.objects.filter(
            institution_id__in=institution_ids,
            run__month__lt=run.month,
            run__state__in=[SettlementRun.State.APPROVED, SettlementRun.State.PAID],
        )
        .order_by("institution_id", "-run__month", "-run__version")
        .distinct("institution_id")
        .values_list("institution_id", "id", "net_payable")
    )
    for institution_id, pk, net in latest:
        if net < 0:
            owed[institution_id] = (pk, net)
    return owed
