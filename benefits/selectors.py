"""Reads of the benefits app, including the portal's scoped reads (nothing outside the caller's rights)."""

import datetime as dt

from .models import Admission, BenefitDecision, HospitalStay


def decision_in_force(*, person, on: dt.date) -> BenefitDecision | None:
    return BenefitDecision.objects.in_force(on).filter(person=person).select_related("institution").first()


def decisions_for_person(*, person):
    return BenefitDecision.objects.filter(person=person).select_related("institution").order_by("-starts_on")


def hospital_stays_for_person(*, person):
    return HospitalStay.objects.filter(person=person).order_by("-admitted_on")


def residents_for_institution(*, institution, on: dt.date):
    """Admissions of the institution occupying a bed on the day (its residents)."""
    return (
        Admission.objects.in_force(on)
        .filter(institution=institution)
        .select_related("person", "bed")
        .order_by("bed__label", "admitted_on", "pk")
    )


def clients_for_institution(*, institution, on: dt.date):
    """Decisions naming the institution in force on the day (its residents and home-care clients)."""
    return (
        BenefitDecision.objects.in_force(on)
        .filter(institution=institution)
        .select_related("person")
        .order_by("care_form", "person__name", "pk")
    )


def admission_for_institution(*, institution, pk: int) -> Admission | None:
    """One admission of the institution, or None for anyone else's."""
    return Admission.objects.filter(pk=pk, institution=institution).select_related("person", "bed").first()


def has_residential_decision(*, person, institution, on: dt.date) -> bool:
    return (
        BenefitDecision.objects.in_force(on)
        .filter(person=person, institution=institution, care_form="residential")
        .exists()
    )


def persons_served_by(*, institution, person_ids) -> tuple[set[int], set[int]]:
    """Of the given persons, (those the institution serves, those with any benefit decision).

    An institution serves a person it has admitted or that a benefit decision names, at any time (the
    month's audit judges the dates). Portal and API submissions may name only such persons, or, for
    device records, any beneficiary (SPEC 5.2 devices go with any care form).
    """
    ids = set(person_ids)
    served = set(
        Admission.objects.filter(institution=institution, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    decided: dict[int, bool] = {}
    for person_id, institution_id in BenefitDecision.objects.filter(person_id__in=ids).values_list(
        "person_id", "institution_id"
    ):
        decided[person_id] = decided.get(person_id, False) or institution_id == institution.pk
    served |= {person_id for person_id, named in decided.items() if named}
    return served, set(decided)


def person_and_agent_recipients(person, *, on: dt.date) -> list:
    """The person and the agents or guardians linked to act for them on the day, as recipients of the
    notifications of benefits and payouts (issue 19); a deceased person's notices go to the agents only."""
    from enrollment.selectors import person_recipient
    from ltci.core.notify import Kind, Recipient

    from .models import AgentContact, AgentLink

    found = [] if person.died_on else [person_recipient(person)]
    links = AgentLink.objects.in_force(on).filter(principal=person).select_related("account")
    contacts = {
        c.account_id: c for c in AgentContact.objects.filter(account_id__in=[k.account_id for k in links])
    }
    for link in links:
        account = link.account
        if account.person_id == person.pk:
            continue
        found.append(
            Recipient.of(
                kind=Kind.AGENT,
                id=account.pk,
                name=account.name,
                ref=account.national_id,
                contact=contacts.get(account.pk),
                subject_ref=person.national_id,
            )
        )
    return found
