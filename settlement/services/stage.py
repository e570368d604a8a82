"""Stage 1 of the monthly run (SPEC 7.2): the month's records and the facts they are audited against, in
temporary tables of the run's database session, so that the audit (``audit.py``) is set-based SQL.

Each fact comes from the module that owns its rule: eligibility segments from ``benefits.eligibility``,
agreement days and employments from ``institutions.selectors``, form matching and agreement coverage from
``settlement.rules``, payment standards from ``benefits.payment``. Nothing is written to the settlement
tables. The tables, all dropped when the run ends:

- ``run_records``: the records the run takes (the month's, plus late ones of earlier months), duplicates marked;
- ``run_eligibility``: each person's eligibility segments (verdict, class, form, institution) per day range;
- ``run_form_map``: per record kind and decided care form, whether they match and the form a line is filed under;
- ``run_agreement_days``: per institution and day, the forms its agreement in force covers and its prices;
- ``run_employments``: caregivers' employment periods per institution;
- ``run_admissions``: admissions with their bed's registration;
- ``run_bed_capacity``: per institution and day, bed-day records against registered beds;
- ``run_caregiver_overlaps``: visits that start before an earlier visit of the same caregiver ended;
- ``run_bed_standards``: residential standards per class, component, day and categories (missing ones kept).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from benefits import payment
from benefits.models import Admission, BenefitDecision
from benefits.rules import ALLOWANCE_FORMS
from institutions.models import Bed, CareForm
from ltci.core.dates import month_end
from ltci.core.models import in_force_sql, overlapping_sql
from ltci.core.policy import NoPolicyInForce, PolicyNotEntered
from ltci.core.sql import create_temp_as, execute, fetch, temp_table

from .. import rules
from ..models import RecordAudit, ServiceRecord

TEMP_TABLES = (
    "run_records",
    "run_eligibility",
    "run_form_map",
    "run_agreement_days",
    "run_sickbeds",
    "run_employments",
    "run_admissions",
    "run_bed_capacity",
    "run_caregiver_overlaps",
    "run_bed_standards",
)
RECORD_KINDS = ("bed_day", "home_visit", "device")
RECORD = ServiceRecord._meta.db_table
RECORD_AUDIT = RecordAudit._meta.db_table
ADMISSION = Admission._meta.db_table
BED = Bed._meta.db_table

RECORD_COLUMNS = """r.id, r.institution_id, r.person_id, r.kind, r.service_date, r.component, r.charged_amount,
       r.caregiver_national_id, r.started_at, r.ended_at, r.excluded_code,
       date_trunc('month', r.service_date)::date AS service_month,
       date_trunc('month', r.service_date)::date <> %(start)s AS late, false AS dup"""
# A record the run may take: confirmed by the institution (generated bed-days) and, when its charge was held
# above the ceiling at submission (SPEC 7.1), confirmed by the office; a rejected one never. A held record
# confirmed after its month was run is received when confirmed (services.holds), so it comes in late.
TAKEN = "r.confirmed AND (r.held_reason = '' OR r.hold_decision = 'confirmed')"
# The month's records, less any a later month's latest run took (the month re-run after a later one).
RECORD_SQL = f"""
SELECT {RECORD_COLUMNS} FROM {RECORD} r
WHERE {TAKEN} AND r.service_date BETWEEN %(start)s AND %(end)s
"""  # noqa: S608 (constants of the code, no input)
NOT_LATER_SQL = f"""AND NOT EXISTS (SELECT 1 FROM {RECORD_AUDIT} a WHERE a.run_id = ANY(%(later_runs)s::bigint[])
                  AND a.record_id = r.id)"""  # noqa: S608 (constants of the code, no input)
# Late records (SPEC 7.1): of an earlier month that has been run, received (or confirmed) after the runs that
# could have taken them, and not settled by another month's latest run. A record received more than a day
# before the last run of its month or a later month (other than this one) was in that run's scope, so only
# the recent arrivals are read (index on received_at), and NOT EXISTS keeps the answer exact.
LATE_SQL = f"""
SELECT {RECORD_COLUMNS} FROM {RECORD} r
JOIN unnest(%(late_months)s::date[], %(late_since)s::timestamptz[]) AS m(month, since)
  ON date_trunc('month', r.service_date)::date = m.month AND r.received_at > m.since
WHERE {TAKEN} AND r.received_at > %(since)s AND r.service_date < %(start)s
  AND NOT EXISTS (SELECT 1 FROM {RECORD_AUDIT} a WHERE a.run_id = ANY(%(other_runs)s::bigint[])
                  AND a.record_id = r.id)
"""  # noqa: S608 (constants of the code, no input)
LATE_MARGIN = dt.timedelta(days=1)  # longer than any transaction that stores records

# The same institution, person, kind, date, component and start as an earlier record (SPEC 7.2 DUPLICATE):
# the groups of such records by a hash aggregate (there are few), every record but the group's first. The
# aggregate over every record is on a narrow key (person, date, start: a third of the memory and time of the
# whole key); only the records sharing one (few) are grouped by the whole key.
DUPLICATES_SQL = """
UPDATE run_records r SET dup = true
FROM (SELECT institution_id, person_id, kind, service_date, component,
             coalesce(started_at, '-infinity') AS started_at, min(id) AS first_id
      FROM run_records
      WHERE (person_id, service_date, coalesce(started_at, '-infinity')) IN (
            SELECT person_id, service_date, coalesce(started_at, '-infinity') FROM run_records
            GROUP BY 1, 2, 3 HAVING count(*) > 1)
      GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1) k
WHERE r.institution_id = k.institution_id AND r.person_id = k.person_id AND r.kind = k.kind
  AND r.service_date = k.service_date AND r.component = k.component
  AND coalesce(r.started_at, '-infinity') = k.started_at AND r.id <> k.first_id
"""


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
    """Persons with a decision in force some day of the month that pays an allowance (paid without records):
    an allowance form, or a form the policy combines with one (combined_forms)."""
    from benefits.eligibility import combined_forms_by_day

    forms = set(ALLOWANCE_FORMS)
    for combined in combined_forms_by_day(month, month_end(month)).values():
        forms |= {form for form, also in combined.items() if set(also) & set(ALLOWANCE_FORMS)}
    return set(
        BenefitDecision.objects.overlapping(month, month_end(month))
        .filter(care_form__in=sorted(forms))
        .values_list("person_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------------------
# Records and eligibility


class Scope:
    """What the staged records span, from one aggregate pass over them: persons per service month,
    institutions, days, bed-day records per institution and day, bed-day components."""

    SQL = """SELECT GROUPING(service_month, institution_id, component), service_month, person_id, institution_id,
                    service_date, kind, component, count(*)
             FROM run_records GROUP BY GROUPING SETS ((service_month, person_id),
                                                     (institution_id, service_date, kind), (kind, component))"""

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


def stage_records(month: dt.date, persons: list[int] | None = None) -> Scope:
    """The month's records plus late ones of earlier months not yet settled (run_records); only those of
    ``persons`` when given (a chunk of a fanned-out run)."""
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
        "persons": persons,
    }
    of_persons = " AND r.person_id = ANY(%(persons)s::bigint[])" if persons is not None else ""
    execute("DROP TABLE IF EXISTS run_records")
    count = execute(
        "CREATE TEMP TABLE run_records AS "
        + RECORD_SQL
        + of_persons
        + (NOT_LATER_SQL if params["later_runs"] else "")
        + (" UNION ALL " + LATE_SQL + of_persons if late_months else ""),
        params,
    )
    execute(DUPLICATES_SQL)
    execute("ANALYZE run_records")
    return Scope(count)


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
                for form in rules.allowance_forms(v):
                    for n in range((b - a).days + 1):
                        days[(person_id, a + dt.timedelta(days=n))] = form
        return days

    def benefit_classes(self, care_form: str | None = None) -> set:
        """The benefit classes the segments name; of the eligible segments of a care form, when given."""
        verdicts = [v for months in self.by_month.values() for items in months.values() for _, _, v in items]
        if care_form is None:
            return {v.benefit_class for v in verdicts if v.benefit_class}
        return {v.benefit_class for v in verdicts if v.eligible and v.care_form == care_form}


def stage_eligibility(month: dt.date, scope: Scope, persons: list[int] | None = None) -> Segments:
    """Eligibility segments of every person with records in a service month (plus the allowance persons in
    the run's month; of ``persons`` only, when given), staged as run_eligibility."""
    from benefits.eligibility import month_segments

    by_month = {first: set(persons) for first, persons in scope.persons.items()}
    allowances = allowance_person_ids(month)
    if persons is not None:
        allowances &= set(persons)
    by_month[month] = by_month.get(month, set()) | allowances
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
                        list(v.also_forms),
                    )
                )
    temp_table(
        "run_eligibility",
        "person_id int, d_from date, d_to date, eligible bool, reason_code text, detail text, "
        "benefit_class text, care_form text, institution_id int, died_on date, cat int, also_forms text[]",
        rows,
    )
    return segments


# ---------------------------------------------------------------------------------------------------------
# Institution facts


def stage_institution_facts(
    month: dt.date, scope: Scope, segments: Segments, overlaps: list[int] | None = None
) -> Standards:
    """Every fact of the institutions the records concern, from the earliest service day to the month's end;
    return the memoised payment standards, which pricing goes on using. ``overlaps``: the caregiver overlaps
    among the records, found over the whole month (a chunk of a fanned-out run sees only its persons')."""
    start, end = min(month, scope.first_day or month), month_end(month)
    standards = Standards()
    stage_forms()
    stage_agreements(scope, start, end)
    stage_beds_and_caregivers(scope, start, end, overlaps)
    stage_bed_standards(scope, segments, standards)
    return standards


def stage_forms() -> None:
    """Which care forms a record kind serves and the form its line is filed under (settlement.rules)."""
    forms = ["", *CareForm.values]
    temp_table(
        "run_form_map",
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


def stage_agreements(scope: Scope, start: dt.date, end: dt.date) -> None:
    """The agreement in force per institution and record day, with the forms it covers and its prices."""
    from institutions.selectors import agreement_days

    days = sorted(scope.days)
    periods = agreement_days(institution_ids=sorted(scope.institutions), start=start, end=end)
    forms = CareForm.values
    covered: dict[int, list[str]] = {}  # per agreement, once (not per institution-day)
    rows = []
    for institution_id, items in periods.items():
        for day in days:
            agreement = next((ag for a, b, ag in items if a <= day <= b), None)
            if agreement is not None:
                if agreement.pk not in covered:
                    covered[agreement.pk] = [
                        f for f in forms if rules.agreement_covers(agreement.care_forms, f)
                    ]
                rows.append(
                    (
                        institution_id,
                        day,
                        covered[agreement.pk],
                        agreement.price_life,
                        agreement.price_medical,
                    )
                )
    temp_table(
        "run_agreement_days",
        "institution_id int, day date, covered_forms text[], price_life numeric, price_medical numeric",
        rows,
    )


def stage_sickbeds(scope: Scope, start: dt.date, end: dt.date) -> None:
    """Home sickbeds (家庭病床, seed 001 五(三)1(1)): per medical institution and record day, the partner
    elderly-care institution whose residents of the `home_sickbed` classes it may bill the medical bed-day for."""
    from institutions.selectors import sickbed_partners
    from ltci.core.policy import NoPolicyInForce, policy_in_force

    classes: dict[dt.date, list[str] | None] = {}
    rows = []
    for medical, elderly, a, b in sickbed_partners(
        institution_ids=sorted(scope.institutions), start=start, end=end
    ):
        for day in sorted(scope.days):
            if a <= day and (b is None or day <= b):
                if day not in classes:
                    try:
                        classes[day] = list(policy_in_force("home_sickbed", on=day)["classes"])
                    except NoPolicyInForce:
                        classes[day] = None
                if classes[day]:
                    rows.append((medical, elderly, day, classes[day]))
    temp_table("run_sickbeds", "institution_id int, partner_id int, day date, classes text[]", rows)


def stage_beds_and_caregivers(
    scope: Scope, start: dt.date, end: dt.date, overlaps: list[int] | None = None
) -> None:
    """Caregiver employments, admissions with their bed's registration, registered-bed capacity per day,
    caregiver overlaps."""
    from institutions.selectors import caregiver_employments

    employments = caregiver_employments(institution_ids=sorted(scope.institutions), start=start, end=end)
    temp_table(
        "run_employments",
        "institution_id int, national_id text, employed_from date, employed_to date",
        ((inst, nid, a, b) for (inst, nid), periods in employments.items() for a, b in periods),
    )
    stage_sickbeds(scope, start, end)
    create_temp_as(
        "run_admissions",
        f"""SELECT a.person_id, a.institution_id, a.admitted_on, a.discharged_on, a.bed_id,
                   b.registered_from, b.registered_to
            FROM {ADMISSION} a LEFT JOIN {BED} b ON b.id = a.bed_id
            WHERE (a.institution_id IN (SELECT DISTINCT institution_id FROM run_records WHERE kind = 'bed_day')
                   OR a.institution_id IN (SELECT partner_id FROM run_sickbeds))
              AND {overlapping_sql(Admission, "a", "%(start)s", "%(end)s")}""",  # noqa: S608
        {"start": start, "end": end},
    )
    temp_table(
        "run_bed_capacity",
        "institution_id int, day date, records int, capacity int",
        [(inst, day, n, 0) for (inst, day), n in scope.bed_days.items()],
    )
    # beds counted per institution and registration period first (an institution's beds share a few), then
    # matched to the days: one pass over the beds instead of a count per institution-day
    execute(f"""UPDATE run_bed_capacity c SET capacity = n.beds FROM (
                   SELECT c.institution_id, c.day, sum(b.beds) AS beds FROM run_bed_capacity c
                   JOIN (SELECT institution_id, registered_from, registered_to, count(*) AS beds FROM {BED}
                         WHERE institution_id IN (SELECT institution_id FROM run_bed_capacity)
                         GROUP BY 1, 2, 3) b
                     ON b.institution_id = c.institution_id AND {in_force_sql(Bed, "b", "c.day")}
                   GROUP BY 1, 2) n
               WHERE n.institution_id = c.institution_id AND n.day = c.day""")  # noqa: S608
    if overlaps is not None:
        temp_table("run_caregiver_overlaps", "id bigint", [(pk,) for pk in overlaps])
        return
    stage_caregiver_overlaps()


def stage_caregiver_overlaps() -> None:
    """``run_caregiver_overlaps`` from ``run_records``: each visit sharing a moment with an earlier visit (by
    start, then id) of the same caregiver, over the whole month and across persons (SPEC 7.2 CAREGIVER; the
    rule is ``rules.times_overlap``, held to this SQL by tests/settlement/test_caregiver_overlap_differential.py)."""
    create_temp_as(
        "run_caregiver_overlaps",
        """SELECT id FROM (
               SELECT id, started_at, max(ended_at) OVER (PARTITION BY caregiver_national_id ORDER BY started_at, id
                                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS busy_until
               FROM run_records WHERE kind = 'home_visit' AND NOT dup AND caregiver_national_id <> ''
                    AND started_at IS NOT NULL AND ended_at IS NOT NULL) v
           WHERE started_at < busy_until""",
    )


def stage_bed_standards(scope: Scope, segments: Segments, std: Standards) -> None:
    """Residential standards per (class, component, day, categories): daily amount, effective fund ratio
    (+ bonus points for the special groups), institution types; a missing one is kept with its error,
    raised only if a record needs it (audit.raise_missing_standard)."""
    days = sorted({day for _, day in scope.bed_days})
    components = sorted(scope.bed_components)
    rows = []
    for benefit_class in sorted(segments.benefit_classes("residential"), key=str):
        for component in components:
            for day in days:
                daily: Decimal | None
                ratio: Decimal | None
                types: list[str] | None
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
        "run_bed_standards",
        "benefit_class text, component text, day date, cat int, daily numeric, ratio numeric, "
        "institution_types text[], missing text, error text",
        rows,
    )
