"""Residential admissions on registered beds (SPEC 5.1 condition 6, 6 portal): admit, discharge, change bed.

An admission occupies its bed over [admitted_on, discharged_on): the admission day is a bed-day, the
discharge day is not, and the bed is free for the next occupant on that day (SPEC 5.2 算入不算出).
"""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from benefits.models import Admission
from institutions.models import Bed, Institution
from ltci.core.history import set_history_user


class AdmissionError(ValueError):
    """A residential admission cannot be recorded; the message says why (Chinese-free, for logs and files)."""


def _natural(label: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label)]


def free_beds(*, institution, on: dt.date, until: dt.date | None = None) -> list[Bed]:
    """Return the institution's beds registered on ``on`` and free from ``on`` until ``until`` (exclusive;
    None = open), lowest label first."""
    beds = list(Bed.objects.in_force(on).filter(institution=institution))
    last = until - dt.timedelta(days=1) if until is not None else None
    busy = Admission.objects.overlapping(on, last).filter(bed__in=beds)
    taken = set(busy.values_list("bed_id", flat=True))
    return sorted((b for b in beds if b.pk not in taken), key=lambda b: _natural(b.label))


def _lock_institution(institution) -> None:
    Institution.objects.select_for_update().filter(pk=institution.pk).first()


@transaction.atomic
def admission_admit(
    *, person, institution, on: dt.date, bed: Bed | None = None, until: dt.date | None = None, actor=None
) -> Admission:
    """Admit the person to a registered bed from ``on`` (the lowest free label unless ``bed`` is given)."""
    _lock_institution(institution)
    current = Admission.objects.in_force(on).filter(person=person).first()
    if current is not None:
        if current.institution_id == institution.pk and bed is None:
            return current
        raise AdmissionError(
            _("该参保人自 %(date)s 起已入住 %(code)s")
            % {"code": current.institution.code, "date": current.admitted_on.isoformat()}
        )
    later = Admission.objects.filter(person=person, admitted_on__gt=on)
    if until is not None:
        later = later.filter(admitted_on__lt=until)
    first_later = later.first()
    if first_later is not None:
        raise AdmissionError(
            _("该参保人在 %(date)s 有更晚的入住记录") % {"date": first_later.admitted_on.isoformat()}
        )
    free = free_beds(institution=institution, on=on, until=until)
    if bed is None:
        if not free:
            raise AdmissionError(
                _("%(code)s 在 %(date)s 没有空闲的登记床位")
                % {"code": institution.code, "date": on.isoformat()}
            )
        bed = free[0]
    elif bed.institution_id != institution.pk:
        raise AdmissionError(_("床位 %(bed)s 不属于 %(code)s") % {"bed": bed.label, "code": institution.code})
    elif bed not in free:
        raise AdmissionError(
            _("%(code)s 的床位 %(bed)s 在 %(date)s 未登记或不空闲")
            % {"bed": bed.label, "code": institution.code, "date": on.isoformat()}
        )
    admission = Admission(
        person=person, institution=institution, bed=bed, admitted_on=on, discharged_on=until
    )
    set_history_user(admission, actor)
    try:
        with transaction.atomic():
            admission.save()
    except IntegrityError:
        raise AdmissionError(
            _("%(code)s 的床位 %(bed)s 在 %(date)s 已被占用")
            % {"bed": bed.label, "code": institution.code, "date": on.isoformat()}
        ) from None
    return admission


@transaction.atomic
def admission_discharge(*, admission: Admission, on: dt.date, actor=None) -> Admission:
    """Record the discharge day (not a bed-day); the bed is free again from that day."""
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if on < admission.admitted_on:
        raise AdmissionError(
            _("出院日期 %(end)s 早于入住日期 %(start)s")
            % {"end": on.isoformat(), "start": admission.admitted_on.isoformat()}
        )
    if admission.discharged_on is not None and admission.discharged_on <= on:
        return admission
    admission.discharged_on = on
    set_history_user(admission, actor)
    admission.save()
    return admission


@transaction.atomic
def admission_change_bed(*, admission: Admission, bed: Bed, on: dt.date, actor=None) -> Admission:
    """Move the resident to another free registered bed of the same institution from ``on``."""
    if bed.institution_id != admission.institution_id:
        raise AdmissionError(_("床位 %(bed)s 不属于该入住者所在机构") % {"bed": bed.label})
    if admission.bed_id == bed.pk:
        return admission
    if on <= admission.admitted_on:
        raise AdmissionError(_("换床日期必须晚于入住日期"))
    until = admission.discharged_on
    admission_discharge(admission=admission, on=on, actor=actor)
    return admission_admit(
        person=admission.person, institution=admission.institution, on=on, bed=bed, until=until, actor=actor
    )


NO_DECISION_MESSAGE = gettext_lazy("该参保人在入住日期没有本机构的机构护理待遇核定")


def admission_admit_for_institution(
    *, institution, national_id: str, on: dt.date, bed: Bed | None = None, actor=None
) -> Admission:
    """Portal/API admission: only persons with a residential decision at this institution on the day.

    An unknown ID number and a person without such a decision get the same message, so the portal cannot
    be used to find out whether someone is insured.
    """
    from benefits.selectors import has_residential_decision
    from enrollment.models import Person

    person = Person.objects.filter(national_id=(national_id or "").strip().upper()).first()
    if person is None or not has_residential_decision(person=person, institution=institution, on=on):
        raise AdmissionError(NO_DECISION_MESSAGE)
    return admission_admit(person=person, institution=institution, on=on, bed=bed, actor=actor)
