"""The caregiver overlap of the settlement (SPEC 7.2 CAREGIVER) is set-based SQL (stage.stage_caregiver_overlaps);
the rule is settlement.rules.times_overlap. Both give the same answer on many generated months of visits: a
visit is caught when it shares a moment with an earlier visit (by start, then id) of the same caregiver.

Edges made to occur: visits touching end to start (no overlap), starting at the same moment, crossing
midnight, the same caregiver with different persons, duplicates and records without a caregiver, times or
not home visits (never caught, never catching)."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from ltci.core.sql import drop_tables, fetch, temp_table
from settlement import rules
from settlement.services import stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
# around midnight between May 1 and 2, in quarter hours: touching and shared starts are frequent
BASE = dt.datetime(2024, 5, 1, 22, 0, tzinfo=TZ)
COLUMNS = (
    "id bigint, person_id int, kind text, dup boolean, caregiver_national_id text, "
    "started_at timestamptz, ended_at timestamptz"
)


def generated_month(seed: int, cases: int) -> list[tuple]:
    """Visits of ``cases`` independent caregiver groups (a group's caregivers are its own), in random id
    order."""
    rnd = random.Random(seed)
    rows: list[tuple] = []
    ids = list(range(1, cases * 12))
    rnd.shuffle(ids)
    for case in range(cases):
        caregivers = [f"{case:04d}-{c}" for c in range(rnd.randint(1, 3))]
        for _ in range(rnd.randint(1, 8)):
            start = BASE + dt.timedelta(minutes=15 * rnd.randint(0, 16))
            end = start + dt.timedelta(minutes=15 * rnd.randint(1, 6))
            roll = rnd.random()
            rows.append(
                (
                    ids.pop(),
                    rnd.randint(1, 4),  # persons: one caregiver sees several
                    "bed_day" if roll < 0.05 else "home_visit",
                    0.05 <= roll < 0.1,  # a duplicate of another record
                    "" if 0.1 <= roll < 0.14 else rnd.choice(caregivers),
                    None if 0.14 <= roll < 0.17 else start,
                    None if 0.17 <= roll < 0.2 else end,
                )
            )
    return rows


def by_rule(rows: list[tuple]) -> set[int]:
    """The visits caught by rules.times_overlap against every earlier visit of their caregiver."""
    by_caregiver: dict[str, list[tuple]] = {}
    for r in rows:
        if r[2] == "home_visit" and not r[3] and r[4] and r[5] and r[6]:
            by_caregiver.setdefault(r[4], []).append(r)
    return {
        v[0]
        for visits in by_caregiver.values()
        for v in visits
        if any((u[5], u[0]) < (v[5], v[0]) and rules.times_overlap(u[5], u[6], v[5], v[6]) for u in visits)
    }


def by_sql(rows: list[tuple]) -> set[int]:
    temp_table("run_records", COLUMNS, rows)
    try:
        stage.stage_caregiver_overlaps()
        return {pk for (pk,) in fetch("SELECT id FROM run_caregiver_overlaps")}
    finally:
        drop_tables(["run_records", "run_caregiver_overlaps"])


def at(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2024, 5, day, hour, minute, tzinfo=TZ)


def test_the_edges_by_hand():
    rows = [
        # touching: 9:00-10:00 then 10:00-11:00, same caregiver and person: no overlap
        (1, 1, "home_visit", False, "A", at(9), at(10)),
        (2, 1, "home_visit", False, "A", at(10), at(11)),
        # across midnight, another person: 23:30-00:30 and 00:00-01:00 overlap; the later one is caught
        (3, 2, "home_visit", False, "B", at(23, 30), at(0, 30, day=2)),
        (4, 3, "home_visit", False, "B", at(0, 0, day=2), at(1, 0, day=2)),
        # the same start: the higher id is caught
        (6, 4, "home_visit", False, "C", at(8), at(9)),
        (5, 5, "home_visit", False, "C", at(8), at(8, 30)),
        # a long visit catches every later one it covers, even after a short one ended
        (7, 1, "home_visit", False, "D", at(12), at(16)),
        (8, 2, "home_visit", False, "D", at(12, 15), at(12, 45)),
        (9, 3, "home_visit", False, "D", at(15), at(15, 30)),
        # different caregivers never meet; a duplicate and a record without a caregiver are left out
        (10, 1, "home_visit", False, "E", at(14), at(15)),
        (11, 1, "home_visit", False, "F", at(14), at(15)),
        (12, 1, "home_visit", True, "E", at(14), at(15)),
        (13, 1, "home_visit", False, "", at(14), at(15)),
    ]
    assert by_rule(rows) == by_sql(rows) == {4, 6, 8, 9}


def test_the_sql_and_the_rule_agree_on_generated_months():
    for seed in range(5):
        rows = generated_month(seed, cases=300)
        expected = by_rule(rows)
        assert expected, "the generator makes overlaps"
        assert by_sql(rows) == expected, f"seed {seed}"
