"""Enrollment reads (STYLE: selectors): contribution conditions for eligibility (SPEC 3.4, 5.1 items 1-2)."""

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Min, Q

from ltci.core.import_fields import Reference, unknown_person_message
from ltci.core.policy import NoPolicyInForce, policy_in_force, record_value
from ltci.core.queries import id_set

from . import rules
from .models import Contribution, CoveragePeriod, Person, PersonContact
from .rules import Condition

__all__ = [
    "Condition",
    "contribution_conditions",
    "contribution_blocks",
    "contribution_export_rows",
    "payable_from",
    "person_by_national_id",
    "person_reference",
    "persons_by_national_id",
]

EXPORT_HEADER = (
    "national_id",
    "insurance_type",
    "year",
    "individual_amount",
    "pooled_fund_amount",
    "fiscal_amount",
    "employer_amount",
    "other_amount",
    "status",
    "paid_on",
    "payable_from",
)
EXPORT_CHUNK = 2000


def person_by_national_id(national_id: str) -> Person | None:
    return Person.objects.filter(national_id=national_id.strip().upper()).first()


def persons_by_national_id(numbers: Iterable[str]) -> dict[str, Person]:
    """{national_id: person} of the numbers on the roster, in one query (the imports' person lookup)."""
    return {p.national_id: p for p in Person.objects.filter(national_id__in=set(numbers))}


def person_reference(field: str = "national_id", *, key=str) -> Reference:
    """An import column naming a person on the roster (ltci.core.import_fields.Reference)."""
    return Reference(field, persons_by_national_id, unknown_person_message, key)


def first_system_year() -> int | None:
    return Contribution.objects.aggregate(y=Min("year"))["y"]


def _waiting_months(day: dt.date) -> int:
    return policy_in_force("waiting_period", on=day)["months"]


def _deadline(year: int) -> dt.date | None:
    try:
        mm_dd = policy_in_force("collection", on=dt.date(year, 1, 1))["deadline"]
    except NoPolicyInForce:  # no collection in force on 1 January: the scheme starts later that year
        return None
    month, day = (int(x) for x in mm_dd.split("-"))
    return dt.date(year, month, day)


def _exemptions() -> tuple:
    from ltci.core.models import PolicyRecord

    out = []
    records = PolicyRecord.objects.filter(scheme__active=True, kind="waiting_exemption").exclude(value=None)
    for rec in records:
        out.append((rec.valid_from, rec.valid_to, record_value(rec)["enrolled_before"]))
    return tuple(out)


def _facts_for(person_ids) -> dict[int, rules.Facts]:
    """Gather facts for many persons in a fixed number of queries."""
    ids = list(person_ids)
    spans = defaultdict(list)
    for c in (
        CoveragePeriod.objects.filter(person_id__in=id_set(ids))
        .order_by("person_id", "start")
        .values_list("id", "person_id", "start", "end", "start_reason", "end_reason")
    ):
        spans[c[1]].append(rules.Span(c[2], c[3], c[4], c[5], f"CoveragePeriod#{c[0]}"))
    years: defaultdict[int, dict[int, rules.YearPaid]] = defaultdict(dict)
    for y in Contribution.objects.filter(person_id__in=id_set(ids)).values_list(
        "id", "person_id", "year", "status", "due_by", "fully_paid_on"
    ):
        years[y[1]][y[2]] = rules.YearPaid(y[2], y[3], y[4], y[5], f"Contribution#{y[0]}")
    persons = Person.objects.filter(id__in=id_set(ids)).values_list("id", "died_on", "first_applied_on")
    died, applied = {}, {}
    for pid, died_on, first_applied_on in persons:
        died[pid], applied[pid] = died_on, first_applied_on
    return _facts(ids, spans, years, died, applied)


def _facts(ids, spans, years, died, applied) -> dict[int, rules.Facts]:
    first_year = first_system_year()
    exemptions = _exemptions()
    deadlines: dict[int, dt.date | None] = {}
    months: dict[dt.date, int] = {}

    def waiting_months(day):
        if day not in months:
            months[day] = _waiting_months(day)
        return months[day]

    def deadline(year):
        if year not in deadlines:
            deadlines[year] = _deadline(year)
        return deadlines[year]

    return {
        pid: rules.Facts(
            died_on=died.get(pid),
            spans=tuple(spans[pid]),
            years=years[pid],
            first_system_year=first_year,
            waiting_months=waiting_months,
            deadline=deadline,
            exemptions=exemptions,
            first_applied_on=applied.get(pid),
        )
        for pid in ids
    }


def contribution_conditions(*, person, on: dt.date) -> list[Condition]:
    """Covered, contribution paid, waiting period ended: each with the record that decided it."""
    return rules.conditions(_facts_for([person.pk])[person.pk], on)


def contribution_blocks(
    *, person_ids, start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, dt.date, str, str]]]:
    """Non-payable intervals per person within [start, end] (NOT_COVERED > ARREARS > WAITING)."""
    facts = _facts_for(person_ids)
    return {pid: rules.blocks(f, start, end) for pid, f in facts.items()}


def payable_from(*, person, coverage=None, contributions=None) -> dt.date | None:
    """The first payable day after the latest waiting period (status page), or None.

    ``coverage`` and ``contributions``: all of the person's CoveragePeriod and Contribution rows when the
    caller has read them already (the status page shows them), instead of reading them again.
    """
    if coverage is None or contributions is None:
        return rules.payable_from(_facts_for([person.pk])[person.pk])
    spans = {
        person.pk: [
            rules.Span(c.start, c.end, c.start_reason, c.end_reason, f"CoveragePeriod#{c.pk}")
            for c in sorted(coverage, key=lambda c: c.start)
        ]
    }
    years = {
        person.pk: {
            c.year: rules.YearPaid(c.year, c.status, c.due_by, c.fully_paid_on, f"Contribution#{c.pk}")
            for c in contributions
        }
    }
    facts = _facts(
        [person.pk], spans, years, {person.pk: person.died_on}, {person.pk: person.first_applied_on}
    )
    return rules.payable_from(facts[person.pk])


def _insured_in_year(year: int):
    """Ids of the persons with a coverage period overlapping the year and alive on some day of it."""
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    covered = CoveragePeriod.objects.overlapping(jan1, dec31)
    return (
        Person.objects.filter(id__in=covered.values("person_id"))
        .filter(Q(died_on__isnull=True) | Q(died_on__gte=jan1))
        .order_by("national_id")
    )


def contribution_export_rows(year: int, *, today: dt.date):
    """SPEC 11.5 `export_contributions`: one row per person insured in the year (EXPORT_HEADER order).

    The amounts are the person's contribution of the year or, before the yearly run created it, the one
    the run would create (services.payments.new_contribution); a person whose insurance type the policy
    does not cover that year is not insured in LTCI and has no row. `payable_from` is
    rules.first_payable_day over the same facts as eligibility. Reads persons in chunks (fixed queries each).
    """
    from .services.payments import NoWageBase, first_coverage_in_year, new_contribution
    from .services.standards import year_policy

    insured = _insured_in_year(year)
    policy = None
    if insured.exclude(contributions__year=year).exists():
        try:
            policy = year_policy(year)
        except NoPolicyInForce:
            policy = None
    ids = list(insured.values_list("id", flat=True))
    for at in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[at : at + EXPORT_CHUNK]
        persons = Person.objects.in_bulk(chunk)
        contribs = {c.person_id: c for c in Contribution.objects.filter(person_id__in=chunk, year=year)}
        missing = [pid for pid in chunk if pid not in contribs]
        if missing and policy is not None:
            for pid, (start, itype) in first_coverage_in_year(missing, year).items():
                if policy.standard_for(itype, persons[pid].categories) is not None:
                    with contextlib.suppress(NoWageBase):  # no row until the wage base is imported (the run)
                        contribs[pid] = new_contribution(persons[pid], year, start, itype, policy)
        facts = _facts_for(chunk)
        for pid in chunk:
            c = contribs.get(pid)
            if c is None:
                continue
            yield _export_row(persons[pid], c, facts[pid], today)


def _export_row(person: Person, c: Contribution, facts: rules.Facts, today: dt.date) -> tuple:
    parts = (c.individual_amount, c.pooled_fund_amount, c.fiscal_amount, c.employer_amount)
    other = c.total_amount - sum(parts)
    status = rules.export_status(
        subsidised=c.subsidised,
        individual_amount=c.individual_amount,
        individual_paid=c.individual_paid,
        due=c.due_by,
        today=today,
    )
    paid_on = c.fully_paid_on if status == "paid" else None
    payable = rules.first_payable_day(facts, c.year)
    return (
        person.national_id,
        c.insurance_type,
        c.year,
        *(f"{x:.2f}" for x in (*parts, other)),
        status,
        paid_on.isoformat() if paid_on else "",
        payable.isoformat() if payable else "",
    )


VILLAGE_HEADER = (
    "region_code",
    "village_code",
    "persons",
    "individual_amount",
    "individual_paid",
    "outstanding",
    "fiscal_amount",
    "collective_city",
    "collective_town",
)
VILLAGE_ROWS = """
WITH c AS (
    SELECT c.region_code, p.village_code, count(*) AS persons, sum(c.individual_amount) AS individual,
           sum(c.individual_paid) AS paid, sum(c.fiscal_amount) AS fiscal
    FROM enrollment_contribution c JOIN enrollment_person p ON p.id = c.person_id
    WHERE c.year = %(year)s GROUP BY c.region_code, p.village_code
), s AS (
    SELECT region_code, village_code, sum(amount) FILTER (WHERE payer = 'city') AS city,
           sum(amount) FILTER (WHERE payer = 'town') AS town
    FROM enrollment_collectivesubsidy WHERE year = %(year)s GROUP BY region_code, village_code
)
SELECT c.region_code, c.village_code, c.persons, c.individual, c.paid, c.individual - c.paid, c.fiscal,
       coalesce(s.city, 0), coalesce(s.town, 0)
FROM c LEFT JOIN s ON s.region_code = c.region_code AND s.village_code = c.village_code
ORDER BY c.region_code, c.village_code
"""


def contribution_village_rows(year: int) -> list[tuple]:
    """Contributions of the year per region and village/community (村/社区, seed 003 collects by village):
    VILLAGE_HEADER order; persons without a village have an empty village_code. The individual part counts
    whoever pays it (the fiscal subsidy of waived persons included), as in the SPEC 11.5 export."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(VILLAGE_ROWS, {"year": year})
        rows = cursor.fetchall()
    return [(*r[:3], *(f"{x:.2f}" for x in r[3:])) for r in rows]


def person_recipient(person: Person):
    """The person as a recipient of notifications, with their contact data (issue 19)."""
    from ltci.core.notify import Kind, Recipient

    contact = PersonContact.objects.filter(person=person).first()
    return Recipient.of(
        kind=Kind.PERSON, id=person.pk, name=person.name, ref=person.national_id, contact=contact
    )


def person_recipients(person_ids) -> dict:
    """The persons as recipients, by id (the daily jobs)."""
    from ltci.core.notify import Kind, Recipient

    contacts = {c.person_id: c for c in PersonContact.objects.filter(person_id__in=person_ids)}
    return {
        p.pk: Recipient.of(
            kind=Kind.PERSON, id=p.pk, name=p.name, ref=p.national_id, contact=contacts.get(p.pk)
        )
        for p in Person.objects.filter(pk__in=person_ids).only("pk", "name", "national_id")
    }


def waiting_ended_on(on: dt.date) -> list[int]:
    """The persons whose waiting period ended the day before ``on`` (benefits payable from ``on``), by the
    same rule as the eligibility verdicts (rules.waiting_intervals). Candidates are those who paid in full
    about the policy's waiting months before; the rule decides."""
    from ltci.core.dates import add_months
    from ltci.core.policy import PolicyError

    try:
        months = _waiting_months(on)
    except PolicyError:  # no scheme loaded: no waiting period to end
        return []
    if not months:
        return []
    paid_around = add_months(on, -months)
    candidates = set(
        Contribution.objects.filter(
            fully_paid_on__gte=paid_around - dt.timedelta(days=5), fully_paid_on__lte=paid_around
        ).values_list("person_id", flat=True)
    )
    last_day = on - dt.timedelta(days=1)
    return sorted(
        pid
        for pid, facts in _facts_for(candidates).items()
        if any(interval[1] == last_day for interval in rules.waiting_intervals(facts))
    )
