"""Two transactions wanting the same new partition at once (issue 20): two imports of a new month, each in its
own real database connection, each storing a record of that month. Neither fails nor deadlocks, the month has
exactly one partition, and both records are stored in it."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from enrollment.models import Person
from ltci.core.partitions import analyze, ensure_partitions, existing_partitions
from settlement.models import ServiceRecord, ServiceRecordKey
from settlement.services.records import records_store

from ..concurrency import InThread, wait_until_blocked
from ..institutions import helpers

RECORD = "settlement_servicerecord"
MONTH = dt.date(2041, 7, 1)  # far ahead: no partition of it exists
PARTITION = f"{RECORD}_p2041_07"


@pytest.fixture
def people():
    """An institution and two persons (committed: the threads' connections see them); the month's partition
    dropped afterwards (a flush does not drop tables)."""
    institution = helpers.institution(code="PART1")
    persons = [
        Person.objects.create(
            national_id=helpers.national_id(n), name=f"人{n}", birth_date=dt.date(1940, 1, 1)
        )
        for n in (1, 2)
    ]
    yield institution, persons
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PARTITION}")


def record(institution, person, key: str) -> tuple[str, dict]:
    return (
        key,
        {
            "institution_id": institution.pk,
            "person_id": person.pk,
            "kind": "bed_day",
            "service_date": MONTH.replace(day=person.pk % 28 + 1),
            "component": "life",
            "charged_amount": Decimal("60.00"),
        },
    )


def import_of_the_month(barrier: threading.Barrier, institution, person, key: str, *, order: str) -> str:
    """One import's transaction: a record of the new month stored (records_store makes the month's partition
    first), after ``order``: "partition" (nothing before), "row" (the record stored before the partition
    is asked for: it sits in the DEFAULT partition meanwhile), "other month" (a record of a month with its
    partition stored first, as an import of several months does)."""
    with transaction.atomic():
        if order == "row":
            ServiceRecord.objects.bulk_create(
                [ServiceRecord(source_key=key, **record(institution, person, key)[1])]
            )
            barrier.wait(30)
            ensure_partitions(RECORD, MONTH)
            return "stored"
        if order == "other month":
            may = record(institution, person, f"{key}:may")
            records_store(records=[(may[0], {**may[1], "service_date": dt.date(2024, 5, 2)})], origin="file")
        barrier.wait(30)
        records_store(records=[record(institution, person, key)], origin=ServiceRecord.Origin.FILE)
    return "stored"


@pytest.mark.parametrize("order", ["partition", "row", "other month"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_a_new_month_both_store_their_record_in_one_new_partition(people, order):
    institution, persons = people
    assert PARTITION not in existing_partitions(RECORD)
    barrier = threading.Barrier(2)
    imports = [
        InThread(
            import_of_the_month,
            barrier=barrier,
            institution=institution,
            person=p,
            key=f"race:{n}",
            order=order,
        )
        for n, p in enumerate(persons)
    ]
    for call in imports:
        call.join()
        assert call.error is None and call.result == "stored", call.error
    assert existing_partitions(RECORD).count(PARTITION) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT source_key FROM {PARTITION} ORDER BY 1")  # noqa: S608
        assert [r[0] for r in cursor.fetchall()] == ["race:0", "race:1"]
        cursor.execute(f"SELECT count(*) FROM {RECORD}_p2024_05 WHERE source_key LIKE 'race:%%'")  # noqa: S608
        assert cursor.fetchone()[0] == (2 if order == "other month" else 0)
        cursor.execute(f"SELECT count(*) FROM {RECORD}_default")  # noqa: S608
        assert cursor.fetchone()[0] == 0
    assert (
        ServiceRecordKey.objects.filter(source_key__startswith="race:").count()
        == ServiceRecord.objects.count()
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_analyze_waits_for_a_partition_being_made_instead_of_meeting_it_half_way(people):
    """ANALYZE of the records (the daily task, analyze_partitioned) while an import makes a new month's
    partition: the import holds the DEFAULT partition exclusively until it commits and needs the parent, ANALYZE
    would hold the parent and need the DEFAULT partition. ``analyze`` takes the table's partition lock first, so
    it waits for the import (an advisory lock, not a relation) and then runs; neither fails."""
    institution, persons = people
    made, proceed = threading.Event(), threading.Event()

    def import_holding_its_transaction() -> str:
        with transaction.atomic():
            records_store(
                records=[record(institution, persons[0], "race:a")], origin=ServiceRecord.Origin.FILE
            )
            made.set()
            assert proceed.wait(60)
        return "stored"

    importer = InThread(import_holding_its_transaction)
    assert made.wait(60)
    analyzer = InThread(lambda: analyze(RECORD) or "analyzed")
    assert wait_until_blocked(analyzer) == "advisory"
    proceed.set()
    for call, result in ((importer, "stored"), (analyzer, "analyzed")):
        call.join()
        assert call.error is None and call.result == result, call.error
    assert existing_partitions(RECORD).count(PARTITION) == 1
