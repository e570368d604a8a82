"""Reads of the benefits app, including the portal's scoped reads (nothing outside the caller's rights)."""
import datetime as dt

from django.db.models import Q

from .models import Admission, BenefitDecision, HospitalStay


def decision_in_force(*, person, on: dt.date) -> BenefitDecision | None:
    return (BenefitDecision.objects.filter(person=person, starts_on__lte=on)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on)).select_related("institution").first())


def decisions_for_person(*, person):
    return BenefitDecision.objects.filter(person=person).select_related("institution").order_by("-starts_on")


def hospital_stays_for_person(*, person):
    return HospitalStay.objects.filter(person=person).order_by("-admitted_on")


def residents_for_institution(*, institution, on: dt.date):
    """Admissions of the institution occupying a bed on the day (its residents)."""
    return (Admission.objects.filter(institution=institution, admitted_on__lte=on)
            .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=on))
            .select_related("person", "bed").order_by("bed__label", "admitted_on"))


def clients_for_institution(*, institution, on: dt.date):
    """Decisions naming the institution in force on the day (its residents and home-care clients)."""
    return (BenefitDecision.objects.filter(institution=institution, starts_on__lte=on)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
            .select_related("person").order_by("care_form", "person__name"))


def admission_for_institution(*, institution, pk: int) -> Admission | None:
    """One admission of the institution, or None for anyone else's."""
    return Admission.objects.filter(pk=pk, institution=institution).select_related("person", "bed").first()


def has_residential_decision(*, person, institution, on: dt.date) -> bool:
    return BenefitDecision.objects.filter(person=person, institution=institution, care_form="residential",
                                          starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)).exists()
