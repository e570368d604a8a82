import datetime as dt

import pytest
from django.utils import translation

from enrollment.models import CoveragePeriod, Person

from .conftest import nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


A = nid(1)
B = nid(2, region="320303")


def test_roster_creates_person_and_coverage(roster):
    report = roster(f"{A},张三,employee,320302,2022-01-01,medical_aid,true,,")
    assert report.errors == [] and report.applied == 1
    person = Person.objects.get(national_id=A)
    assert person.birth_date == dt.date(1960, 5, 1) and person.sex == "M"
    assert person.categories == ["medical_aid"] and person.has_personal_account
    period = person.coverage.get()
    assert (period.start, period.end, period.start_reason) == (dt.date(2022, 1, 1), None, "enrolled")


def test_same_roster_twice_changes_nothing(roster):
    rows = [
        f"{A},张三,employee,320302,2022-01-01,,true,,",
        f"{B},李四,resident,320303,2022-03-01,,false,2024-05-01,died",
    ]
    first = roster(*rows)
    second = roster(*rows)
    assert (first.applied, first.unchanged) == (2, 0)
    assert (second.applied, second.unchanged, second.errors) == (0, 2, [])
    assert CoveragePeriod.objects.count() == 2
    assert Person.history.count() == 0


def test_changed_field_updates_with_history(roster):
    roster(f"{A},张三,employee,320302,2022-01-01,,true,,")
    report = roster(f"{A},张三丰,employee,320311,2022-01-01,,true,,")
    assert report.applied == 1
    person = Person.objects.get(national_id=A)
    assert (person.name, person.region_code) == ("张三丰", "320311")
    assert person.history.first().name == "张三丰"


def test_end_then_reenrolment_opens_moved_in_period(roster):
    roster(f"{A},张三,employee,320302,2022-01-01,,true,,")
    roster(f"{A},张三,employee,320302,2022-01-01,,true,2023-06-30,moved_out")
    report = roster(f"{A},张三,employee,320302,2024-02-01,,true,,")
    assert report.errors == []
    periods = list(
        Person.objects.get(national_id=A).coverage.values_list("start", "end", "start_reason", "end_reason")
    )
    assert periods == [
        (dt.date(2022, 1, 1), dt.date(2023, 6, 30), "enrolled", "moved_out"),
        (dt.date(2024, 2, 1), None, "moved_in", ""),
    ]


def test_died_sets_died_on(roster):
    roster(f"{A},张三,employee,320302,2022-01-01,,true,,")
    roster(f"{A},张三,employee,320302,2022-01-01,,true,2025-03-04,died")
    assert Person.objects.get(national_id=A).died_on == dt.date(2025, 3, 4)


def test_insurance_type_change_closes_and_opens(roster):
    roster(f"{A},张三,resident,320302,2022-01-01,,false,,")
    roster(f"{A},张三,employee,320302,2024-07-01,,true,,")
    periods = list(CoveragePeriod.objects.values_list("insurance_type", "start", "end"))
    assert periods == [
        ("resident", dt.date(2022, 1, 1), dt.date(2024, 6, 30)),
        ("employee", dt.date(2024, 7, 1), None),
    ]


def test_duplicate_national_id_rejects_later_row(roster):
    report = roster(
        f"{A},张三,employee,320302,2022-01-01,,true,,", f"{A},张三,employee,320302,2022-01-01,,true,,"
    )
    assert [str(e) for e in report.errors] == [
        "row 3, field national_id: duplicate: the same as row 2 (公民身份号码)"
    ]
    assert Person.objects.count() == 1
