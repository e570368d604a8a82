"""Institutions counts the residents on its beds from its own BedUse rows, which the triggers of benefits'
admissions keep (issue 15: no registry, no upward call). Differential: after random admissions, discharges and
bed changes through the benefits services, institutions' occupancy equals the rule computed in SQL from
benefits_admission directly (a stay occupies its bed from admitted_on until the day before discharged_on)."""

import datetime as dt
import importlib
import random

import pytest
from django.db import connection

from benefits.models import Admission
from benefits.services import admission_admit, admission_change_bed, admission_discharge
from benefits.services.admissions import AdmissionError
from institutions.models import Bed, BedUse
from institutions.selectors import occupied_bed_counts

from .conftest import make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
FIRST, LAST = D(2024, 1, 1), D(2024, 3, 31)
MIGRATION = importlib.import_module("benefits.migrations.0009_bed_use_triggers")


def _old_rule(institution_ids, on):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT institution_id, count(*) FROM benefits_admission
            WHERE bed_id IS NOT NULL AND admitted_on <= %s AND (discharged_on IS NULL OR discharged_on > %s)
            AND institution_id = ANY(%s) GROUP BY institution_id""",
            [on, on, list(institution_ids)],
        )
        return dict(cursor.fetchall())


def _day(rng, start=FIRST):
    return start + dt.timedelta(days=rng.randrange((LAST - start).days + 1))


def _random_world(rng):
    insts = [make_institution(beds=3), make_institution(beds=2)]
    people = [make_person() for _ in range(7)]
    for _ in range(45):
        op = rng.random()
        try:
            if op < 0.5:
                inst = rng.choice(insts)
                bed = rng.choice([None, *Bed.objects.filter(institution=inst)])
                until = rng.choice([None, _day(rng)])
                on = _day(rng)
                if until is not None and until <= on:
                    until = None
                admission_admit(person=rng.choice(people), institution=inst, on=on, bed=bed, until=until)
            elif (admission := Admission.objects.order_by("?").first()) is not None:
                day = _day(rng, admission.admitted_on)
                if op < 0.8:
                    admission_discharge(admission=admission, on=day)
                else:
                    bed = rng.choice(list(Bed.objects.filter(institution_id=admission.institution_id)))
                    admission_change_bed(admission=admission, bed=bed, on=day)
        except AdmissionError:
            pass  # refused by the services: nothing written
    return [i.pk for i in insts]


@pytest.mark.parametrize("seed", range(4))
def test_occupancy_from_bed_uses_equals_the_admissions_rule(policy, seed):
    rng = random.Random(seed)
    ids = _random_world(rng)
    assert Admission.objects.filter(bed__isnull=False).count() >= 3  # the world is not empty
    seen = 0
    day = FIRST - dt.timedelta(days=1)
    while day <= LAST + dt.timedelta(days=1):
        assert occupied_bed_counts(institution_ids=ids, on=day) == _old_rule(ids, day), day
        seen += sum(_old_rule(ids, day).values())
        day += dt.timedelta(days=1)
    assert seen > 0


def test_every_writer_keeps_the_bed_uses_and_the_backfill_rebuilds_them(policy):
    inst = make_institution(beds=2)
    first = admission_admit(person=make_person(), institution=inst, on=D(2024, 1, 1))
    second = admission_admit(person=make_person(), institution=inst, on=D(2024, 1, 2))
    admission_discharge(admission=first, on=D(2024, 1, 10))
    use = BedUse.objects.get(source_id=first.pk)
    assert (use.bed_id, use.person_id, use.start, use.end) == (
        first.bed_id,
        first.person_id,
        D(2024, 1, 1),
        D(2024, 1, 10),
    )
    assert occupied_bed_counts(institution_ids=[inst.pk], on=D(2024, 1, 9)) == {inst.pk: 2}
    assert occupied_bed_counts(institution_ids=[inst.pk], on=D(2024, 1, 10)) == {inst.pk: 1}  # discharge day
    with connection.cursor() as cursor:  # plain SQL writers are followed too
        cursor.execute("UPDATE benefits_admission SET bed_id = NULL WHERE id = %s", [second.pk])
    assert not BedUse.objects.filter(source_id=second.pk).exists()
    Admission.objects.filter(pk=first.pk).delete()
    assert not BedUse.objects.exists()
    third = admission_admit(person=make_person(), institution=inst, on=D(2024, 2, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM institutions_beduse")
        cursor.execute(MIGRATION.BACKFILL)
    assert list(BedUse.objects.values_list("source_id", "start", "end")) == [(third.pk, D(2024, 2, 1), None)]
