"""Hospital stays recorded by staff (the file import is benefits.imports.hospital)."""

import datetime as dt

from django.db import transaction

from benefits.models import HospitalStay
from ltci.core.history import set_history_user


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
    set_history_user(stay, actor)
    stay.save()
    return stay
