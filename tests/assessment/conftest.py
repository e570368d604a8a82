"""Shared builders for assessment tests: insured persons, agencies, assessors, a full item set."""

import datetime as dt
from decimal import Decimal

import pytest

from enrollment.models import Contribution, CoveragePeriod, Person
from institutions.models import Institution
from ltci.core.idnumber import make_id_number, parse_id_number

FULL = {
    "eating": 10,
    "dressing": 10,
    "face_oral_hygiene": 5,
    "bowel_control": 10,
    "bladder_control": 10,
    "toileting": 10,
    "level_walking": 15,
    "bed_chair_transfer": 15,
    "stairs": 10,
    "bathing": 5,
    "time_orientation": 4,
    "person_orientation": 4,
    "space_orientation": 4,
    "memory": 4,
    "vision": 4,
    "hearing": 4,
    "communication": 4,
}
NOTHING = dict.fromkeys(FULL, 0)  # grade 5
# ADL 50 (moderate), cognition 11 (moderate), perception 11 (mild): grade 2.
MODERATE = {
    **FULL,
    "face_oral_hygiene": 0,
    "dressing": 5,
    "bowel_control": 5,
    "toileting": 5,
    "level_walking": 10,
    "bed_chair_transfer": 5,
    "stairs": 0,
    "bathing": 0,
    "time_orientation": 3,
    "space_orientation": 2,
    "memory": 2,
    "hearing": 3,
}

_serial = iter(range(100, 999))


def make_person(
    *,
    insured_from=dt.date(2022, 1, 1),
    paid_years=(2024, 2025, 2026),
    arrears_years=(),
    name="张三",
    serial=None,
):
    number = make_id_number("320302", dt.date(1940, 5, 6), serial or next(_serial))
    info = parse_id_number(number)
    person = Person.objects.create(
        national_id=number,
        name=name,
        birth_date=info.birth_date,
        sex=info.sex,
        insurance_type="resident",
        region_code="320302",
    )
    if insured_from:
        CoveragePeriod.objects.create(person=person, insurance_type="resident", start=insured_from)
    for year in paid_years:
        Contribution.objects.create(
            person=person,
            year=year,
            insurance_type="resident",
            region_code="320302",
            total_amount=Decimal("70.00"),
            individual_amount=Decimal("20.00"),
            individual_paid=Decimal("20.00"),
            status="paid",
            due_by=dt.date(year, 1, 31),
            fully_paid_on=dt.date(year, 1, 10),
        )
    for year in arrears_years:
        Contribution.objects.create(
            person=person,
            year=year,
            insurance_type="resident",
            region_code="320302",
            total_amount=Decimal("70.00"),
            individual_amount=Decimal("20.00"),
            individual_paid=Decimal("0.00"),
            status="arrears",
            due_by=dt.date(year, 1, 31),
        )
    return person


def make_institution(code, type_="assessment_agency", status="active"):
    return Institution.objects.create(
        code=code, name=f"机构{code}", type=type_, region_code="320302", status=status
    )


def make_assessors(agency, specs):
    """specs: list of (name, medical, [linked institutions])."""
    from assessment.models import Assessor

    result = []
    for name, medical, linked in specs:
        a = Assessor.objects.create(
            agency=agency,
            name=name,
            national_id=make_id_number("320302", dt.date(1980, 1, 1), next(_serial)),
            medical_professional=medical,
        )
        a.linked_institutions.set(linked)
        result.append(a)
    return result


@pytest.fixture
def person(xuzhou):
    return make_person()


@pytest.fixture
def agency(xuzhou):
    return make_institution("PG001")


def coordinator_group():
    """The 评估协调员 group with the assessment permissions (a transactional test may have flushed it)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="评估协调员")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="assessment").exclude(
            codename__startswith="delete_"
        )
    )
    return group
