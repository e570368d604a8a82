"""Payment standards (SPEC 5.2) as pure functions, plus the loader that reads them from the policy.

Each function takes the standard's values (Decimals) and the inputs of one settlement line and returns
an ``Amounts`` that satisfies charged = fund + personal + rejected (SPEC 7.2). Rounding happens once per
line and ratio (``ltci.core.money.fen``): bases are summed first, then multiplied, then rounded.
``standards_for`` reads the record in force from the active policy scheme; a standard left for staff to
enter (null value or null amount) raises ``PolicyNotEntered`` naming it, so nothing is paid as zero.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ltci.core.money import ZERO, fen
from ltci.core.policy import NoPolicyInForce, PolicyValue, dec, policy_in_force, policy_record, record_value

OVER_PRICE = "OVER_PRICE"
OVER_LIMIT = "OVER_LIMIT"


@dataclass(frozen=True)
class Amounts:
    """Money of one line (or one part of it): charged = fund + personal + rejected."""

    charged: Decimal = ZERO
    fund: Decimal = ZERO
    personal: Decimal = ZERO
    rejected: Decimal = ZERO
    codes: tuple[str, ...] = ()
    # Per input item (same order): (base, rejected) so callers can report record by record.
    items: tuple[tuple[Decimal, Decimal], ...] = field(default=(), compare=False)

    def __post_init__(self):
        if self.charged != self.fund + self.personal + self.rejected:
            raise ValueError(
                f"charged {self.charged} != fund {self.fund} + personal {self.personal} "
                f"+ rejected {self.rejected}"
            )

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts(
            self.charged + other.charged,
            self.fund + other.fund,
            self.personal + other.personal,
            self.rejected + other.rejected,
            tuple(sorted(set(self.codes) | set(other.codes))),
            self.items + other.items,
        )


def effective_ratio(fund_ratio: Decimal, *, categories: Iterable[str] = (), bonus=None) -> Decimal:
    """Return the fund ratio raised by the bonus points for the special groups (seed 001 五(三)1(3))."""
    if bonus is not None and set(categories) & set(bonus["categories"]):
        return min(Decimal("1"), fund_ratio + dec(bonus["points"]))
    return fund_ratio


def prorated_limit(limit: Decimal, *, eligible_days: int, days_in_month: int) -> Decimal:
    """Return the monthly limit for part of a month: limit x eligible days / days in month, to the fen."""
    if eligible_days >= days_in_month:
        return limit
    return prorated_limits([(limit, eligible_days)], days_in_month=days_in_month)


def prorated_limits(parts: Iterable[tuple[Decimal, int]], *, days_in_month: int) -> Decimal:
    """Return the month's limit when its eligible days fall under several limits (a class change within the
    month): the sum of each limit x its eligible days, over the days in month, to the fen (SPEC 5.2 B)."""
    return fen(sum((limit * days for limit, days in parts), Decimal(0)) / days_in_month)


def at_ratio(items: Sequence[tuple[Decimal, Decimal]], *, fund_ratio: Decimal, code: str) -> Amounts:
    """A line from its items' (base, rejected): fund = fen(sum of bases x ratio), personal = bases - fund,
    the rejected parts under ``code``."""
    base_total = sum((b for b, _ in items), ZERO)
    over = sum((r for _, r in items), ZERO)
    fund = fen(base_total * fund_ratio)
    return Amounts(
        charged=base_total + over,
        fund=fund,
        personal=base_total - fund,
        rejected=over,
        codes=(code,) if over else (),
        items=tuple(items),
    )


def residential(
    charges: Sequence[Decimal],
    *,
    standard_daily: Decimal,
    fund_ratio: Decimal,
    agreed_price: Decimal | None = None,
) -> Amounts:
    """Price the payable bed-days of one component at one ratio (SPEC 5.2 A).

    Per day the base is min(charge, agreed price if set, daily standard); the part of a charge above the
    agreed price or the standard is rejected with OVER_PRICE. fund = fen(sum of bases x ratio);
    personal = bases - fund (the person pays it to the institution).
    """
    cap = standard_daily if agreed_price is None else min(agreed_price, standard_daily)
    items = []
    for charge in charges:
        base = min(charge, cap)
        items.append((base, charge - base))
    return at_ratio(items, fund_ratio=fund_ratio, code=OVER_PRICE)


def within_limit(
    charges: Sequence[Decimal], *, limit: Decimal, fund_ratio: Decimal = Decimal("1")
) -> Amounts:
    """Price home visits against a monthly limit (SPEC 5.2 B1/B2): only the excess is rejected (OVER_LIMIT).

    Charges are taken in the order given (chronological); the first ones fill the limit.
    """
    room = limit
    items = []
    for charge in charges:
        base = min(charge, max(room, ZERO))
        room -= base
        items.append((base, charge - base))
    return at_ratio(items, fund_ratio=fund_ratio, code=OVER_LIMIT)


def within_weekly_count(days: Sequence[dt.date], *, per_week: int) -> list[bool]:
    """For visits in chronological order: True for each of the first ``per_week`` visits of its calendar week
    (Monday to Sunday), False for the visits beyond the weekly count (seed 002 每周服务 4 次)."""
    seen: dict[tuple[int, int], int] = {}
    result = []
    for day in days:
        week = day.isocalendar()[:2]
        seen[week] = seen.get(week, 0) + 1
        result.append(seen[week] <= per_week)
    return result


def package_with_copay(
    charges: Sequence[Decimal],
    *,
    limit: Decimal,
    copay_per_visit: Decimal,
    counted: Sequence[bool] | None = None,
) -> Amounts:
    """Nantong home package (seed 002): the person pays the co-payment per visit, the fund the rest within
    the monthly limit; the excess over the limit is rejected (OVER_LIMIT). A visit beyond the weekly count
    (``counted`` False, see ``within_weekly_count``) is rejected whole (OVER_LIMIT) before the limit fills."""
    room = limit
    items = []
    fund = personal = ZERO
    for n, charge in enumerate(charges):
        if counted is not None and not counted[n]:
            items.append((ZERO, charge))
            continue
        copay = min(charge, copay_per_visit)
        payable = min(charge - copay, max(room, ZERO))
        room -= payable
        fund += payable
        personal += copay
        items.append((copay + payable, charge - copay - payable))
    over = sum((r for _, r in items), ZERO)
    return Amounts(
        charged=fund + personal + over,
        fund=fund,
        personal=personal,
        rejected=over,
        codes=(OVER_LIMIT,) if over else (),
        items=tuple(items),
    )


def per_day(
    charges: Sequence[Decimal], days: Sequence[dt.date], *, daily: Decimal, fund_ratio: Decimal
) -> Amounts:
    """Community care (Jinjiang 社区护理, seed 003): each day's charges count up to the daily standard, the
    part above it is rejected (OVER_PRICE); fund = fen(sum of bases x ratio), personal = bases - fund."""
    room: dict[dt.date, Decimal] = {}
    items = []
    for charge, day in zip(charges, days, strict=True):
        left = room.setdefault(day, daily)
        base = min(charge, left)
        room[day] = left - base
        items.append((base, charge - base))
    return at_ratio(items, fund_ratio=fund_ratio, code=OVER_PRICE)


def fund_cap_base(room: Decimal, fund_ratio: Decimal) -> Decimal:
    """The largest base (to the fen, rounded down) whose fund share stays within ``room`` (a budget)."""
    if fund_ratio <= 0:
        return Decimal("Infinity")
    return (max(room, ZERO) / fund_ratio).quantize(Decimal("0.01"), rounding="ROUND_DOWN")


def charity_share(amounts: Amounts, *, charity_ratio: Decimal) -> Decimal:
    """The charity fund's part of a device line (Jinjiang): fen(base x charity ratio), within the personal part."""
    return min(fen((amounts.fund + amounts.personal) * charity_ratio), amounts.personal)


def devices(
    charges: Sequence[Decimal], *, yearly_limit: Decimal, used_this_year: Decimal, fund_ratio: Decimal
) -> Amounts:
    """Assistive devices within the yearly limit, fund:person by ratio (Nantong 8:2); excess OVER_LIMIT."""
    result = within_limit(charges, limit=max(yearly_limit - used_this_year, ZERO), fund_ratio=fund_ratio)
    return result


def allowance(*, daily: Decimal, eligible_days: int, ratio: Decimal = Decimal("1")) -> Amounts:
    """A daily allowance paid to the person (family care, remote cash, daily allowance): charged = fund."""
    amount = fen(daily * eligible_days * ratio)
    return Amounts(charged=amount, fund=amount)


def family_allowance(
    *, daily: Decimal, eligible_days: int, carer_trained: bool | None, untrained_ratio: Decimal
) -> Amounts:
    """Family-care allowance (seed 001 五(二)2): 80% when the carer has not passed the training."""
    ratio = untrained_ratio if carer_trained is False else Decimal("1")
    return allowance(daily=daily, eligible_days=eligible_days, ratio=ratio)


# ---------------------------------------------------------------------------------------------------------
# Loading the standards in force


@dataclass(frozen=True)
class Standard:
    """The values of one payment standard record, amounts as Decimals."""

    key: str
    record_id: int
    values: PolicyValue

    def amount(self, name: str) -> Decimal:
        """The field's value; PolicyNotEntered naming the standard and field when it is left for staff."""
        return self.values[name]


def standard_key(care_form: str, benefit_class: str, component: str = "") -> str:
    return ":".join(p for p in (care_form, benefit_class, component) if p)


def standards_for(care_form: str, benefit_class: str, component: str = "", *, on: dt.date) -> Standard:
    """Return the payment standard in force on a day for a care form, class and (residential) component."""
    key = standard_key(care_form, benefit_class, component)
    # a record keyed by the form alone is the standard of every class (a seed that does not split it by class,
    # Nantong's package); never another form's or class's standard
    every_class = care_form if care_form != "residential" else key
    record = policy_record("payment_standard", on=on, key=key, fallback_keys=(every_class,))
    if record.key not in (key, every_class):
        raise NoPolicyInForce(f"no policy in force: 'payment_standard' [{key}] on {on.isoformat()}")
    return Standard(key=key, record_id=record.pk, values=record_value(record))


def ratio_bonus(*, on: dt.date) -> PolicyValue | None:
    """The fund-ratio bonus of the special groups in force, or None when the scheme has none."""
    try:
        return policy_in_force("fund_ratio_bonus", on=on)
    except NoPolicyInForce:
        return None
