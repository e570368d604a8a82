"""ltci.core.queries.id_set: a set of ids as one array parameter, through Django's own cursor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ltci.core.queries import id_set
from tests.benefits.conftest import make_person

pytestmark = pytest.mark.django_db


def test_id_set_selects_exactly_the_ids_in_one_parameter():
    from enrollment.models import Person

    people = [make_person(name=n) for n in ("丙", "丁", "戊")]
    with CaptureQueriesContext(connection) as queries:
        names = list(
            Person.objects.filter(pk__in=id_set([people[2].pk, people[0].pk]))
            .order_by("id")
            .values_list("name", flat=True)
        )
    assert names == ["丙", "戊"]
    assert len(queries) == 1 and "unnest" in queries[0]["sql"]  # visible to Django's query log
    assert list(Person.objects.filter(pk__in=id_set([]))) == []
