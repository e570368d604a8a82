"""The yearly contribution run (SPEC 3.3, 9, 11.5): set-based SQL, chunked by person id ranges.

Each chunk is one transaction of a few INSERT ... SELECT / UPDATE ... FROM statements that are idempotent
(unique constraints + ON CONFLICT), so a killed run loses at most one chunk and a rerun continues from the
last committed chunk. A session advisory lock refuses a second start for the same year.

Started from a page or by beat, the run is fanned out instead (``contribution_fanout``): each person-id range
is a Celery task any worker takes (ltci.core.fanout); the command line runs it in-process.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ltci.core.fanout import fanout_start
from ltci.core.jobs import job_finish, job_lock, job_progress, job_start, job_text, jobs_running
from ltci.core.models import JobRun, overlapping_sql
from ltci.core.money import fen
from ltci.core.partitions import analyze, ensure_partitions

from ..models import Contribution, ContributionTransaction, CoveragePeriod, FundIncome
from ..rules import PAYMENT_STATUS_SQL
from .arrears import recover_pending
from .booking import book_differences
from .collective import book_collective_subsidies
from .family import ACCOUNT_DEBITS_SQL
from .standards import YearPolicy, year_policy

JOB = "contribution_run"
CHUNK_SIZE = 50_000

# seed 004 五: a wage-base standard's part of a person = their wage base x rate to the fen, month-prorated to
# the fen in a partial year (rules.wage_amounts is the same rule); a person without a wage base for the year
# gets no contribution until one is imported (the next run creates it).
WAGE_PART = "round(round(wage * {rate}, 2) * months / 12.0, 2)"

# The contributions a person-id range is due for (SPEC 3.3): the standard of each person's first coverage
# overlapping the year, its parts, the subsidy category, the due day. Columns: person_id, insurance_type,
# region_code, ref (the first day covered), record_id, total, individual, pooled, fiscal, employer, sub (the
# subsidy category or ''), due_by. The coverage periods are bounded by the range too, so that each chunk reads
# its own persons only (the work of a chunk does not grow with the population).
CANDIDATES = f"""
std(insurance_type, covered_from, total, individual, pooled, fiscal, employer, record_id, category,
    priority, ind_rate, emp_rate, months) AS (
    SELECT * FROM unnest(%(types)s::varchar[], %(covered_from)s::date[], %(total)s::numeric[],
                         %(individual)s::numeric[], %(pooled)s::numeric[], %(fiscal)s::numeric[],
                         %(employer)s::numeric[], %(record)s::bigint[], %(category)s::varchar[],
                         %(priority)s::int[], %(ind_rate)s::numeric[], %(emp_rate)s::numeric[], %(months)s::int[])
), cand0 AS (
    SELECT DISTINCT ON (p.id) p.id AS person_id, c.insurance_type, p.region_code, p.categories, p.birth_date,
           greatest(c.start, s.covered_from) AS ref, s.total, s.individual, s.pooled, s.fiscal, s.employer,
           s.record_id, s.ind_rate, s.emp_rate, s.months, w.amount AS wage
    FROM enrollment_person p
    JOIN enrollment_coverageperiod c ON c.person_id = p.id
    JOIN std s ON s.insurance_type = c.insurance_type AND (s.category = '' OR s.category = ANY(p.categories))
    LEFT JOIN enrollment_wagebase w ON w.person_id = p.id AND w.year = %(year)s
    WHERE p.id >= %(lo)s AND p.id < %(hi)s AND c.person_id >= %(lo)s AND c.person_id < %(hi)s
      AND {overlapping_sql(CoveragePeriod, "c", "s.covered_from", "%(dec31)s")}
      AND (p.died_on IS NULL OR p.died_on >= s.covered_from)
      AND (s.ind_rate IS NULL OR w.id IS NOT NULL)
    ORDER BY p.id, c.start, s.priority
), cand AS (
    SELECT person_id, insurance_type, region_code, categories, birth_date, ref, pooled, fiscal, record_id,
           CASE WHEN ind_rate IS NULL THEN individual ELSE {WAGE_PART.format(rate="ind_rate")} END AS individual,
           CASE WHEN ind_rate IS NULL THEN employer ELSE {WAGE_PART.format(rate="emp_rate")} END AS employer,
           CASE WHEN ind_rate IS NULL THEN total
                ELSE {WAGE_PART.format(rate="ind_rate")} + {WAGE_PART.format(rate="emp_rate")} END AS total
    FROM cand0
), x AS (
    SELECT cand.*, COALESCE(
        (SELECT cat FROM unnest(cand.categories) cat WHERE cat = ANY(%(subsidised)s::varchar[])
         ORDER BY array_position(%(subsidised)s::varchar[], cat) LIMIT 1),
        CASE WHEN %(age_min)s::int IS NOT NULL AND cand.insurance_type = 'resident'
                  AND extract(year FROM age(cand.ref, cand.birth_date)) >= %(age_min)s::int
             THEN 'resident_age_' || %(age_min)s::int END, '') AS sub,
        CASE WHEN cand.ref > %(jan1)s
             THEN greatest(%(deadline)s::date, (date_trunc('month', cand.ref) + interval '1 month - 1 day')::date)
             ELSE %(deadline)s::date END AS due_by
    FROM cand
)"""  # noqa: S608 (constants of the code, no input)


def account_transfers(contributions: str, *, lock: bool) -> str:
    """The CTEs ``debits, bal0, bal, due0, bal_due, due`` of the account transfer rule (SPEC 3.3, issue 18):
    ``due`` has a row (person_id, year, amount, paid_on) per contribution of the range in ``contributions``
    (a relation with the columns person_id, year, insurance_type, subsidised, individual_amount,
    individual_paid, due_by) that an employee's personal account pays now: the amount still due, at most the
    balance known on the run's day; dated on the due day when the run is booked after it and the balance known
    on that day covered it (the person had the money in time), else on the run's day.

    The one definition of the rule, used twice: for the contributions a chunk inserts (``contributions`` the
    chunk's candidates, which only this transaction sees) and for the contributions already stored (a rerun,
    a balance imported later: the table, ``lock`` True, ``due`` then also has the contribution's id). The amount still due is read under a row lock there
    (FOR UPDATE): a payment committed while the statement waits for the row is seen (READ COMMITTED returns
    the locked row's current version), so the transfer takes only what is still due and the UPDATE adds it to
    that same paid amount. Rows are locked in (person, year) order, as the payment import and the arrears
    recovery lock them."""
    return f"""debits AS ({ACCOUNT_DEBITS_SQL}
), bal0 AS (
    SELECT DISTINCT ON (e.person_id) e.person_id, e.amount, e.occurred_on
    FROM enrollment_accountevent e
    WHERE e.person_id >= %(lo)s AND e.person_id < %(hi)s AND e.event = 'balance' AND e.occurred_on <= %(on)s
    ORDER BY e.person_id, e.occurred_on DESC, e.id DESC
), bal AS (
    SELECT b.person_id, b.amount - coalesce(sum(d.amount), 0) AS amount
    FROM bal0 b LEFT JOIN debits d ON d.holder = b.person_id AND d.occurred_on > b.occurred_on
    GROUP BY b.person_id, b.amount
), due0 AS (
    SELECT DISTINCT ON (c.person_id) c.person_id, e.amount, e.occurred_on
    FROM {contributions} c
    JOIN enrollment_accountevent e ON e.person_id = c.person_id AND e.event = 'balance' AND e.occurred_on <= c.due_by
    WHERE c.year = %(year)s AND c.person_id >= %(lo)s AND c.person_id < %(hi)s AND %(on)s::date > c.due_by
    ORDER BY c.person_id, e.occurred_on DESC, e.id DESC
), bal_due AS (
    SELECT b.person_id, b.amount - coalesce(sum(d.amount), 0) AS amount
    FROM due0 b LEFT JOIN debits d ON d.holder = b.person_id AND d.occurred_on > b.occurred_on
    GROUP BY b.person_id, b.amount
), due AS (
    SELECT {"c.id" if lock else "NULL::bigint"} AS id, c.person_id, c.year,
           least(c.individual_amount - c.individual_paid, bal.amount) AS amount,
           CASE WHEN %(on)s::date > c.due_by AND bd.amount >= least(c.individual_amount - c.individual_paid, bal.amount)
                THEN c.due_by ELSE %(on)s::date END AS paid_on
    FROM {contributions} c
    JOIN enrollment_person p ON p.id = c.person_id
    JOIN bal ON bal.person_id = c.person_id
    LEFT JOIN bal_due bd ON bd.person_id = c.person_id
    WHERE c.year = %(year)s AND c.person_id >= %(lo)s AND c.person_id < %(hi)s AND NOT c.subsidised
      AND c.insurance_type = 'employee' AND p.has_personal_account AND c.individual_paid < c.individual_amount
      AND bal.amount > 0
    ORDER BY c.person_id
    {"FOR UPDATE OF c" if lock else ""}
)"""  # noqa: S608 (constants of the code, no input)


# A chunk's candidates, kept for the chunk's transaction (a temporary table, analyzed: the statement below
# joins them with the balances on the right estimates).
CANDIDATE_TABLE = "run_candidates"
NEW_CANDIDATES = f"""
CREATE TEMPORARY TABLE {CANDIDATE_TABLE} ON COMMIT DROP AS
WITH {CANDIDATES}
SELECT x.person_id, %(year)s::int AS year, x.insurance_type, x.region_code, x.total, x.individual AS individual_amount,
       x.pooled, x.fiscal, x.employer, x.sub <> '' AS subsidised, x.sub, x.due_by, x.ref, x.record_id,
       CASE WHEN x.sub <> '' THEN x.individual ELSE 0 END AS individual_paid
FROM x
"""  # noqa: S608 (constants of the code, no input)

# A chunk's new contributions with their final values in one pass: each candidate row is inserted once, already
# carrying its subsidy (waived, paid by the fiscal subsidy), its account transfer (account_transfers over the
# candidates) and its status (PAYMENT_STATUS_SQL over its final paid amount), and its transactions are
# written from the inserted rows in the same statement (no second pass rewriting the rows just written).
# Rows that already exist (a rerun) are left alone here: TRANSFER and STATUS below bring them up to date.
INSERT_CONTRIBUTIONS = f"""
WITH {account_transfers(CANDIDATE_TABLE, lock=False)}, final AS (
    SELECT n.person_id, n.year, n.insurance_type, n.region_code, n.total, n.individual_amount, n.pooled,
           n.fiscal, n.employer, n.subsidised, n.sub, n.due_by, n.ref, n.record_id,
           n.individual_paid + coalesce(t.amount, 0) AS individual_paid, t.amount AS transfer, t.paid_on
    FROM {CANDIDATE_TABLE} n LEFT JOIN due t ON t.person_id = n.person_id
), stored AS (
    INSERT INTO enrollment_contribution (person_id, year, insurance_type, region_code, total_amount,
        individual_amount, pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category,
        individual_paid, status, due_by, fully_paid_on, booked_on, policy_record_id, created_at)
    SELECT person_id, year, insurance_type, region_code, total, individual_amount, pooled, fiscal, employer,
           subsidised, sub, individual_paid,
           CASE WHEN subsidised THEN 'waived' ELSE {PAYMENT_STATUS_SQL} END,
           due_by,
           CASE WHEN subsidised THEN ref WHEN transfer IS NOT NULL AND individual_paid >= individual_amount
                THEN paid_on END,
           %(on)s::date, record_id, now()
    FROM final
    ORDER BY person_id
    ON CONFLICT (person_id, year) DO NOTHING
    RETURNING id, person_id, year, individual_amount, subsidised
)
INSERT INTO enrollment_contributiontransaction (contribution_id, kind, amount, occurred_on, channel, source_key,
                                                created_at)
SELECT s.id, 'fiscal_subsidy', s.individual_amount, %(on)s, 'fiscal', 'run:' || s.year || ':subsidy:' || s.id, now()
FROM stored s WHERE s.subsidised AND s.individual_amount > 0
UNION ALL
SELECT s.id, 'account_transfer', f.transfer, f.paid_on, 'personal_account', 'run:' || s.year || ':transfer:' || s.id,
       now()
FROM stored s JOIN final f ON f.person_id = s.person_id WHERE f.transfer IS NOT NULL
ON CONFLICT (source_key) DO NOTHING
"""  # noqa: S608 (constants of the code, no input)

# The fiscal subsidy of a stored subsidised contribution that has none yet (a run interrupted before this
# statement in an earlier version; idempotent by its source key).
INSERT_SUBSIDIES = """
INSERT INTO enrollment_contributiontransaction (contribution_id, kind, amount, occurred_on, channel, source_key,
                                                created_at)
SELECT id, 'fiscal_subsidy', individual_amount, %(on)s, 'fiscal', 'run:' || year || ':subsidy:' || id, now()
FROM enrollment_contribution
WHERE year = %(year)s AND person_id >= %(lo)s AND person_id < %(hi)s AND subsidised AND individual_amount > 0
ON CONFLICT (source_key) DO NOTHING
"""

# The account transfers of contributions stored before this chunk's transaction (a rerun after a balance
# was imported; the catch-up run of issue 18): account_transfers over the table, the rows locked.
# The status follows from the new paid amount (PAYMENT_STATUS_SQL over the updated row's values).
TRANSFER = f"""
WITH {account_transfers("enrollment_contribution", lock=True)}, ins AS (
    INSERT INTO enrollment_contributiontransaction (contribution_id, kind, amount, occurred_on, channel,
                                                    source_key, created_at)
    SELECT id, 'account_transfer', amount, paid_on, 'personal_account', 'run:' || year || ':transfer:' || id, now()
    FROM due
    ON CONFLICT (source_key) DO NOTHING
    RETURNING contribution_id, amount, occurred_on
)
UPDATE enrollment_contribution c
SET individual_paid = c.individual_paid + ins.amount, booked_on = coalesce(c.booked_on, %(on)s::date),
    fully_paid_on = CASE WHEN c.individual_paid + ins.amount >= c.individual_amount THEN ins.occurred_on
                         ELSE c.fully_paid_on END
FROM ins WHERE c.id = ins.contribution_id AND c.year = %(year)s
"""  # noqa: S608 (constants of the code, no input)

# Every stored row of the range whose status the rule now gives otherwise (a transfer above, a payment, a
# catch-up run past the due day); the rows inserted by this chunk already carry theirs.
STATUS = f"""
UPDATE enrollment_contribution SET status = {PAYMENT_STATUS_SQL}
WHERE year = %(year)s AND person_id >= %(lo)s AND person_id < %(hi)s AND status <> 'waived'
  AND status <> {PAYMENT_STATUS_SQL}
"""  # noqa: S608 (constants of the code, no input)


def sql_params(policy: YearPolicy, *, on: dt.date) -> dict:
    """The policy of a year as SQL parameters (shared with the benchmark baseline)."""
    types = policy.all_standards()
    y = policy.year
    month, day = (int(x) for x in policy.deadline.split("-"))
    return {
        "year": y,
        "jan1": dt.date(y, 1, 1),
        "dec31": dt.date(y, 12, 31),
        "on": on,
        "deadline": dt.date(y, month, day),
        "types": [t.insurance_type for t in types],
        "covered_from": [t.covered_from for t in types],
        "total": [t.amounts.total for t in types],
        "individual": [t.amounts.individual for t in types],
        "pooled": [t.amounts.pooled_fund for t in types],
        "fiscal": [t.amounts.fiscal for t in types],
        "employer": [t.amounts.employer for t in types],
        "record": [t.record_id for t in types],
        "category": [t.category for t in types],
        "ind_rate": [t.amounts.rates[0] if t.amounts.rates else None for t in types],
        "emp_rate": [t.amounts.rates[1] if t.amounts.rates else None for t in types],
        "months": [t.amounts.months for t in types],
        "priority": list(range(len(types))),
        "subsidised": policy.subsidised,
        "age_min": policy.resident_age_min,
    }


# Whether the range already holds contributions of the year (a rerun, a resumed or catch-up run): only then can
# INSERT_SUBSIDIES, TRANSFER and STATUS find anything to do, as the rows INSERT_CONTRIBUTIONS writes already
# carry their subsidy, transfer and status.
STORED = """
SELECT EXISTS (SELECT 1 FROM enrollment_contribution
               WHERE year = %(year)s AND person_id >= %(lo)s AND person_id < %(hi)s)
"""


def run_chunk(params: dict, lo: int, hi: int) -> None:
    chunk = {**params, "lo": lo, "hi": hi}
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling costs these statements more than it saves (their plans exceed jit_above_cost at a
        # large population but run in well under a second); the sorts and hashes of a chunk of 50,000 fit in
        # memory with some room
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(
            f"DROP TABLE IF EXISTS {CANDIDATE_TABLE}"
        )  # one of a chunk before in an outer transaction
        cursor.execute(STORED, chunk)
        stored = cursor.fetchone()[0]
        cursor.execute(NEW_CANDIDATES, chunk)
        cursor.execute(f"ANALYZE {CANDIDATE_TABLE} (person_id, subsidised, insurance_type, due_by)")
        for sql in (
            (INSERT_CONTRIBUTIONS, INSERT_SUBSIDIES, TRANSFER, STATUS) if stored else (INSERT_CONTRIBUTIONS,)
        ):
            cursor.execute(sql, chunk)
        cursor.execute(f"DROP TABLE {CANDIDATE_TABLE}")


def refresh_statistics(number: int) -> None:
    """Before the chunk ``number`` (1, 2, ...) of a run: when the chunks before it are 1, 2, 4, 8, ..., analyze
    the tables the run grows. The first run of a year starts on an empty partition and writes millions of rows
    within minutes, faster than autovacuum re-analyzes; plans made on the statistics of an empty table join
    the whole table in every chunk (docs/benchmarks.md, scaling at 5M). Powers of two: a run of N chunks
    analyzes about log2(N) times. Outside the chunk's transaction (ANALYZE's lock is held to the commit)."""
    if number < 2 or (number - 1) & (number - 2):
        return
    analyze(Contribution._meta.db_table, ContributionTransaction._meta.db_table)


def contribution_run_year(
    *,
    year: int,
    on: dt.date | None = None,
    actor=None,
    chunk_size: int = CHUNK_SIZE,
    job: JobRun | None = None,
) -> JobRun:
    """Create the year's contributions, subsidies and account transfers, then book fund income.

    Raise PolicyError (naming the standard) before writing anything when the policy is incomplete,
    JobAlreadyRunning when a run for the year holds the lock. ``job``: the run queued by a staff page
    (``job_queue``), which this run fills in.
    """
    on = on or timezone.localdate()
    policy = year_policy(year)
    params = sql_params(policy, on=on)
    # this and next year's partitions, before writing (ltci.core.partitions)
    ensure_partitions(Contribution._meta.db_table, year + 1, since=year)
    with job_lock(JOB, str(year)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id), count(*) FROM enrollment_person")
            lo_id, hi_id, total = cursor.fetchone()
        resume_from = _resume_point(year, queued=job)
        progress = {"on": on.isoformat(), "next_id": resume_from}
        if job is None:
            run = job_start(JOB, str(year), total=total or 0, params=progress, actor=actor)
        else:
            run = job
            run.params = {**run.params, **progress}
            run.total = total or 0
            run.message = ""
            run.save(update_fields=["params", "total", "message"])
        try:
            done = 0
            if lo_id is not None:
                start = max(lo_id, resume_from or lo_id)
                if resume_from:
                    done = _count_below(start)
                for number, lo in enumerate(range(start, hi_id + 1, chunk_size), start=1):
                    hi = lo + chunk_size
                    refresh_statistics(number)
                    run_chunk(params, lo, hi)
                    done += _count_range(lo, hi)
                    JobRun.objects.filter(pk=run.pk).update(params={**run.params, "next_id": hi})
                    job_progress(run, done=done)
            recover_pending(year=year)  # credits imported before this year's contributions existed
            booked = book_fund_income(policy, on=on)
            job_finish(
                run,
                message=job_text(
                    gettext_noop("已处理 %(persons)s 人，记入基金收入 %(lines)s 笔"),
                    persons=f"{done:,}",
                    lines=f"{booked:,}",
                ),
            )
        except Exception as exc:
            job_finish(run, state=JobRun.State.FAILED, message=str(exc)[:2000])
            raise
    run.refresh_from_db()
    return run


def contribution_fanout(
    *,
    year: int,
    on: dt.date | None = None,
    actor=None,
    chunk_size: int = CHUNK_SIZE,
    job: JobRun | None = None,
) -> JobRun:
    """The yearly run fanned out to the Celery workers (ltci.core.fanout): one chunk per person-id range,
    each one task (``contribution_chunk``); the last chunk done books the fund income and finishes the run.
    Raise PolicyError before anything is claimed, JobAlreadyRunning when a run of the year runs."""
    from ..tasks import contribution_chunk

    on = on or timezone.localdate()
    year_policy(year)  # an incomplete policy is refused here, naming the standard
    ensure_partitions(Contribution._meta.db_table, year + 1, since=year)  # the year's and the next, ahead
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM enrollment_person")
        lo_id, hi_id, total = cursor.fetchone()
    ranges = (
        [{"lo": lo, "hi": lo + chunk_size} for lo in range(lo_id, hi_id + 1, chunk_size)] if total else []
    )
    run = job or job_start(JOB, str(year), actor=actor)
    return fanout_start(
        run,
        ranges or [{"lo": 0, "hi": 0}],
        task=contribution_chunk,
        total=total,
        params={"on": on.isoformat()},
    )


def contribution_chunk_compute(chunk) -> Callable[[], tuple[int, dict]]:
    """A chunk of a fanned-out run: its person-id range in one transaction (run_chunk), counted."""
    year, lo, hi = int(chunk.run.period), chunk.params["lo"], chunk.params["hi"]
    params = sql_params(year_policy(year), on=dt.date.fromisoformat(chunk.run.params["on"]))

    refresh_statistics(chunk.number + 1)  # numbered from 0; before the chunk's transaction (chunk_run)

    def store() -> tuple[int, dict]:
        run_chunk(params, lo, hi)
        return _count_range(lo, hi), {}

    return store


def contribution_fanout_finish(run: JobRun) -> str:
    """The final step of a fanned-out run, once every chunk is done: credits waiting for the year's
    contributions, then the fund income."""
    year = int(run.period)
    recover_pending(year=year)
    booked = book_fund_income(year_policy(year), on=dt.date.fromisoformat(run.params["on"]))
    return (
        f"{run.total} persons processed in {run.params['fanout']} chunks, {booked} fund income lines booked"
    )


def _resume_point(year: int, *, queued: JobRun | None = None) -> int | None:
    """The next person id of an interrupted run of the year (killed while running), else None; ``queued``,
    the run about to start, is not one of them."""
    stale = jobs_running(JOB, str(year), besides=queued).order_by("-started_at")
    run = stale.first()
    next_id = (run.params or {}).get("next_id") if run else None
    stale.update(
        state=JobRun.State.FAILED,
        message=gettext_noop("已中断，由之后的一次运行接续完成"),
        finished_at=timezone.now(),
    )
    return next_id


def _count_range(lo: int, hi: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrollment_person WHERE id >= %s AND id < %s", [lo, hi])
        return cursor.fetchone()[0]


def _count_below(hi: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enrollment_person WHERE id < %s", [hi])
        return cursor.fetchone()[0]


# A wage-base standard's employer parts (seed 004) say what employers owe; the fund's employer income of those
# is what they paid (EMPLOYER_PAID, from import_employer_payments), not the sum of heads.
AGGREGATE = """
SELECT region_code,
       count(*) FILTER (WHERE pooled_fund_amount > 0), sum(pooled_fund_amount),
       count(*) FILTER (WHERE fiscal_amount > 0), sum(fiscal_amount),
       count(*) FILTER (WHERE employer_amount > 0 AND coalesce(policy_record_id, 0) <> ALL(%(wage)s::bigint[])),
       coalesce(sum(employer_amount)
                FILTER (WHERE coalesce(policy_record_id, 0) <> ALL(%(wage)s::bigint[])), 0),
       count(*) FILTER (WHERE subsidised AND individual_amount > 0),
       coalesce(sum(individual_amount) FILTER (WHERE subsidised), 0)
FROM enrollment_contribution WHERE year = %(year)s GROUP BY region_code ORDER BY region_code
"""
EMPLOYER_PAID = """
SELECT region_code, count(DISTINCT employer_code), sum(amount)
FROM enrollment_employerpayment WHERE year = %(year)s GROUP BY region_code
"""


def fund_income_targets(policy: YearPolicy) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """What the year's contributions say the fund should have received, per (source, region). Collective
    subsidies are not fund income (SPEC 3.2): the individual parts the collective pays are."""
    S = FundIncome.Source
    targets: dict[tuple[str, str], tuple[int, Decimal]] = {}
    wage = [t.record_id for t in policy.all_standards() if t.amounts.rates is not None]
    with connection.cursor() as cursor:
        cursor.execute(AGGREGATE, {"year": policy.year, "wage": wage})
        rows = cursor.fetchall()
        cursor.execute(EMPLOYER_PAID, {"year": policy.year})
        paid = {region: (n, amount) for region, n, amount in cursor.fetchall()}
    for region, n_pool, pool, n_fisc, fisc, n_emp, emp, n_sub, sub in rows:
        if n_pool:
            targets[(S.POOLED_FUND, region)] = (n_pool, pool)
        if n_fisc:
            if region in policy.fiscal_split:
                city = fen(fisc * policy.fiscal_split[region][0])
                targets[(S.FISCAL_CITY, region)] = (n_fisc, city)
                targets[(S.FISCAL_DISTRICT, region)] = (n_fisc, fisc - city)
            else:
                targets[(S.FISCAL, region)] = (n_fisc, fisc)
        if n_emp:
            targets[(S.EMPLOYER, region)] = (n_emp, emp)
        if n_sub:
            targets[(S.FISCAL_SUBSIDY, region)] = (n_sub, sub)
    for region, (n, amount) in paid.items():
        heads, before = targets.get((S.EMPLOYER, region), (0, Decimal("0.00")))
        targets[(S.EMPLOYER, region)] = (heads + n, before + amount)
    return targets


@transaction.atomic
def book_fund_income(policy: YearPolicy, *, on: dt.date) -> int:
    """Book the difference between the targets and what earlier runs booked (append-only, idempotent), and
    the collective subsidies (not fund income, services.collective)."""
    lines = book_differences(
        FundIncome,
        year=policy.year,
        fields=("source", "region_code"),
        targets=fund_income_targets(policy),
        on=on,
    )
    return lines + book_collective_subsidies(policy, on=on)


def contribution_mark_arrears(*, on: dt.date | None = None) -> int:
    """Daily (SPEC 9): contributions still short after their due_by become arrears. Return the count."""
    on = on or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE enrollment_contribution SET status = 'arrears'
                WHERE status IN ('due', 'partly_paid') AND {PAYMENT_STATUS_SQL} = 'arrears'
                RETURNING id, person_id, year, individual_amount - individual_paid, due_by""",  # noqa: S608
            {"on": on},
        )
        marked = cursor.fetchall()
        arrears_notify(marked, on=on)
        return len(marked)


def waiting_ended_notify(*, on: dt.date | None = None) -> int:
    """Daily: tell the persons whose waiting period ended yesterday that benefits are payable from today
    (issue 19), once per waiting period. Return the count."""
    from ltci.core.notify import Event, notify_many

    from ..selectors import person_recipients, waiting_ended_on

    on = on or timezone.localdate()
    ids = waiting_ended_on(on)
    recipients = person_recipients(ids)
    with transaction.atomic():
        notify_many(
            event=Event.WAITING_ENDED,
            items=[(f"payable:{on.isoformat()}", recipients[pk], {"payable_from": on}) for pk in ids],
            on=on,
        )
    return len(ids)


def arrears_notify(marked, *, on: dt.date) -> None:
    """Tell each person of a contribution that became arrears (issue 19), once per contribution."""
    from ltci.core.notify import Event, notify_many

    from ..selectors import person_recipients

    for at in range(0, len(marked), 5000):
        chunk = marked[at : at + 5000]
        recipients = person_recipients({row[1] for row in chunk})
        notify_many(
            event=Event.ARREARS,
            items=[
                (f"contribution:{pk}", recipients[person_id], {"year": year, "owed": owed, "due_by": due_by})
                for pk, person_id, year, owed, due_by in chunk
            ],
            on=on,
        )
