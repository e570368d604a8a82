"""Partitioned tables (issue 20, SPEC 12): contributions by year, service records, settlement lines and record
audits by service month; rows land in their partition, the jobs make their partitions ahead of time, and the keys, the references
by id, the unique and check constraints and the triggers still hold."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from enrollment.models import Contribution, ContributionTransaction, Person
from ltci.core import partitions, roles
from ltci.core.partitions import ensure_ahead, ensure_partitions, existing_partitions
from ltci.core.tasks import partitions_ahead
from settlement.models import (
    Appeal,
    RecordAudit,
    ServiceRecord,
    ServiceRecordKey,
    SettlementLine,
    SettlementRun,
)
from settlement.services.records import records_store
from settlement.services.run import settlement_run

from .conftest import D, bed_days, new_id, staff

CONTRIBUTION = "enrollment_contribution"
LINE = "settlement_settlementline"
AUDIT = "settlement_recordaudit"
RECORD = "settlement_servicerecord"


def partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
        )
        return {r[0] for r in cursor.fetchall()}


def test_the_four_tables_are_partitioned_by_range_on_their_key(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partrelid::regclass::text, partstrat FROM pg_partitioned_table ORDER BY 1",
        )
        found = dict(cursor.fetchall())
    assert found == {CONTRIBUTION: "r", AUDIT: "r", LINE: "r", RECORD: "r"}
    assert partitions.partition_key(CONTRIBUTION) == ("year", "year")
    assert partitions.partition_key(LINE) == ("service_month", "month")
    assert partitions.partition_key(AUDIT) == ("service_month", "month")
    assert partitions.partition_key(RECORD) == ("service_date", "month")
    for table in (CONTRIBUTION, LINE, AUDIT, RECORD):
        assert f"{table}_default" in existing_partitions(table)


def test_the_triggers_were_recreated_on_the_partitioned_tables(db):
    """The status page's version bumps (insured 0001), the results' immutability (settlement 0006) and the
    checks standing in for the foreign keys by id."""
    assert {"insured_bump_rows_ins", "insured_bump_first_year_upd", "insured_bump_truncate"} <= triggers(
        CONTRIBUTION
    )
    assert {"insured_bump_rows_del", "line_immutable_delete", "line_immutable_update"} <= triggers(LINE)
    assert {"audit_immutable_delete", "audit_immutable_update"} <= triggers(AUDIT)
    assert "refcheck_enrollment_contributiontransaction_contribution_id_ins" in triggers(
        "enrollment_contributiontransaction"
    )
    assert "refcheck_settlement_appeal_line_id_ins" in triggers("settlement_appeal")


def test_yearly_run_makes_its_year_and_the_next_and_writes_into_its_year(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid], years=(2024,))
    assert {f"{CONTRIBUTION}_p2024", f"{CONTRIBUTION}_p2025"} <= set(existing_partitions(CONTRIBUTION))
    contribution = Contribution.objects.get(person__national_id=nid, year=2024)
    assert partition_of(CONTRIBUTION, contribution.pk) == f"{CONTRIBUTION}_p2024"
    # the model API is unchanged: id lookups, reverse relations, updates through the ORM
    assert contribution.transactions.exists()
    Contribution.objects.filter(pk=contribution.pk).update(status="paid")
    assert Contribution.objects.get(pk=contribution.pk).status == "paid"


def test_rows_of_a_year_without_partition_go_to_default_and_move_when_it_is_made(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid], years=(2024,))
    c = Contribution.objects.get(person__national_id=nid)
    far = Contribution.objects.create(
        person=c.person,
        year=2040,
        insurance_type=c.insurance_type,
        region_code=c.region_code,
        total_amount=c.total_amount,
        individual_amount=c.individual_amount,
        due_by=dt.date(2040, 3, 31),
    )
    assert partition_of(CONTRIBUTION, far.pk) == f"{CONTRIBUTION}_default"
    assert ensure_partitions(CONTRIBUTION, 2040) == [f"{CONTRIBUTION}_p2040"]
    assert partition_of(CONTRIBUTION, far.pk) == f"{CONTRIBUTION}_p2040"
    assert ensure_partitions(CONTRIBUTION, 2040) == []  # idempotent


def test_constraints_still_hold_on_contributions(world):
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid], years=(2024,))
    c = Contribution.objects.get(person__national_id=nid)
    with pytest.raises(IntegrityError), transaction.atomic():  # one contribution per person and year
        Contribution.objects.create(
            person=c.person,
            year=2024,
            insurance_type=c.insurance_type,
            region_code=c.region_code,
            total_amount=c.total_amount,
            individual_amount=c.individual_amount,
            due_by=c.due_by,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # check constraint
        Contribution.objects.filter(pk=c.pk).update(individual_paid=Decimal("-1"))
    with pytest.raises(IntegrityError, match="violates the reference"), transaction.atomic():
        ContributionTransaction.objects.create(
            contribution_id=c.pk + 10_000,
            kind="payment",
            amount=Decimal("1.00"),
            occurred_on=dt.date(2024, 2, 1),
            source_key="dangling",
        )
    assert ContributionTransaction.objects.filter(contribution=c).exists()
    # below the ORM's PROTECT: the database refuses too
    with (
        pytest.raises(IntegrityError, match="still referenced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {CONTRIBUTION} WHERE id = %s", [c.pk])  # noqa: S608
    # the foreign key to the person is kept
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CONTRIBUTION} SET person_id = %s WHERE id = %s", [10**9, c.pk])  # noqa: S608
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # new ids keep coming from the table's sequence, above every copied id
    assert Person.objects.filter(pk=c.person_id).exists()


def test_settlement_writes_lines_and_audits_into_the_service_month_and_makes_the_next(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 1), D(2024, 5, 31)))
    run = settlement_run(month=D(2024, 5, 1), actor=staff("officer", roles.SETTLEMENT_OFFICER))
    assert {f"{LINE}_p2024_05", f"{LINE}_p2024_06", f"{AUDIT}_p2024_05", f"{AUDIT}_p2024_06"} <= set(
        existing_partitions(LINE)
    ) | set(existing_partitions(AUDIT))
    line = SettlementLine.objects.get(run=run, person__national_id=nid)
    assert partition_of(LINE, line.pk) == f"{LINE}_p2024_05"
    audits = RecordAudit.objects.filter(run=run)
    assert audits.count() == 31
    assert {partition_of(AUDIT, a.pk) for a in audits} == {f"{AUDIT}_p2024_05"}
    assert set(audits.values_list("service_month", flat=True)) == {D(2024, 5, 1)}
    audit = audits.first()
    assert audit.line == line and line.audits.count() == 31  # the relations work as before
    # one audit per run and record
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AUDIT} (run_id, record_id, line_id, codes, charged_amount, base_amount, "  # noqa: S608
            "rejected_amount, detail, service_month) SELECT run_id, record_id, line_id, codes, charged_amount, "
            f"base_amount, rejected_amount, detail, service_month FROM {AUDIT} WHERE id = %s",
            [audit.pk],
        )
    # the references onto lines and audits by id
    with pytest.raises(IntegrityError, match="violates the reference"), transaction.atomic():
        Appeal.objects.create(institution=line.institution, line_id=line.pk + 10_000, comment="x")
    with pytest.raises(IntegrityError, match="violates the reference"), transaction.atomic():
        Appeal.objects.create(
            institution=line.institution, line=line, audit_id=audit.pk + 10_000, comment="x"
        )
    Appeal.objects.create(institution=line.institution, line=line, audit=audit, comment="ok")
    assert SettlementRun.objects.get(pk=run.pk).line_count >= 1
    with (
        pytest.raises(IntegrityError, match="still referenced"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {LINE} WHERE id = %s", [line.pk])  # noqa: S608


def test_the_daily_task_makes_next_month_and_next_year(db):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    partitions_ahead()
    assert f"{LINE}_p{next_month:%Y_%m}" in existing_partitions(LINE)
    assert f"{AUDIT}_p{next_month:%Y_%m}" in existing_partitions(AUDIT)
    assert f"{RECORD}_p{next_month:%Y_%m}" in existing_partitions(RECORD)
    assert f"{CONTRIBUTION}_p{today.year + 1}" in existing_partitions(CONTRIBUTION)
    assert ensure_ahead(today) == []


def test_the_daily_task_analyzes_the_partitioned_tables(world):
    """Autovacuum never analyzes a partitioned table itself: the daily task does (statistics of the whole
    hierarchy, pg_statistic rows with stainherit)."""
    nid = new_id()
    world.persons([{"national_id": nid}])
    world.contributions([nid], years=(2024,))

    def inherited() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_statistic WHERE starelid = %s::regclass AND stainherit",
                [CONTRIBUTION],
            )
            return cursor.fetchone()[0]

    assert inherited() == 0
    assert partitions_ahead().endswith("; 4 partitioned tables analyzed")
    assert inherited() > 0


KEYS_DIFFER = f"""
SELECT count(*) FROM (SELECT id, service_date, source_key, institution_id, client_key FROM {RECORD}) r
FULL JOIN settlement_servicerecordkey k ON k.record_id = r.id
WHERE r.id IS NULL OR k.record_id IS NULL
   OR (r.service_date, r.source_key, r.institution_id, r.client_key)
      IS DISTINCT FROM (k.service_date, k.source_key, k.institution_id, k.client_key)
"""  # noqa: S608


def keys_differ() -> int:
    """Records without their key row, key rows without their record, or a key row that differs."""
    with connection.cursor() as cursor:
        cursor.execute(KEYS_DIFFER)
        return cursor.fetchone()[0]


def test_service_records_are_partitioned_by_month_and_their_keys_stay_unique_across_months(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2023, 4, 29), D(2023, 5, 2)))  # the file import makes its months
    assert {f"{RECORD}_p2023_04", f"{RECORD}_p2023_05"} <= set(existing_partitions(RECORD))
    stored = ServiceRecord.objects.filter(person__national_id=nid).order_by("service_date")
    assert [partition_of(RECORD, r.pk) for r in stored] == [f"{RECORD}_p2023_04"] * 2 + [
        f"{RECORD}_p2023_05"
    ] * 2
    first, last = stored[0], stored[3]
    assert ServiceRecordKey.objects.get(record=first).source_key == first.source_key
    # the same source key, or the same client key of the institution, in another month is refused
    for other in ({"source_key": first.source_key}, {"source_key": "x:1", "client_key": "c1"}):
        if "client_key" in other:
            ServiceRecord.objects.filter(pk=last.pk).update(client_key="c1")
        with pytest.raises(IntegrityError, match="record_(source|client)_key_once"), transaction.atomic():
            ServiceRecord.objects.create(
                institution=first.institution,
                person=first.person,
                kind=first.kind,
                service_date=D(2023, 6, 3),
                component="life",
                charged_amount=Decimal("60.00"),
                **other,
            )
    # every channel goes through records_store: a key already stored is unchanged, a new one stored once
    data = {
        f: getattr(first, f) for f in ("institution_id", "person_id", "kind", "component", "charged_amount")
    }
    assert records_store(
        records=[(first.source_key, {**data, "service_date": D(2023, 4, 29)})], origin="api"
    ) == (
        0,
        1,
    )
    assert records_store(records=[("api:t:2", {**data, "service_date": D(2019, 1, 7)})], origin="api") == (
        1,
        0,
    )
    assert (
        partition_of(RECORD, ServiceRecord.objects.get(key__source_key="api:t:2").pk) == f"{RECORD}_p2019_01"
    )
    # a record moved to another month takes its key along; a deleted record frees its key
    ServiceRecord.objects.filter(pk=first.pk).update(service_date=D(2023, 5, 20), source_key="moved")
    assert partition_of(RECORD, first.pk) == f"{RECORD}_p2023_05"
    assert ServiceRecordKey.objects.get(record=first).service_date == D(2023, 5, 20)
    assert keys_differ() == 0
    ServiceRecord.objects.filter(pk=last.pk).delete()
    assert not ServiceRecordKey.objects.filter(record_id=last.pk).exists()
    # a record of a month without partition waits in DEFAULT and moves, with its key kept, when it is made
    far = ServiceRecord.objects.create(**{**data, "service_date": D(2039, 3, 5), "source_key": "far"})
    assert partition_of(RECORD, far.pk) == f"{RECORD}_default"
    assert ensure_partitions(RECORD, D(2039, 3, 1)) == [f"{RECORD}_p2039_03"]
    assert partition_of(RECORD, far.pk) == f"{RECORD}_p2039_03"
    assert ServiceRecordKey.objects.get(source_key="far").record_id == far.pk
    assert keys_differ() == 0
    assert ServiceRecord.objects.count() == ServiceRecordKey.objects.count() > 0
