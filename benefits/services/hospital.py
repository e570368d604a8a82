"""Hospital stays recorded by staff (the file import is benefits.imports.hospital)."""

import datetime as dt

from django.db import transaction

from benefits.models import HospitalStay


@transaction.atomic
def hospital_stay_record(
    *, person, admitted_on: dt.date, discharged_on: dt.date | None, hospital: str, actor=None
) -> HospitalStay:
    """Create or update the stay identified by person + admitted_on."""
    stay, _ = HospitalStay.objects.select_for_update().get_or_create(
        person=person,
        admitted_on=admitted_on,
        defaults={"hospital": hospital, "discharged_on": discharged_on},
    )
    stay.discharged_on = discharged_on
    stay.hospital = hospital
    stay._history_user = actor if getattr(actor, "pk", None) else None
    stay.save()
    return stay
