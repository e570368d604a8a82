"""ltci.core.queries.Precompiled: the compiled-once queryset gives what the queryset gives, for any values."""

import datetime as dt

import pytest
from django.db.models import Count

from ltci.core.queries import SENTINEL_DAY, SENTINEL_ID, Precompiled, id_set
from tests.benefits.conftest import make_conclusion, make_person

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _own_instances():
    """The instances made here stay out of the registry that gunicorn's warm-up compiles."""
    before = list(Precompiled.instances)
    yield
    Precompiled.instances[:] = before


def _fields(objs):
    return [{f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields} for o in objs]


def test_same_rows_and_instances_as_the_queryset_for_each_person_and_day():
    from assessment.models import Conclusion

    a, b = make_person(name="甲"), make_person(name="乙")
    make_conclusion(a, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2026, 12, 31))
    make_conclusion(b, grade=4, concluded_on=D(2025, 1, 1), valid_until=D(2027, 6, 30))

    def build(person, on):
        return (
            Conclusion.objects.filter(person=person, valid_until__gte=on)
            .select_related("person")
            .order_by("-concluded_on")
        )

    compiled = Precompiled(build, person=SENTINEL_ID, on=SENTINEL_DAY)
    for person, on in ((a, D(2026, 1, 1)), (b, D(2026, 1, 1)), (a, D(2027, 1, 1)), (b, D(2027, 1, 1))):
        got, want = compiled(person=person.pk, on=on), list(build(person.pk, on))
        assert _fields(got) == _fields(want)
        assert [o.person.name for o in got] == [o.person.name for o in want]  # select_related populated
        assert all(not o._state.adding and o._state.db == "default" for o in got)
    assert compiled(person=a.pk, on=D(2027, 1, 1)) == []


def test_id_sets_and_deferred_fields():
    from enrollment.models import Person

    people = [make_person(name=n) for n in ("丙", "丁", "戊")]
    compiled = Precompiled(
        lambda ids: Person.objects.filter(pk__in=id_set(ids)).only("id", "name").order_by("id"),
        ids=[SENTINEL_ID],
    )
    assert [p.name for p in compiled(ids=[people[2].pk, people[0].pk])] == ["丙", "戊"]
    assert compiled(ids=[]) == []
    person = compiled(ids=[people[1].pk])[0]
    assert person.get_deferred_fields() and person.national_id == people[1].national_id  # loads on access


def test_refuses_querysets_it_cannot_replay():
    from enrollment.models import Person

    with pytest.raises(TypeError):
        Precompiled(lambda: Person.objects.values("id"))()
    with pytest.raises(TypeError):
        Precompiled(lambda: Person.objects.annotate(n=Count("coverage")))()
    # A build that ignores its value would silently run with the sentinel's: refused at first use.
    with pytest.raises(ValueError, match="person"):
        Precompiled(lambda person: Person.objects.filter(pk=1), person=SENTINEL_ID)(person=5)
