"""Working days: the State Council's holiday schedule as data (SPEC 4.3 notice periods)."""

import datetime as dt

import pytest

from ltci.core.dates import CalendarMissing, add_working_days, is_working_day
from ltci.core.models import CalendarDay

D = dt.date


@pytest.mark.django_db
def test_national_day_and_the_swapped_saturday_come_from_chinese_calendar():
    assert is_working_day(D(2025, 10, 1)) is False  # 国庆节
    assert is_working_day(D(2025, 9, 28)) is True  # Sunday worked in exchange
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)


@pytest.mark.django_db
def test_a_year_without_a_schedule_is_refused_not_guessed():
    with pytest.raises(CalendarMissing, match="2031年节假日安排尚未录入"):
        is_working_day(D(2031, 1, 1))


@pytest.mark.django_db
def test_staff_entered_days_are_the_complete_exceptions_of_their_year():
    CalendarDay.objects.create(day=D(2031, 1, 1), is_workday=False, note="元旦")
    CalendarDay.objects.create(day=D(2031, 1, 4), is_workday=True, note="调休上班")  # a Saturday
    assert is_working_day(D(2031, 1, 1)) is False
    assert is_working_day(D(2031, 1, 4)) is True
    assert is_working_day(D(2031, 1, 5)) is False  # an ordinary Sunday
    assert is_working_day(D(2031, 1, 2)) is True  # an ordinary Thursday
    assert add_working_days(D(2030, 12, 31), 3) == D(2031, 1, 4)
