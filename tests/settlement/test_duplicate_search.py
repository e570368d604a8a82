"""The run's duplicate search (stage.DUPLICATES_SQL, SPEC 7.2 DUPLICATE) narrows the records by person, date
and start before grouping by the whole key: it marks exactly the records that share institution, person,
kind, date, component and start with an earlier record (smaller id), as the whole key says."""

import datetime as dt
import random

import pytest

from ltci.core.sql import execute, fetch, temp_table
from settlement.services import stage

pytestmark = pytest.mark.django_db

COLUMNS = "id bigint, institution_id int, person_id int, kind text, service_date date, component text, " + (
    "started_at timestamptz, dup bool"
)


def expected(rows) -> set[int]:
    first: dict[tuple, int] = {}
    for pk, institution, person, kind, day, component, started, _dup in sorted(rows):
        first.setdefault((institution, person, kind, day, component, started), pk)
    return {row[0] for row in rows} - set(first.values())


def test_duplicates_are_the_records_sharing_the_whole_key_with_an_earlier_one():
    rng = random.Random(20)
    day = dt.date(2024, 5, 1)
    start = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    rows = []
    for pk in rng.sample(range(1, 10_000), 400):
        kind, component = rng.choice(
            [("bed_day", "life"), ("bed_day", "medical"), ("home_visit", ""), ("device", "")]
        )
        rows.append(
            (
                pk,
                rng.choice([1, 2]),  # same person, date and start at another institution: not a duplicate
                rng.randint(1, 4),
                kind,
                day + dt.timedelta(days=rng.randint(0, 2)),
                component,
                start + dt.timedelta(hours=rng.randint(0, 1)) if kind == "home_visit" else None,
                False,
            )
        )
    temp_table("run_records", COLUMNS, rows)
    try:
        execute(stage.DUPLICATES_SQL)
        found = {pk for (pk,) in fetch("SELECT id FROM run_records WHERE dup")}
    finally:
        execute("DROP TABLE run_records")
    assert found == expected(rows)
    assert found and len(found) < len(rows)
