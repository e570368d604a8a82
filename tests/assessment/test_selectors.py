"""The conclusion-in-force contract used by benefits (SPEC 4.3, 5.1 condition 3)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from assessment.models import Conclusion
from assessment.rules import pick_conclusion, valid_until
from assessment.selectors import conclusion_in_force, conclusions_in_force
from tests.assessment.conftest import make_person

D = dt.date


@pytest.mark.parametrize(
    ("concluded", "months", "until"),
    [
        (D(2024, 3, 10), 24, D(2026, 3, 9)),
        (D(2024, 1, 1), 24, D(2025, 12, 31)),
        (D(2024, 2, 29), 24, D(2026, 2, 27)),  # 2026-02-28 is the clamped anniversary, minus one day
        (D(2024, 1, 31), 1, D(2024, 2, 28)),
    ],
)
def test_validity_counts_months_including_the_conclusion_day(concluded, months, until):
    assert valid_until(concluded, months) == until


def c(pk, concluded, until, grade=3):
    return SimpleNamespace(pk=pk, concluded_on=concluded, valid_until=until, grade=grade)


def test_pick_takes_the_latest_concluded_even_if_an_earlier_is_still_valid():
    old, new = c(1, D(2024, 1, 1), D(2025, 12, 31), 4), c(2, D(2024, 6, 1), D(2026, 5, 31), 2)
    assert pick_conclusion([new, old], D(2024, 5, 31)) is old
    assert pick_conclusion([new, old], D(2024, 6, 1)) is new
    assert pick_conclusion([new, old], D(2023, 12, 31)) is None


def test_pick_returns_none_after_the_latest_expired_even_if_an_older_one_runs_longer():
    long_old, short_new = c(1, D(2024, 1, 1), D(2025, 12, 31)), c(2, D(2024, 6, 1), D(2024, 8, 31))
    assert pick_conclusion([long_old, short_new], D(2024, 8, 31)) is short_new
    assert pick_conclusion([long_old, short_new], D(2024, 9, 1)) is None


def test_pick_breaks_same_day_ties_by_the_later_record():
    assert (
        pick_conclusion(
            [c(5, D(2024, 1, 1), D(2025, 1, 1)), c(7, D(2024, 1, 1), D(2025, 1, 1))], D(2024, 2, 1)
        ).pk
        == 7
    )


def _final(person, concluded, until, grade, state="final"):
    return Conclusion.objects.create(
        person=person, grade=grade, concluded_on=concluded, valid_until=until, state=state
    )


def test_selectors_agree_with_the_rule_every_day(xuzhou, django_assert_num_queries):
    p, q = make_person(serial=21), make_person(serial=23)
    a = _final(p, D(2024, 1, 1), D(2025, 12, 31), 4)
    b = _final(p, D(2024, 3, 10), D(2024, 3, 20), 2)
    _final(p, D(2024, 3, 15), D(2026, 1, 1), 5, state="draft")
    d = _final(p, D(2024, 3, 25), D(2026, 3, 24), 3)
    _final(q, D(2020, 1, 1), D(2021, 12, 31), 3)
    with django_assert_num_queries(1):
        found = conclusions_in_force(person_ids=[p.pk, q.pk], start=D(2024, 3, 1), end=D(2024, 3, 31))
    assert [x.pk for x in found[p.pk]] == [a.pk, b.pk, d.pk]
    day = D(2024, 3, 1)
    while day <= D(2024, 3, 31):
        for person in (p, q):
            expected = conclusion_in_force(person=person, on=day)
            assert pick_conclusion(found.get(person.pk, []), day) == expected, day
        day += dt.timedelta(days=1)
    assert conclusion_in_force(person=p, on=D(2024, 3, 22)) is None  # b governs and has expired
    assert conclusion_in_force(person=p, on=D(2024, 3, 9)).pk == a.pk
    assert conclusions_in_force(person_ids=[], start=day, end=day) == {}
