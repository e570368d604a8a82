"""The first application for LTCI benefits of a person (seed 001 五(一): the 2022 waiting-period exemption is
for persons whose *first application* falls in the exemption's window)."""

import datetime as dt

from django.db.models import Q

from ..models import Person


def first_application_note(*, person_id: int, applied_on: dt.date) -> None:
    """Keep the earliest application date of the person (called by assessment when an application is made or
    a conclusion of an earlier pilot is imported; a later application never moves it)."""
    Person.objects.filter(pk=person_id).filter(
        Q(first_applied_on__isnull=True) | Q(first_applied_on__gt=applied_on)
    ).update(first_applied_on=applied_on)
