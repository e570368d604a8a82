"""Numbers and dates as an office reads them (issue 16): the one set of display helpers for pages, admin lists,
PDFs and exports. Templates use the same functions as filters (``{% load formatting %}``:
``{{ amount|money }}``, ``{{ ratio|percent }}``, ``{{ run.month|month }}``).

- money(Decimal("114467.1"))  -> "¥114,467.10"   (every language: the currency is the yuan)
- amount(Decimal("114467.1")) -> "114,467.10"    (a column whose heading already says 元)
- percent(Decimal("0.7256"))  -> "72.56%"
- month(date(2026, 11, 1))    -> "2026年11月" in Chinese, "Nov 2026" in English
- day(date(2026, 11, 5))      -> "2026-11-05"    (ISO in both languages: what staff type into date fields)
- shown(value, kind)          -> a report cell by its column's kind ("money", "percent", "month", "int"; the
                                 kinds of ltci.core.exports.Column, so a table reads the same on the page and
                                 in its XLSX)

None and "" show as an em dash, the office's sign for "nothing here". The helpers display only: amounts are
computed and rounded by ltci.core.money, never here.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation

EMPTY = "—"
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _grouped(number: Decimal, places: int) -> str:
    text = f"{abs(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    return f"-{text}" if number < 0 and text.strip("0.,") else text


def amount(value, places: int = 2) -> str:
    """An amount with thousands separators and two decimals: 114,467.10 (no currency sign)."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    return _grouped(number, places)


def money(value) -> str:
    """An amount in yuan: ¥114,467.10, -¥12.00."""
    text = amount(value)
    if text == EMPTY or not text[-1:].isdigit():
        return text
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def percent(value, places: int = 2) -> str:
    """A ratio (0.7256) as a percentage: 72.56%."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    return f"{_grouped(number * 100, places)}%"


def _english() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("en")


def month(value) -> str:
    """A month (a date in it, or "YYYY-MM"): 2026年11月 in Chinese, Nov 2026 in English."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value + "-01" if len(value) == 7 else value)
        except ValueError:
            return value
    if _english():
        return f"{_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月"


def day(value) -> str:
    """A day as staff type it into forms: 2026-11-05 (a datetime shows its local day)."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value.isoformat()


def count(value) -> str:
    """A whole number with thousands separators: 12,345."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value in (None, "") else str(value)
    return _grouped(number, 0)


def shown(value, kind: str = "") -> str:
    """A cell of a report table by its column's kind; a cell of no kind by its type."""
    if value is None or value == "":
        return EMPTY
    by_kind = {"money": money, "percent": percent, "month": month, "int": count, "date": day}
    if kind in by_kind:
        return by_kind[kind](value)
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, Decimal):
        return amount(value)
    return str(value)


def login(user) -> str:
    """A user as staff pick them: the person's name with the login name, 周评估（assessor2a）; the login name
    alone when the account has no name."""
    if user is None:
        return EMPTY
    return coded(user.get_username(), user.get_full_name().strip())


def coded(code, label) -> str:
    """A code shown with its label: 鼓楼区（320302）; the code alone when it has no label."""
    if code in (None, ""):
        return EMPTY
    if not label or label == code:
        return str(code)
    return f"{label} ({code})" if _english() else f"{label}（{code}）"
