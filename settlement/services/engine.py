"""The monthly run's computation (SPEC 7.2): read everything once, audit and price every record, build
lines and statements in memory. Nothing is written here; ``run.py`` swaps the result in atomically.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from benefits import payment
from benefits.models import Admission, BenefitDecision
from institutions.models import Bed, Institution
from ltci.core.dates import month_end
from ltci.core.money import ZERO
from ltci.core.policy import NoPolicyInForce, policy_in_force

from .. import rules

RECORD_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (month) id, month FROM settlement_settlementrun ORDER BY month, version DESC
),
scope AS (
    SELECT r.id, r.institution_id, r.person_id, r.kind, r.service_date, r.component, r.charged_amount,
           r.caregiver_national_id, r.started_at, r.ended_at, r.excluded_code,
           row_number() OVER (PARTITION BY r.institution_id, r.person_id, r.kind, r.service_date, r.component,
                                           r.started_at ORDER BY r.id) > 1 AS dup
    FROM settlement_servicerecord r
    WHERE r.confirmed AND r.service_date <= %(end)s
      AND (r.service_date >= %(start)s
           OR date_trunc('month', r.service_date)::date IN (SELECT month FROM latest))
)
SELECT s.* FROM scope s
WHERE NOT EXISTS (SELECT 1 FROM settlement_recordaudit a JOIN latest l ON l.id = a.run_id
                  WHERE a.record_id = s.id AND l.month <> %(start)s)
ORDER BY s.id
"""


@dataclass(slots=True)
class Rec:
    id: int
    institution_id: int
    person_id: int
    kind: str
    day: dt.date
    component: str
    charged: Decimal
    caregiver: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    excluded: str
    dup: bool
    code: str | None = None
    detail: str = ""
    form: str = ""
    benefit_class: str | None = None
    ratio: Decimal | None = None
    cap: Decimal | None = None
    base: Decimal = ZERO
    rejected: Decimal = ZERO


@dataclass
class LineResult:
    institution_id: int | None
    person_id: int
    care_form: str
    service_month: dt.date
    is_late: bool
    quantity: int = 0
    amounts: payment.Amounts = field(default_factory=payment.Amounts)
    records: list = field(default_factory=list)
    details: dict = field(default_factory=dict)


@dataclass
class RunResult:
    month: dt.date
    lines: list[LineResult]
    statements: list[dict]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


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

    def deposit_rate(self, day) -> Decimal:
        key = ("deposit", day)
        if key not in self._cache:
            try:
                self._cache[key] = Decimal(policy_in_force("quality_deposit", on=day)["rate"])
            except NoPolicyInForce:
                self._cache[key] = ZERO
        return self._cache[key]


def load_records(month: dt.date) -> list[Rec]:
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, {"start": month, "end": month_end(month)})
        return [Rec(*row) for row in cursor.fetchall()]


def allowance_person_ids(month: dt.date) -> set[int]:
    return set(BenefitDecision.objects.filter(care_form__in=rules.ALLOWANCE_FORMS, starts_on__lte=month_end(month))
               .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month)).values_list("person_id", flat=True))


def load_verdicts(month: dt.date, records: list[Rec], extra_persons: set[int]) -> dict:
    from benefits.eligibility import month_verdicts

    by_month: dict[dt.date, set[int]] = defaultdict(set)
    for r in records:
        by_month[month_of(r.day)].add(r.person_id)
    by_month[month] |= extra_persons
    verdicts = {}
    for first, persons in by_month.items():
        verdicts.update(month_verdicts(person_ids=sorted(persons), start=first, end=month_end(first)))
    return verdicts


class Context:
    """Institution-side facts for the months the run touches, loaded in bulk."""

    def __init__(self, records: list[Rec], start: dt.date, end: dt.date):
        from institutions.selectors import agreement_days, caregiver_employments

        institution_ids = {r.institution_id for r in records}
        person_ids = {r.person_id for r in records}
        self.institutions = {i.pk: i for i in Institution.objects.filter(pk__in=institution_ids)}
        self.agreements = agreement_days(institution_ids=institution_ids, start=start, end=end)
        self.employments = caregiver_employments(institution_ids=institution_ids, start=start, end=end)
        self.admissions: dict[tuple[int, int], list] = defaultdict(list)
        for row in (Admission.objects.filter(person_id__in=person_ids, institution_id__in=institution_ids,
                                             admitted_on__lte=end)
                    .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=start))
                    .values_list("person_id", "institution_id", "admitted_on", "discharged_on",
                                 "bed__registered_from", "bed__registered_to", "bed_id")):
            self.admissions[(row[0], row[1])].append(row[2:])
        self.beds: dict[int, list] = defaultdict(list)
        for inst, a, b in (Bed.objects.filter(institution_id__in=institution_ids, registered_from__lte=end)
                           .filter(Q(registered_to__isnull=True) | Q(registered_to__gte=start))
                           .values_list("institution_id", "registered_from", "registered_to")):
            self.beds[inst].append((a, b))
        self._capacity: dict = {}

    def agreement_on(self, institution_id: int, day: dt.date):
        for a, b, agreement in self.agreements.get(institution_id, ()):
            if a <= day <= b:
                return agreement
        return None

    def capacity(self, institution_id: int, day: dt.date) -> int:
        key = (institution_id, day)
        if key not in self._capacity:
            self._capacity[key] = sum(1 for a, b in self.beds.get(institution_id, ())
                                      if a <= day and (b is None or day <= b))
        return self._capacity[key]

    def on_registered_bed(self, person_id: int, institution_id: int, day: dt.date) -> str | None:
        """None when the person occupies a registered bed of the institution that day, else the reason."""
        stays = [s for s in self.admissions.get((person_id, institution_id), ())
                 if s[0] <= day and (s[1] is None or day < s[1])]
        if not stays:
            return "not admitted to the institution that day (the discharge day is not a bed-day)"
        for _, _, reg_from, reg_to, bed_id in stays:
            if bed_id is not None and reg_from <= day and (reg_to is None or day <= reg_to):
                return None
        return "the bed is not registered (床位未备案)"

    def employed(self, institution_id: int, caregiver: str, day: dt.date) -> bool:
        return any(a <= day and (b is None or day <= b) for a, b in self.employments.get((institution_id, caregiver), ()))
