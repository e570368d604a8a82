"""The monthly run's staging (SPEC 7.2): the month's records and the facts they are audited against, in
temporary tables of the run's database session, so that the audit is set-based SQL (``audit.py``).

Only the facts are prepared here, each from the module that owns its rule: eligibility segments from
``benefits.eligibility``, agreement days from ``institutions.selectors``, form matching and coverage from
``settlement.rules``, payment standards from ``benefits.payment``. Nothing is written to the settlement
tables; ``run.py`` swaps the result in atomically.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from benefits import payment
from benefits.models import BenefitDecision
from institutions.models import CareForm
from ltci.core.dates import month_end
from ltci.core.money import ZERO
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered, policy_in_force

from .. import rules

TEMP_TABLES = (
    "st_rec",
    "st_seg",
    "st_formmap",
    "st_agr",
    "st_emp",
    "st_adm",
    "st_overlap",
    "st_cap",
    "st_std",
    "st_a",
    "st_fix",
    "st_priced",
    "st_lprice",
    "st_f",
    "st_line",
)
RECORD_KINDS = ("bed_day", "home_visit", "device")

RECORD_COLUMNS = """r.id, r.institution_id, r.person_id, r.kind, r.service_date, r.component, r.charged_amount,
       r.caregiver_national_id, r.started_at, r.ended_at, r.excluded_code,
       date_trunc('month', r.service_date)::date AS service_month,
       date_trunc('month', r.service_date)::date <> %(start)s AS late, false AS dup"""
# The month's records, less any a later month's latest run took (the month re-run after a later one).
RECORD_SQL = f"""
SELECT {RECORD_COLUMNS} FROM settlement_servicerecord r
WHERE r.confirmed AND r.service_date BETWEEN %(start)s AND %(end)s
"""  # noqa: S608 (constants of the code, no input)
NOT_LATER_SQL = """AND NOT EXISTS (SELECT 1 FROM settlement_recordaudit a WHERE a.run_id = ANY(%(later_runs)s::bigint[])
                  AND a.record_id = r.id)"""
# Late records (SPEC 7.1): of an earlier month that has been run, received (or confirmed) after the runs that
# could have taken them, and not settled by another month's latest run. A record received more than a day
# before the last run of its month or a later month (other than this one) was in that run's scope, so only
# the recent arrivals are read (index on received_at), and NOT EXISTS keeps the answer exact.
LATE_SQL = f"""
SELECT {RECORD_COLUMNS} FROM settlement_servicerecord r
JOIN unnest(%(late_months)s::date[], %(late_since)s::timestamptz[]) AS m(month, since)
  ON date_trunc('month', r.service_date)::date = m.month AND r.received_at > m.since
WHERE r.confirmed AND r.received_at > %(since)s AND r.service_date < %(start)s
  AND NOT EXISTS (SELECT 1 FROM settlement_recordaudit a WHERE a.run_id = ANY(%(other_runs)s::bigint[])
                  AND a.record_id = r.id)
"""  # noqa: S608 (constants of the code, no input)
LATE_MARGIN = dt.timedelta(days=1)  # longer than any transaction that stores records


# The same institution, person, kind, date, component and start as an earlier record (SPEC 7.2 DUPLICATE):
# the groups of such records by a hash aggregate (there are few), every record but the group's first.
DUPLICATES_SQL = """
UPDATE st_rec r SET dup = true
FROM (SELECT institution_id, person_id, kind, service_date, component,
             coalesce(started_at, '-infinity') AS started_at, min(id) AS first_id
      FROM st_rec GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1) k
WHERE r.institution_id = k.institution_id AND r.person_id = k.person_id AND r.kind = k.kind
  AND r.service_date = k.service_date AND r.component = k.component
  AND coalesce(r.started_at, '-infinity') = k.started_at AND r.id <> k.first_id
"""


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_rows(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def temp_table(name: str, columns: str, rows=None) -> None:
    """(Re)create a temporary table of the session, fill it by COPY and ANALYZE it for the planner."""
    execute(f"DROP TABLE IF EXISTS {name}")
    execute(f"CREATE TEMP TABLE {name} ({columns})")
    if rows is not None:
        names = [c.strip().split()[0] for c in columns.split(",")]
        copy_rows(name, names, rows)
    execute(f"ANALYZE {name}")


def drop_temp_tables() -> None:
    execute("DROP TABLE IF EXISTS " + ", ".join(TEMP_TABLES))


class Standards:
    """Memoised payment standards per key and day (a few dozen policy lookups per run)."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, care_form, benefit_class, component, day) -> payment.Standard:
        key = (care_form, benefit_class, component, day)
        if key not in self._cache:
            self._cache[key] = payment.standards_for(care_form, benefit_class or "none", component, on=day)
        return self._cache[key]

    def bonus(self, day):
        key = ("bonus", day)
        if key not in self._cache:
            self._cache[key] = payment.ratio_bonus(on=day)
        return self._cache[key]


def allowance_person_ids(month: dt.date) -> set[int]:
    return set(
        BenefitDecision.objects.filter(care_form__in=rules.ALLOWANCE_FORMS, starts_on__lte=month_end(month))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
        .values_list("person_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------------------
# Records and eligibility


class Scope:
    """What the staged records span, from one aggregate pass over them: persons per service month,
    institutions, days, bed-day records per institution and day, bed-day components."""

    SQL = """SELECT GROUPING(service_month, institution_id, component), service_month, person_id, institution_id,
                    service_date, kind, component, count(*)
             FROM st_rec GROUP BY GROUPING SETS ((service_month, person_id), (institution_id, service_date, kind),
                                                 (kind, component))"""

    def __init__(self, count: int):
        self.count = count
        self.persons: dict[dt.date, set[int]] = defaultdict(set)
        self.institutions: set[int] = set()
        self.days: set[dt.date] = set()
        self.bed_days: dict[tuple[int, dt.date], int] = {}
        self.bed_components: set[str] = set()
        if not count:
            return
        for grouping, first, person_id, institution_id, day, kind, component, n in fetch(self.SQL):
            if grouping == 0b011:
                self.persons[first].add(person_id)
            elif grouping == 0b101:
                self.institutions.add(institution_id)
                self.days.add(day)
                if kind == "bed_day":
                    self.bed_days[(institution_id, day)] = n
            elif kind == "bed_day":
                self.bed_components.add(component)

    @property
    def first_day(self) -> dt.date | None:
        return min(self.days) if self.days else None


def stage_records(month: dt.date) -> Scope:
    """The month's records plus late ones of earlier months not yet settled."""
    from ..selectors import latest_runs

    latest = latest_runs()
    others = {m: run for m, run in latest.items() if m != month}
    late_months = sorted(m for m in others if m < month)
    late_since = [
        max(run.started_at for m, run in others.items() if m >= first) - LATE_MARGIN for first in late_months
    ]
    params = {
        "start": month,
        "end": month_end(month),
        "later_runs": [r.pk for m, r in others.items() if m > month],
        "late_months": late_months,
        "late_since": late_since,
        "since": min(late_since, default=None),
        "other_runs": [r.pk for r in others.values()],
    }
    execute("DROP TABLE IF EXISTS st_rec")
    execute(
        "CREATE TEMP TABLE st_rec AS "
        + RECORD_SQL
        + (NOT_LATER_SQL if params["later_runs"] else "")
        + (" UNION ALL " + LATE_SQL if late_months else ""),
        params,
    )
    execute(DUPLICATES_SQL)
    execute("ANALYZE st_rec")
    return Scope(fetch("SELECT count(*) FROM st_rec")[0][0])


class Segments:
    """Eligibility segments (SPEC 5.1) per service month and person, and the categories keys."""

    def __init__(self, by_month: dict[dt.date, dict[int, list]]):
        self.by_month = by_month
        self.category_keys: dict[tuple, int] = {}

    def of(self, first: dt.date, person_id: int) -> list:
        return self.by_month.get(first, {}).get(person_id, [])

    def category_key(self, categories: tuple) -> int:
        return self.category_keys.setdefault(categories, len(self.category_keys))

    def eligible_days(self, person_id: int, form: str, institution_id: int | None, first: dt.date) -> dict:
        """Days of the month eligible for the form with the institution, per benefit class."""
        by_class: dict[str | None, int] = defaultdict(int)
        for a, b, v in self.of(first, person_id):
            if v.eligible and v.care_form == form and v.institution_id in (None, institution_id):
                by_class[v.benefit_class] += (b - a).days + 1
        return by_class

    def allowance_days(self, month: dt.date) -> dict[tuple[int, dt.date], str]:
        """(person, day) -> the allowance form paid that day, for the run's own month."""
        days = {}
        for person_id, segments in self.by_month.get(month, {}).items():
            for a, b, v in segments:
                if v.eligible and v.care_form in rules.ALLOWANCE_FORMS:
                    for n in range((b - a).days + 1):
                        days[(person_id, a + dt.timedelta(days=n))] = v.care_form
        return days


def stage_segments(month: dt.date, scope: Scope, extra_persons: set[int]) -> Segments:
    """Eligibility segments of every person with records in a service month (plus the allowance
    persons in the run's month), staged as st_seg."""
    from benefits.eligibility import month_segments

    by_month = {first: set(persons) for first, persons in scope.persons.items()}
    by_month[month] = by_month.get(month, set()) | extra_persons
    segments = Segments(
        {
            first: month_segments(person_ids=persons, start=first, end=month_end(first))
            for first, persons in by_month.items()
        }
    )
    rows = []
    for person_segments in segments.by_month.values():
        for person_id, items in person_segments.items():
            for a, b, v in items:
                rows.append(
                    (
                        person_id,
                        a,
                        b,
                        v.eligible,
                        v.reason_code,
                        v.detail,
                        v.benefit_class,
                        v.care_form or "",
                        v.institution_id,
                        v.died_on,
                        segments.category_key(v.categories),
                    )
                )
    temp_table(
        "st_seg",
        "person_id int, d_from date, d_to date, eligible bool, reason_code text, detail text, "
        "benefit_class text, care_form text, institution_id int, died_on date, cat int",
        rows,
    )
    return segments


# ---------------------------------------------------------------------------------------------------------
# Institution facts


def stage_forms() -> None:
    """Which care forms a record kind serves and the form its line is filed under (settlement.rules)."""
    forms = ["", *CareForm.values]
    temp_table(
        "st_formmap",
        "kind text, care_form text, matches bool, form text",
        [
            (
                kind,
                form,
                rules.record_matches_form(kind, form or None),
                rules.default_form(kind, form or None),
            )
            for kind in RECORD_KINDS
            for form in forms
        ],
    )


def stage_institution_facts(scope: Scope, start: dt.date, end: dt.date) -> None:
    """Agreement in force per institution and day (with the forms it covers), caregiver employments,
    admissions with their bed's registration, registered-bed capacity per day, caregiver overlaps."""
    from institutions.selectors import agreement_days, caregiver_employments

    institution_ids = sorted(scope.institutions)
    days = sorted(scope.days)
    periods = agreement_days(institution_ids=institution_ids, start=start, end=end)
    rows = []
    for institution_id, items in periods.items():
        for day in days:
            agreement = next((ag for a, b, ag in items if a <= day <= b), None)
            if agreement is not None:
                covered = [f for f in CareForm.values if rules.agreement_covers(agreement.care_forms, f)]
                rows.append((institution_id, day, covered, agreement.price_life, agreement.price_medical))
    temp_table(
        "st_agr",
        "institution_id int, day date, covered_forms text[], price_life numeric, price_medical numeric",
        rows,
    )
    employments = caregiver_employments(institution_ids=institution_ids, start=start, end=end)
    temp_table(
        "st_emp",
        "institution_id int, national_id text, employed_from date, employed_to date",
        ((inst, nid, a, b) for (inst, nid), periods in employments.items() for a, b in periods),
    )
    execute("DROP TABLE IF EXISTS st_adm")
    execute(
        """
        CREATE TEMP TABLE st_adm AS
        SELECT a.person_id, a.institution_id, a.admitted_on, a.discharged_on, a.bed_id,
               b.registered_from, b.registered_to
        FROM benefits_admission a LEFT JOIN institutions_bed b ON b.id = a.bed_id
        WHERE a.institution_id IN (SELECT DISTINCT institution_id FROM st_rec WHERE kind = 'bed_day')
          AND a.admitted_on <= %(end)s AND (a.discharged_on IS NULL OR a.discharged_on > %(start)s)""",
        {"start": start, "end": end},
    )
    execute("ANALYZE st_adm")
    temp_table(
        "st_cap",
        "institution_id int, day date, records int, capacity int",
        [(inst, day, n, 0) for (inst, day), n in scope.bed_days.items()],
    )
    execute("""UPDATE st_cap c SET capacity = (SELECT count(*) FROM institutions_bed b
               WHERE b.institution_id = c.institution_id AND b.registered_from <= c.day
                 AND (b.registered_to IS NULL OR b.registered_to >= c.day))""")
    # rules.caregiver_overlaps, set-based: a visit starting before an earlier one of the caregiver ended
    execute("DROP TABLE IF EXISTS st_overlap")
    execute("""
        CREATE TEMP TABLE st_overlap AS
        SELECT id FROM (
            SELECT id, started_at, max(ended_at) OVER (PARTITION BY caregiver_national_id ORDER BY started_at, id
                                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS busy_until
            FROM st_rec WHERE kind = 'home_visit' AND NOT dup AND caregiver_national_id <> ''
                 AND started_at IS NOT NULL AND ended_at IS NOT NULL) v
        WHERE started_at < busy_until""")
    execute("ANALYZE st_overlap")


def stage_standards(scope: Scope, segments: Segments, std: Standards) -> None:
    """Residential standards per (class, component, day, categories): daily amount, effective fund ratio
    (+ bonus points for the special groups), institution types; a missing one is kept with its error,
    raised only if a record needs it."""
    days = sorted({day for _, day in scope.bed_days})
    components = sorted(scope.bed_components)
    classes = {
        v.benefit_class
        for months in segments.by_month.values()
        for items in months.values()
        for _, _, v in items
        if v.eligible and v.care_form == "residential"
    }
    rows = []
    for benefit_class in sorted(classes, key=str):
        for component in components:
            for day in days:
                try:
                    standard = std.get("residential", benefit_class, component, day)
                    daily, ratio = standard.amount("daily"), standard.amount("fund_ratio")
                    types = list(standard.values["institution_types"])
                    missing = error = None
                except (NoPolicyInForce, PolicyNotEntered) as exc:
                    daily = ratio = types = None
                    missing, error = type(exc).__name__, str(exc)
                for categories, cat in segments.category_keys.items():
                    effective = (
                        None
                        if ratio is None
                        else payment.effective_ratio(ratio, categories=categories, bonus=std.bonus(day))
                    )
                    rows.append((benefit_class, component, day, cat, daily, effective, types, missing, error))
    temp_table(
        "st_std",
        "benefit_class text, component text, day date, cat int, daily numeric, ratio numeric, "
        "institution_types text[], missing text, error text",
        rows,
    )


def raise_missing_standard() -> None:
    """Stop the run with the standard's own error when a record needs a standard staff have not entered."""
    row = fetch(
        "SELECT t.missing, t.error FROM st_a a JOIN st_std t ON t.benefit_class = a.benefit_class "
        "AND t.component = a.component AND t.day = a.day AND t.cat = a.cat WHERE a.step = %s LIMIT 1",
        [MISSING_STANDARD_STEP],
    )
    if row:
        kind, error = row[0]
        raise (PolicyNotEntered if kind == "PolicyNotEntered" else NoPolicyInForce)(error)


MISSING_STANDARD_STEP = 8


def deposit_rate(day: dt.date) -> Decimal:
    try:
        return Decimal(policy_in_force("quality_deposit", on=day)["rate"])
    except NoPolicyInForce:
        return ZERO
