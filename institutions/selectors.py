"""Reads other apps rely on (CONTRACT: names and signatures are stable) and the portal's scoped reads.

- active_agreement(*, institution, on) -> the agreement in force on a date, or None.
- agreement_days(*, institution_ids, start, end) -> {institution_id: [(from, to, agreement)]}: the
  days an agreement was in force (term, minus suspensions, until termination, while the liability
  insurance was valid), in one query for many institutions.
- first_agreement_days(*, institution_ids) -> {institution_id: first day of its earliest agreement}.
- registered_bed_count(*, institution, on) -> beds registered on a date (the day's capacity).
- caregiver_registered / registered_caregivers / caregiver_employments: a caregiver is "registered"
  with an institution on a day when an employment covers that day; `caregiver_id` in service records is
  the caregiver's national ID.
- institution_for_user(user), agreed_price(agreement, component), recoverable_amounts(...).
- occupied_bed_counts(*, institution_ids, on) -> {institution_id: residents on registered beds}: from
  institutions' own BedUse rows, which database triggers keep equal to benefits' admissions.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Min, Sum
from django.utils.translation import gettext as _

from ltci.core.import_fields import Reference, unknown_institution_message
from ltci.core.models import PolicyRecord
from ltci.core.policy import NoPolicyInForce, PolicyError, active_scheme, policy_in_force, record_value

from . import rules
from .models import (
    Agreement,
    Bed,
    BedUse,
    Employment,
    Institution,
    InstitutionUser,
    SickbedPartner,
    Violation,
)

LIVE_STATES = [
    Agreement.State.ACTIVE,
    Agreement.State.SUSPENDED,
    Agreement.State.TERMINATED,
    Agreement.State.EXPIRED,
]


def institutions_by_code(codes: Iterable[str]) -> dict[str, Institution]:
    """{code: institution} of the codes that exist, in one query (the imports' institution lookup)."""
    return {i.code: i for i in Institution.objects.filter(code__in=set(codes))}


def institution_reference(field: str = "institution_code") -> Reference:
    """An import column naming an institution by its code (ltci.core.import_fields.Reference)."""
    return Reference(field, institutions_by_code, unknown_institution_message)


def _covered_periods(agreement: Agreement, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    a = max(start, agreement.valid_from)
    b = min(end, agreement.valid_to)
    if agreement.terminated_on:
        b = min(b, agreement.terminated_on - dt.timedelta(days=1))
    if agreement.insurance_expires_on is None:
        return []
    b = min(b, agreement.insurance_expires_on)
    if a > b:
        return []
    return rules.periods_minus(a, b, [(p.paused_from, p.paused_to) for p in agreement.pauses.all()])


def agreement_days(
    *, institution_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, dt.date, Agreement]]]:
    """Return, per institution, the inclusive periods within [start, end] an agreement was in force."""
    result: dict[int, list[tuple[dt.date, dt.date, Agreement]]] = defaultdict(list)
    agreements = (
        Agreement.objects.overlapping(start, end)
        .filter(institution_id__in=list(institution_ids), state__in=LIVE_STATES)
        .prefetch_related("pauses")
        .order_by("institution_id", "valid_from")
    )
    for agreement in agreements:
        for a, b in _covered_periods(agreement, start, end):
            result[agreement.institution_id].append((a, b, agreement))
    return dict(result)


def first_agreement_days(*, institution_ids: Iterable[int]) -> dict[int, dt.date]:
    """The first day of each institution's earliest agreement ever signed (drafts do not count)."""
    return dict(
        Agreement.objects.filter(institution_id__in=list(institution_ids), state__in=LIVE_STATES)
        .values("institution_id")
        .annotate(first=Min("valid_from"))
        .values_list("institution_id", "first")
    )


def active_agreement(*, institution, on: dt.date) -> Agreement | None:
    """Return the agreement in force on `on` (term covers it, not suspended, insurance valid), or None."""
    institution_id = getattr(institution, "pk", institution)
    periods = agreement_days(institution_ids=[institution_id], start=on, end=on).get(institution_id, [])
    return periods[0][2] if periods else None


def current_agreement(*, institution) -> Agreement | None:
    """The institution's latest non-draft agreement (what the portal and the admin show), or None."""
    return (
        Agreement.objects.filter(institution=institution)
        .exclude(state=Agreement.State.DRAFT)
        .order_by("-valid_from")
        .first()
    )


def bed_queryset(*, institution, on: dt.date):
    return Bed.objects.in_force(on).filter(institution=institution)


def registered_bed_count(*, institution, on: dt.date) -> int:
    """Beds registered (备案) with the institution on a day: the day's residential capacity."""
    return bed_queryset(institution=institution, on=on).count()


def caregiver_registered(*, institution_id: int, national_id: str, on: dt.date) -> bool:
    return (
        Employment.objects.in_force(on)
        .filter(institution_id=institution_id, caregiver__national_id=national_id.strip().upper())
        .exists()
    )


def registered_caregivers(
    *, institution_ids: Iterable[int], start: dt.date, end: dt.date
) -> set[tuple[int, str]]:
    """(institution_id, national_id) of caregivers employed on at least one day of [start, end]."""
    return set(
        Employment.objects.overlapping(start, end)
        .filter(institution_id__in=list(institution_ids))
        .values_list("institution_id", "caregiver__national_id")
    )


def caregiver_employments(
    *, institution_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, str], list[tuple[dt.date, dt.date | None]]]:
    """Employment periods per (institution_id, national_id) overlapping [start, end], for day checks."""
    result: dict[tuple[int, str], list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = (
        Employment.objects.overlapping(start, end)
        .filter(institution_id__in=list(institution_ids))
        .values_list("institution_id", "caregiver__national_id", "employed_from", "employed_to")
    )
    for inst, nid, a, b in rows:
        result[(inst, nid)].append((a, b))
    return dict(result)


def sickbed_partners(
    *, institution_ids: Iterable[int], start: dt.date, end: dt.date
) -> list[tuple[int, int, dt.date, dt.date | None]]:
    """Home sickbed partnerships (medical_id, elderly_care_id, valid_from, valid_to) of these medical
    institutions overlapping [start, end] (seed 001 家庭病床)."""
    return list(
        SickbedPartner.objects.overlapping(start, end)
        .filter(medical_id__in=list(institution_ids))
        .values_list("medical_id", "elderly_care_id", "valid_from", "valid_to")
    )


def institution_for_user(user) -> Institution | None:
    """The institution a portal user belongs to, or None (anonymous, staff, insured persons)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    link = InstitutionUser.objects.select_related("institution").filter(user=user).first()
    return link.institution if link else None


def institution_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return InstitutionUser.objects.filter(user=user).values_list("role", flat=True).first()


def agreed_price(agreement: Agreement, component: str) -> Decimal | None:
    """The agreed daily price for a component ("life" or "medical"); None means "the standard"."""
    if component not in ("life", "medical"):
        raise ValueError(f"unknown component '{component}' (life|medical)")
    return agreement.price_life if component == "life" else agreement.price_medical


def deposit_rate(agreement: Agreement, *, on: dt.date) -> Decimal | None:
    """The quality-deposit share withheld from the agreement's settlements (SPEC 6): the agreement's own
    rate, else policy `quality_deposit` in force on `on`; None when neither is set."""
    if agreement.deposit_rate is not None:
        return agreement.deposit_rate
    from ltci.core.policy import NoPolicyInForce, policy_in_force

    try:
        return policy_in_force("quality_deposit", on=on)["rate"]
    except NoPolicyInForce:
        return None


def recoverable_amounts(*, institution_ids: Iterable[int], until: dt.date) -> dict[int, Decimal]:
    """Amounts to recover plus penalties of violations found up to `until` not yet deducted."""
    rows = (
        Violation.objects.filter(
            institution_id__in=list(institution_ids), found_on__lte=until, deducted_in=""
        )
        .values("institution_id")
        .annotate(total=Sum("amount_to_recover") + Sum("penalty"))
    )
    return {r["institution_id"]: r["total"] for r in rows if r["total"]}


# --- payment standards (records of kind `payment_standard`, defined by the benefits app) ---------


def _component_of(key: str) -> str | None:
    """'residential:<class>:life|medical' -> the component (the benefits app's key format)."""
    parts = key.split(":")
    if len(parts) == 3 and parts[0] == "residential" and parts[2] in ("life", "medical"):
        return parts[2]
    return None


def price_standards(*, on: dt.date) -> dict[str, Decimal | None]:
    """The highest residential daily standard per component in force on `on` ({life, medical}).

    None for a component when the active policy pack has no such standard: prices are then only
    checked not to be negative.
    """
    found: dict[str, Decimal | None] = {"life": None, "medical": None}
    try:
        scheme = active_scheme()
    except NoPolicyInForce:
        return found
    records = PolicyRecord.objects.in_force(on).filter(scheme=scheme, kind="payment_standard")
    for record in records:
        component = _component_of(record.key)
        if component is None or record.value is None:
            continue  # not a residential standard, or not entered yet (staff enter it later)
        value = record_value(record)
        if not value.entered("daily"):
            continue  # not a residential standard, or not entered yet (staff enter it later)
        amount = value["daily"]
        if found[component] is None or amount > found[component]:
            found[component] = amount
    return found


def agreed_price_errors(*, prices: dict[str, Decimal | None], on: dt.date) -> dict[str, str]:
    """Why agreed daily prices ({"life": price, "medical": price}) on an agreement starting on `on` are
    refused, per field (price_life, price_medical): negative, above the policy's ceiling
    (``agreement_checks``, issue 14) or above the standard (SPEC 6). A price given on a date without the
    ceiling in force is refused naming the policy."""
    given = {component: price for component, price in prices.items() if price is not None}
    if not given:
        return {}
    try:
        ceiling = policy_in_force("agreement_checks", on=on)["max_daily_price"]
    except PolicyError as exc:
        return {f"price_{component}": str(exc) for component in given}
    standards = price_standards(on=on)
    labels = {"life": _("生活照料约定日价"), "medical": _("医疗护理约定日价")}
    errors = {}
    for component, price in given.items():
        error = rules.price_error(price, standards[component], labels[component], ceiling)
        if error:
            errors[f"price_{component}"] = error
    return errors


# --- occupancy ----------------------------------------------------------------------------------


def occupied_bed_counts(*, institution_ids: Iterable[int], on: dt.date) -> dict[int, int]:
    """{institution_id: residents on its registered beds on ``on``}, from the bed uses the database keeps
    equal to the admissions (BedUse; a stay occupies its bed from its first day until the day before its
    end)."""
    rows = (
        BedUse.objects.in_force(on)
        .filter(bed__institution_id__in=list(institution_ids))
        .values("bed__institution_id")
        .annotate(n=Count("pk"))
    )
    return {row["bed__institution_id"]: row["n"] for row in rows}


def institution_recipient(institution):
    """The institution as a recipient of notifications, with its contact data (issue 19)."""
    from ltci.core.notify import Kind, Recipient

    from .models import InstitutionContact

    contact = InstitutionContact.objects.filter(institution_id=institution.pk).first()
    return Recipient.of(
        kind=Kind.INSTITUTION, id=institution.pk, name=institution.name, ref=institution.code, contact=contact
    )
