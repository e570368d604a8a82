"""Date helpers shared by the apps (month ranges, ISO parsing, working days)."""

import calendar
import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def in_period(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """True when ``day`` is in the period, both ends included (end None = open): SPEC 5.2 dates, the pure
    twin of ``DatedQuerySet.in_force`` for values already read."""
    return start <= day and (end is None or day <= end)


def periods_overlap(
    start: dt.date | None, end: dt.date | None, other_start: dt.date | None, other_end: dt.date | None
) -> bool:
    """True when two periods share a day, both ends included (None = open): the pure twin of
    ``DatedQuerySet.overlapping``."""
    return (other_end is None or start is None or start <= other_end) and (
        end is None or other_start is None or other_start <= end
    )


def display_date(day: dt.date) -> str:
    """A date inside a message for the user: 2026年01月05日 in Chinese, ISO 2026-01-05 in English."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return day.isoformat() if language.startswith("en") else f"{day:%Y年%m月%d日}"


def parse_iso_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD strictly; raise ValueError with a readable reason."""
    raw = (text or "").strip()
    try:
        if len(raw) != 10:
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("%(text)s 不是 YYYY-MM-DD 格式的日期") % {"text": raw}) from None


def parse_month(text: str) -> dt.date:
    """Parse YYYY-MM and return the first day of that month."""
    raw = (text or "").strip()
    try:
        year, month = raw.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(_("%(text)s 不是 YYYY-MM 格式的月份") % {"text": raw}) from None


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def days_in_month(first: dt.date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, clamping to the month's end (6 March + 6 months = 6 September)."""
    return day + relativedelta(months=months)


class CalendarMissing(ValueError):
    """The holiday schedule of a year is neither in chinese-calendar nor entered by staff."""


def is_working_day(day: dt.date) -> bool:
    """Chinese working day, including swapped weekend working days.

    A staff-entered CalendarDay decides first; then chinese-calendar for the years it knows; a year known to
    neither is refused, never guessed as Monday-Friday (a deadline across an unknown 春节 would be wrong).
    """
    import chinese_calendar

    from .models import CalendarDay

    entered = CalendarDay.objects.filter(day__year=day.year).values_list("day", "is_workday")
    if entered:
        return dict(entered).get(day, day.weekday() < 5)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarMissing(
            _("%(year)s年节假日安排尚未录入（系统设置 → 节假日安排），无法计算工作日") % {"year": day.year}
        ) from None


def add_working_days(day: dt.date, count: int) -> dt.date:
    """Return the date `count` working days after `day`."""
    current = day
    remaining = count
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
