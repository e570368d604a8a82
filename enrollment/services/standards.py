"""Policy values a contribution year needs (SPEC 2, 3.2): read once, passed to rules and SQL."""

import datetime as dt
from dataclasses import dataclass

from ltci.core.money import fen
from ltci.core.policy import (
    NoPolicyInForce,
    PolicyError,
    active_scheme,
    policy_in_force,
    policy_record,
    record_value,
)

from .. import rules


@dataclass(frozen=True)
class TypeStandard:
    insurance_type: str
    covered_from: dt.date  # first covered day of the year for this type
    record_id: int
    amounts: rules.Amounts
    category: str = ""  # "" = the type's standard; else a `type:category` standard (SPEC 3.2)


@dataclass(frozen=True)
class YearPolicy:
    year: int
    types: dict  # insurance_type -> TypeStandard
    subsidised: list
    resident_age_min: int | None
    deadline: str  # "MM-DD"
    fiscal_split: dict  # region -> (city share, district share)
    collective: dict  # {"city": Decimal, "town": Decimal} or {}
    category_standards: tuple = ()  # TypeStandard with a category, in SPEC 11.10 category order

    def standard_for(self, insurance_type: str, categories) -> "TypeStandard | None":
        """The standard of a person: the first category standard of the type they belong to, else the type's."""
        for std in self.category_standards:
            if std.insurance_type == insurance_type and std.category in (categories or ()):
                return std
        return self.types.get(insurance_type)

    def all_standards(self) -> list:
        """Category standards first (in priority order), then the types' standards."""
        return [*self.category_standards, *self.types.values()]


def covered_types(year: int) -> dict[str, dt.date]:
    """Insurance types covered on some day of the year, with their first covered day in it."""
    return {itype: span[0] for itype, span in covered_spans(year).items()}


def covered_spans(year: int) -> dict[str, tuple[dt.date, dt.date]]:
    """Insurance types covered on some day of the year, with their first and last covered day in it."""
    from ltci.core.models import PolicyRecord

    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[str, tuple[dt.date, dt.date]] = {}
    records = PolicyRecord.objects.overlapping(jan1, dec31).filter(scheme=active_scheme(), kind="coverage")
    for rec in records.order_by("valid_from"):
        if rec.value is not None and record_value(rec)["covered"]:
            start, end = max(jan1, rec.valid_from), min(dec31, rec.valid_to or dec31)
            first, last = out.get(rec.key, (start, end))
            out[rec.key] = (min(first, start), max(last, end))
    return out


def charged_months(*, span: tuple[dt.date, dt.date], year: int) -> int:
    """The months a yearly standard is charged for in a year the scheme covers from span[0] to span[1]: 12,
    or the covered months where the `partial_year` record in force on the first covered day says `prorated`
    for this first or last year (no record: the full standard)."""
    months = rules.covered_months(*span)
    if months == 12:
        return 12
    try:
        rule = policy_in_force("partial_year", on=span[0])
    except NoPolicyInForce:
        return 12
    which = "first" if span[0] > dt.date(year, 1, 1) else "last"
    return months if rule[which] == "prorated" else 12


def partial_year_amounts(
    amounts: rules.Amounts, *, span: tuple[dt.date, dt.date], year: int
) -> rules.Amounts:
    """The standard of a year the scheme covers only in part (its first or last year): the full standard, or
    prorated by covered months (charged_months)."""
    months = charged_months(span=span, year=year)
    return amounts if months == 12 else rules.prorated(amounts, months)


def year_policy(year: int) -> YearPolicy:
    """Read every policy value of a contribution year; raise PolicyError naming what is missing."""
    types = {}
    spans = covered_spans(year)
    covered = {itype: span[0] for itype, span in spans.items()}
    if not covered:
        raise NoPolicyInForce(f"no insurance type is covered in {year} by the active policy scheme")
    for itype, ref in covered.items():
        record = policy_record("contribution_standard", on=ref, key=itype) if _has_value(itype, ref) else None
        amounts = rules.standard_amounts(  # raises PolicyNotEntered naming the standard when there is none
            record_value(record) if record is not None else None,
            name=f"'contribution_standard' [{itype}] in force on {ref.isoformat()}",
        )
        assert record is not None
        amounts = partial_year_amounts(amounts, span=spans[itype], year=year)
        types[itype] = TypeStandard(itype, ref, record.id, amounts)
    ref = min(covered.values())
    sub = policy_in_force("subsidised_categories", on=ref)
    collection = policy_in_force("collection", on=ref)
    split = {}
    from ltci.core.models import PolicyRecord

    for rec in PolicyRecord.objects.in_force(ref).filter(scheme=active_scheme(), kind="fiscal_split"):
        if rec.value is not None:
            value = record_value(rec)
            split[rec.key] = (value["city"], value["district"])
    try:
        coll = policy_in_force("collective_subsidy", on=covered.get("resident", ref), key="resident")
        # per head and year, month-prorated like the residents' standard in a partial year (issue 18)
        months = charged_months(span=spans["resident"], year=year) if "resident" in spans else 12
        collective = {k: fen(coll[k] * months / 12) for k in ("city", "town")}
    except NoPolicyInForce:
        collective = {}
    age_min = sub["resident_age_min"] if sub.entered("resident_age_min") else None  # null: no age rule
    return YearPolicy(
        year,
        types,
        list(sub["categories"]),
        age_min,
        collection["deadline"],
        split,
        collective,
        category_standards(spans),
    )


def category_standards(spans: dict[str, tuple[dt.date, dt.date]]) -> tuple[TypeStandard, ...]:
    """`contribution_standard` records keyed `type:category` in force on the type's first covered day.

    A person in several such categories gets the first in SPEC 11.10 order (the order of Category).
    Raise PolicyError for an unknown category code or a standard left for staff (null value).
    """
    from ltci.core.models import PolicyRecord

    from ..models import Category

    order = {c.value: i for i, c in enumerate(Category)}
    found = []
    for itype, (ref, _last) in spans.items():
        records = PolicyRecord.objects.in_force(ref).filter(
            scheme=active_scheme(), kind="contribution_standard", key__startswith=f"{itype}:"
        )
        for rec in records:
            category = rec.key.split(":", 1)[1]
            name = f"'contribution_standard' [{rec.key}] in force on {ref.isoformat()}"
            if category not in order:
                raise PolicyError(f"{name}: unknown person category '{category}' (SPEC 11.10 codes)")
            found.append(
                (
                    order[category],
                    TypeStandard(
                        itype,
                        ref,
                        rec.id,
                        partial_year_amounts(
                            rules.standard_amounts(
                                None if rec.value is None else record_value(rec), name=name
                            ),
                            span=spans[itype],
                            year=ref.year,
                        ),
                        category,
                    ),
                )
            )
    return tuple(std for _, std in sorted(found, key=lambda x: (x[0], x[1].insurance_type)))


def _has_value(itype: str, ref: dt.date) -> bool:
    """True when a contribution_standard record exists with a value (null raises in the caller)."""
    from ltci.core.models import PolicyRecord

    rec = PolicyRecord.objects.in_force(ref).filter(
        scheme=active_scheme(), kind="contribution_standard", key=itype
    )
    found = rec.first()
    if found is None:
        raise NoPolicyInForce(f"no policy in force: 'contribution_standard' [{itype}] on {ref.isoformat()}")
    return found.value is not None


def family_payment_relations(on: dt.date) -> list[str]:
    """The relatives an employee account may pay for on ``on`` (empty: only its holder)."""
    try:
        return list(policy_in_force("family_payment", on=on)["relations"])
    except PolicyError:  # no record in force (or left for staff): accounts pay only for their holder
        return []
