"""Builders for benefits tests: persons with coverage and paid contributions, conclusions, institutions."""

import datetime as dt
import itertools

import pytest

from ltci.core.idnumber import check_char

_seq = itertools.count(1)
D = dt.date


def make_id(birth: str = "19400101", region: str = "320302") -> str:
    first17 = f"{region}{birth}{next(_seq) % 1000:03d}"
    return first17 + check_char(first17)


def make_person(
    *,
    name="张三",
    birth="19400101",
    insurance_type="employee",
    categories=(),
    died_on=None,
    covered_from=None,
    covered_to=None,
    paid_years=range(2021, 2027),
    national_id=None,
):
    """A person covered since before the first contribution year and paid on time every year (no waiting)."""
    from enrollment.models import Contribution, CoveragePeriod, Person

    covered_from = covered_from or D(2020, 1, 1)
    person = Person.objects.create(
        national_id=national_id or make_id(birth),
        name=name,
        birth_date=dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        sex="M",
        insurance_type=insurance_type,
        region_code="320302",
        categories=list(categories),
        died_on=died_on,
    )
    CoveragePeriod.objects.create(
        person=person,
        insurance_type=insurance_type,
        start=covered_from,
        end=covered_to,
        end_reason="died" if died_on and covered_to else "",
    )
    for year in paid_years:
        Contribution.objects.create(
            person=person,
            year=year,
            insurance_type=insurance_type,
            region_code="320302",
            total_amount=100,
            individual_amount=30,
            pooled_fund_amount=70,
            individual_paid=30,
            status="paid",
            due_by=D(year, 1, 31),
            fully_paid_on=D(year, 1, 10),
        )
    return person


def make_conclusion(person, *, grade=3, concluded_on=None, valid_until=None, state="final"):
    from assessment.models import Conclusion

    concluded_on = concluded_on or D(2024, 1, 1)
    valid_until = valid_until or max(D(2025, 12, 31), concluded_on)
    return Conclusion.objects.create(
        person=person, grade=grade, concluded_on=concluded_on, valid_until=valid_until, state=state
    )


def make_institution(
    *,
    code=None,
    type="elderly_care",
    care_forms=("residential", "home_visits", "home_family"),
    beds=3,
    valid_from=None,
    valid_to=None,
):
    from institutions.models import Agreement, Bed, Institution

    valid_from, valid_to = valid_from or D(2023, 1, 1), valid_to or D(2026, 12, 31)
    code = code or f"JG{next(_seq):04d}"
    inst = Institution.objects.create(
        code=code, name=f"机构{code}", type=type, region_code="320302", status="active"
    )
    Agreement.objects.create(
        institution=inst,
        valid_from=valid_from,
        valid_to=valid_to,
        care_forms=list(care_forms),
        insurance_expires_on=valid_to,
        state="active",
    )
    for n in range(1, beds + 1):
        Bed.objects.create(institution=inst, label=f"{n:02d}", registered_from=valid_from)
    return inst


def covered_classes_record(scheme, classes=("severe", "moderate")):
    """Ensure the pack's covered_classes record exists (the settlement helper adds it to the packs)."""
    from ltci.core.models import PolicyRecord

    record = PolicyRecord.objects.filter(scheme=scheme, kind="covered_classes", key="*").first()
    if record is None:
        record = PolicyRecord.objects.create(
            scheme=scheme,
            kind="covered_classes",
            key="*",
            valid_from=D(2000, 1, 1),
            value={"classes": list(classes)},
        )
    return record


@pytest.fixture
def policy(xuzhou):
    covered_classes_record(xuzhou)
    return xuzhou
