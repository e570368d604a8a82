"""The monthly settlement fanned out to the Celery workers (SPEC 9, 12; issue 20), on ltci.core.fanout.

The month's persons are cut into chunks (person-id order), so that a person's records, eligibility, audit and
lines are all worked out in one chunk. Each chunk runs the run's own stages 1 to 3 (``stage``, ``audit``,
``price``: the very code of the in-process run, for its persons only) and keeps its staged lines, audited
records and prices in tables of its own; the final step, once every chunk is done, reads them back as the
run's temporary tables and stores the month's new version with the run's own ``write.write_run`` (in one
transaction, under the month's lock, as the in-process run does).

What one person's result depends on beyond that person is settled before the chunks are cut (``plan``):

- a caregiver's overlapping visits (SPEC 7.2 CAREGIVER) span persons: they are found over the whole month
  and each chunk is given those of its records;
- registered beds exceeded on an institution-day (BED, replayed in record order): the persons with bed-days
  on such a day are kept in one chunk;
- Jinjiang's yearly prevention budget is spent line by line in order: the persons with a prevention decision
  are kept in one chunk.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from benefits import payment
from benefits.models import BenefitDecision, ReliefGrant
from institutions.models import CareForm
from ltci.core.dates import month_end, parse_month
from ltci.core.fanout import fanout_start, stage_table, staged_union
from ltci.core.jobs import JobAlreadyRunning, job_start
from ltci.core.models import JobChunk, JobRun
from ltci.core.sql import create_temp_as, drop_tables, fetch

from . import audit, price, stage, write
from .months import SettlementError, refuse_final
from .price import LineResult
from .run import JOB, TEMP_TABLES, _run_settings, refuse_unended

CHUNK_PERSONS = 20_000
# the run's temporary tables a chunk keeps for the final step (stage name: table)
STAGED = {"audited": "run_audited", "priced": "run_priced_records", "lines": "run_lines"}


def settlement_fanout(
    *, month: dt.date, actor=None, job: JobRun | None = None, chunk_persons: int = CHUNK_PERSONS
) -> JobRun:
    """Fan the month's settlement out to the workers; refuse months not yet ended, approved/paid months and
    a second start (SettlementError). ``job``: the run queued by a staff page, which this run fills in."""
    from ..tasks import settlement_chunk

    refuse_unended(month)
    refuse_final(month)
    write.ensure_month_partitions(month)  # the month's and the next, before any worker writes
    chunks, total = plan(month, chunk_persons)
    run = job or job_start(JOB, f"{month:%Y-%m}", actor=actor)
    try:
        return fanout_start(run, chunks, task=settlement_chunk, total=total)
    except JobAlreadyRunning as exc:
        raise SettlementError(str(exc)) from None


def plan(month: dt.date, size: int) -> tuple[list[dict], int]:
    """The chunks of the month (persons and their caregiver overlaps, in person-id order) and its count of
    records."""
    drop_tables(TEMP_TABLES)
    try:
        scope = stage.stage_records(month)
        stage.stage_beds_and_caregivers(scope, min(month, scope.first_day or month), month_end(month))
        persons = {p for found in scope.persons.values() for p in found} | stage.allowance_person_ids(month)
        persons |= set(ReliefGrant.objects.filter(month=month).values_list("person_id", flat=True))
        overlaps = fetch(
            "SELECT o.id, r.person_id FROM run_caregiver_overlaps o JOIN run_records r ON r.id = o.id"
        )
        crowded = fetch(
            """SELECT DISTINCT c.institution_id, r.person_id FROM run_bed_capacity c
               JOIN run_records r ON r.institution_id = c.institution_id AND r.service_date = c.day
                    AND r.kind = 'bed_day'
               WHERE c.records > c.capacity"""
        )
    finally:
        drop_tables(TEMP_TABLES)
    prevention = set(
        BenefitDecision.objects.filter(care_form=CareForm.PREVENTION).values_list("person_id", flat=True)
    )
    groups = [sorted(prevention & persons)]
    by_institution: dict[int, list[int]] = defaultdict(list)
    for institution_id, person_id in crowded:
        by_institution[institution_id].append(person_id)
    groups += list(by_institution.values())
    chunks = [{"persons": persons_, "overlaps": []} for persons_ in cut(sorted(persons), groups, size)]
    chunk_of = {p: n for n, chunk in enumerate(chunks) for p in chunk["persons"]}
    for record_id, person_id in overlaps:
        chunks[chunk_of[person_id]]["overlaps"].append(record_id)
    return chunks, scope.count


def cut(persons: list[int], groups: list[list[int]], size: int) -> list[list[int]]:
    """Cut the persons (sorted) into chunks of about ``size`` in order, each group of persons kept whole in
    the chunk of its first person (groups sharing a person are one group)."""
    parent: dict[int, int] = {}

    def root(p: int) -> int:
        while parent.get(p, p) != p:
            p = parent[p]
        return p

    for group in groups:
        for p in group:
            parent.setdefault(p, p)
            parent[root(p)] = root(group[0])
    members: dict[int, list[int]] = defaultdict(list)
    for p in parent:
        members[root(p)].append(p)
    chunks: list[list[int]] = []
    current: list[int] = []
    for p in persons:
        if p in parent:
            group = members[root(p)]
            if min(group) != p:
                continue
            current.extend(sorted(group))
        else:
            current.append(p)
        if len(current) >= size:
            chunks.append(current)
            current = []
    if current or not chunks:
        chunks.append(current)
    return chunks


def chunk_compute(chunk: JobChunk) -> Callable[[], tuple[int, dict]]:
    """Stages 1 to 3 of the run for the chunk's persons; its ``store`` keeps the chunk's tables."""
    month = parse_month(chunk.run.period)
    persons, overlaps = chunk.params["persons"], chunk.params["overlaps"]
    drop_tables(TEMP_TABLES)
    with _run_settings():
        scope = stage.stage_records(month, persons)
        segments = stage.stage_eligibility(month, scope, persons)
        standards = stage.stage_institution_facts(month, scope, segments, overlaps)
        audit.audit_records(month, segments)
        price.price_lines(month, segments, standards)
        allowances = price.allowance_lines(month, segments, standards, persons)

    def store() -> tuple[int, dict]:
        try:
            rows = {
                name: stage_table(chunk.run_id, chunk.number, name, f"SELECT * FROM {table}")  # noqa: S608
                for name, table in STAGED.items()
            }
        finally:
            drop_tables(TEMP_TABLES)
        return scope.count, {"rows": rows, "allowances": [line_json(line) for line in allowances]}

    return store


def finish(run: JobRun) -> str:
    """Once every chunk is done: the chunks' tables as the run's temporary tables, written as the month's
    new version by the run's own write (``write.write_run``)."""
    month = parse_month(run.period)
    chunks = list(run.chunks.order_by("number"))
    drop_tables(TEMP_TABLES)
    for name, table in STAGED.items():
        found = create_temp_as(table, staged_union(run, name))
        if found != sum(chunk.result["rows"][name] for chunk in chunks):
            raise SettlementError(
                f"the chunks' results of {run.period} are incomplete (the database restarted?): start the month again"
            )
    allowances = sorted(
        (line_from_json(x) for chunk in chunks for x in chunk.result["allowances"]),
        key=lambda line: (line.person_id, line.care_form),
    )
    try:
        settlement = write.write_run(month, allowances, actor=run.started_by, job=run)
    finally:
        drop_tables(TEMP_TABLES)
    return f"{settlement.line_count} lines, fund {settlement.fund_total}; {len(chunks)} chunks"


def line_json(line: LineResult) -> dict:
    a = line.amounts
    return {
        "person_id": line.person_id,
        "care_form": line.care_form,
        "service_month": line.service_month.isoformat(),
        "is_late": line.is_late,
        "quantity": line.quantity,
        "amounts": [str(a.charged), str(a.fund), str(a.personal), str(a.rejected)],
        "codes": list(a.codes),
        "details": line.details,
    }


def line_from_json(x: dict) -> LineResult:
    charged, fund, personal, rejected = (Decimal(v) for v in x["amounts"])
    return LineResult(
        None,
        x["person_id"],
        x["care_form"],
        dt.date.fromisoformat(x["service_month"]),
        x["is_late"],
        quantity=x["quantity"],
        amounts=payment.Amounts(charged, fund, personal, rejected, tuple(x["codes"])),
        details=x["details"],
    )
