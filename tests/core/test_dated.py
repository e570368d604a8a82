"""The one "in force on this day" definition (ltci.core.models.DatedQuerySet): both ends included (SPEC 5.2
dates), a stay's discharge day excluded, open ends, nullable starts, and every dated model declaring it."""

import datetime as dt

import pytest
from django.apps import apps

from benefits.models import BenefitDecision, HospitalStay
from institutions.models import CaregiverCertificate
from ltci.core.models import DatedQuerySet, Validity

from ..benefits.conftest import make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date

DATED = {
    "core.PolicyRecord": ("valid_from", "valid_to"),
    "enrollment.CoveragePeriod": ("start", "end"),
    "institutions.Agreement": ("valid_from", "valid_to"),
    "institutions.AgreementPause": ("paused_from", "paused_to"),
    "institutions.Bed": ("registered_from", "registered_to"),
    "institutions.Employment": ("employed_from", "employed_to"),
    "institutions.CaregiverCertificate": ("issued_on", "expires_on"),
    "assessment.Conclusion": ("concluded_on", "valid_until"),
    "benefits.BenefitDecision": ("starts_on", "ends_on"),
    "benefits.Admission": ("admitted_on", "discharged_on"),
    "benefits.HospitalStay": ("admitted_on", "discharged_on"),
    "benefits.OtherFundBenefit": ("starts_on", "ends_on"),
    "benefits.RemoteResidence": ("valid_from", "valid_to"),
    "benefits.AgentLink": ("valid_from", "valid_to"),
}


@pytest.mark.parametrize("label", sorted(DATED))
def test_every_dated_model_declares_its_validity_and_the_dated_queryset(label):
    model = apps.get_model(label)
    assert (model.validity.start, model.validity.end) == DATED[label]
    assert isinstance(model.objects.all(), DatedQuerySet)
    assert model.validity.end_inclusive is (label not in ("benefits.Admission", "benefits.HospitalStay"))


def _decision(person, inst, starts_on, ends_on):
    return BenefitDecision.objects.create(
        person=person,
        benefit_class="severe",
        care_form="home_visits",
        institution=inst,
        starts_on=starts_on,
        ends_on=ends_on,
    )


@pytest.mark.parametrize(
    ("on", "found"),
    [(D(2024, 2, 29), False), (D(2024, 3, 1), True), (D(2024, 3, 10), True), (D(2024, 3, 11), False)],
)
def test_in_force_includes_the_first_and_the_last_day(on, found):
    person = make_person()
    decision = _decision(person, make_institution(), D(2024, 3, 1), D(2024, 3, 10))
    assert list(BenefitDecision.objects.in_force(on)) == ([decision] if found else [])


def test_an_open_end_is_in_force_on_every_later_day():
    decision = _decision(make_person(), make_institution(), D(2024, 3, 1), None)
    assert list(BenefitDecision.objects.in_force(D(2099, 1, 1))) == [decision]
    assert list(BenefitDecision.objects.overlapping(D(2024, 1, 1), D(2024, 2, 29))) == []
    assert list(BenefitDecision.objects.overlapping(D(2024, 2, 1), D(2024, 3, 1))) == [decision]
    assert list(BenefitDecision.objects.overlapping(D(2030, 1, 1), None)) == [decision]


@pytest.mark.parametrize(
    ("start", "end", "found"),
    [
        (D(2024, 2, 1), D(2024, 2, 29), False),
        (D(2024, 2, 1), D(2024, 3, 1), True),  # the first day of the decision
        (D(2024, 3, 10), D(2024, 4, 30), True),  # its last day
        (D(2024, 3, 11), D(2024, 4, 30), False),
        (D(2024, 3, 11), None, False),
        (D(2024, 1, 1), None, True),
    ],
)
def test_overlapping_a_period_includes_both_ends(start, end, found):
    decision = _decision(make_person(), make_institution(), D(2024, 3, 1), D(2024, 3, 10))
    assert list(BenefitDecision.objects.overlapping(start, end)) == ([decision] if found else [])


def test_a_hospital_stay_is_not_in_force_on_its_discharge_day():
    stay = HospitalStay.objects.create(
        person=make_person(), admitted_on=D(2024, 3, 10), discharged_on=D(2024, 3, 13), hospital="市一院"
    )
    assert [bool(HospitalStay.objects.in_force(D(2024, 3, d))) for d in (9, 10, 12, 13)] == [
        False,
        True,
        True,
        False,
    ]
    assert list(HospitalStay.objects.overlapping(D(2024, 3, 13), D(2024, 3, 31))) == []
    assert list(HospitalStay.objects.overlapping(D(2024, 3, 12), D(2024, 3, 31))) == [stay]


def test_a_certificate_without_an_issue_date_is_in_force_until_it_expires():
    from institutions.models import Caregiver

    caregiver = Caregiver.objects.create(national_id="320302194001010011", name="李四")
    cert = CaregiverCertificate.objects.create(
        caregiver=caregiver, name="护理员证", expires_on=D(2024, 6, 30)
    )
    assert list(CaregiverCertificate.objects.in_force(D(2000, 1, 1))) == [cert]
    assert list(CaregiverCertificate.objects.in_force(D(2024, 6, 30))) == [cert]
    assert list(CaregiverCertificate.objects.in_force(D(2024, 7, 1))) == []


def test_validity_is_declared_data():
    assert Validity("a", "b") == Validity("a", "b", end_inclusive=True)


@pytest.mark.parametrize("model", [HospitalStay, BenefitDecision, CaregiverCertificate])
def test_the_raw_sql_condition_is_the_queryset_condition_on_every_day(model):
    """in_force_sql (raw SQL of the set-based jobs) selects what in_force selects, day by day."""
    from django.db import connection

    from institutions.models import Caregiver
    from ltci.core.models import in_force_sql

    person, inst = make_person(), make_institution()
    caregiver = Caregiver.objects.create(national_id="320302194001010011", name="李四")
    for n, (start, end) in enumerate(
        [(D(2024, 3, 1), D(2024, 3, 3)), (D(2024, 3, 5), None), (D(2024, 3, 2), D(2024, 3, 2))]
    ):
        if model is HospitalStay:
            HospitalStay.objects.create(
                person=make_person(), admitted_on=start, discharged_on=end, hospital="市一院"
            )
        elif model is BenefitDecision:
            _decision(make_person(), inst, start, end)
        else:
            CaregiverCertificate.objects.create(
                caregiver=caregiver, name=f"证{n}", issued_on=start if n else None, expires_on=end
            )
    table = model._meta.db_table
    for day in (D(2024, 2, 29) + dt.timedelta(days=n) for n in range(8)):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.id FROM {table} t WHERE {in_force_sql(model, 't', '%(on)s')}",  # noqa: S608
                {"on": day},
            )
            raw = sorted(pk for (pk,) in cursor.fetchall())
        assert raw == sorted(model.objects.in_force(day).values_list("pk", flat=True)), day
    assert person and inst
