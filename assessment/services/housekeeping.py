"""Daily housekeeping (SPEC 9): expiry reminders, expiry events; office-ordered spot checks (SPEC 4.3)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ..models import Application, Conclusion, ConclusionEvent, ExpiryReminder, SpotCheck
from ..rules import sample_ids
from .conclusions import AssessmentError, assessment_policy


def _current_final():
    """Final conclusions not replaced by a later final conclusion of the same person."""
    later = Conclusion.objects.filter(
        person_id=OuterRef("person_id"),
        state=Conclusion.State.FINAL,
        concluded_on__gt=OuterRef("concluded_on"),
    )
    return Conclusion.objects.filter(state=Conclusion.State.FINAL).exclude(Exists(later))


@transaction.atomic
def expiry_reminders_create(*, on: dt.date) -> int:
    """Create a reminder for each current conclusion expiring within the policy's reminder days (idempotent).

    The reminder names the care institution recorded on the conclusion's application, if any; benefits
    (which knows the current institution) may show it to the person and the institution.
    """
    days = assessment_policy(on)["reminder_days"]
    due = (
        _current_final()
        .filter(valid_until__gte=on, valid_until__lte=on + dt.timedelta(days=days))
        .exclude(Exists(ExpiryReminder.objects.filter(conclusion_id=OuterRef("pk"))))
        .values_list("pk", "application__care_institution_id", "person_id", "valid_until")
    )
    due = list(due)
    rows = [
        ExpiryReminder(conclusion_id=pk, remind_on=on, care_institution_id=care) for pk, care, _, _ in due
    ]
    ExpiryReminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    expiry_notify([(pk, person_id, until) for pk, _, person_id, until in due], on=on)
    return len(rows)


def expiry_notify(expiring, *, on: dt.date) -> None:
    """Tell each person whose conclusion expires soon (issue 19), once per conclusion."""
    from enrollment.selectors import person_recipients
    from ltci.core.notify import Event, notify_many

    recipients = person_recipients({person_id for _, person_id, _ in expiring})
    notify_many(
        event=Event.EXPIRY_REMINDER,
        items=[
            (
                f"conclusion:{pk}",
                recipients[person_id],
                {"person_name": recipients[person_id].name, "valid_until": until},
            )
            for pk, person_id, until in expiring
        ],
        on=on,
    )


@transaction.atomic
def conclusions_expire(*, on: dt.date) -> int:
    """Record an `expired` event for each current conclusion whose validity ended before ``on`` (idempotent)."""
    expired = (
        _current_final()
        .filter(valid_until__lt=on)
        .exclude(
            Exists(
                ConclusionEvent.objects.filter(
                    conclusion_id=OuterRef("pk"), kind=ConclusionEvent.Kind.EXPIRED
                )
            )
        )
        .values_list("pk", "person_id", "grade", "valid_until")
    )
    rows = [
        ConclusionEvent(
            conclusion_id=pk,
            person_id=person_id,
            kind=ConclusionEvent.Kind.EXPIRED,
            effective_on=until + dt.timedelta(days=1),
            grade=grade,
        )
        for pk, person_id, grade, until in expired
    ]
    ConclusionEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def spot_check_sample(*, on: dt.date, size: int, seed: int, min_grade: int = 1) -> list[int]:
    """Return the person ids a spot check of ``size`` with ``seed`` picks on ``on`` (reads only)."""
    open_apps = Application.objects.filter(person_id=OuterRef("person_id")).exclude(
        state__in=[Application.State.RETURNED, Application.State.FINAL, Application.State.WITHDRAWN]
    )
    population = (
        _current_final()
        .in_force(on)
        .filter(grade__gte=min_grade)
        .exclude(Exists(open_apps))
        .values_list("person_id", flat=True)
    )
    return sample_ids(population, size=size, seed=seed)


@transaction.atomic
def spot_check_order(
    *, on: dt.date, size: int, seed: int, min_grade: int = 1, note: str = "", actor=None
) -> SpotCheck:
    """Sample ``size`` persons with a conclusion in force (grade >= min_grade) and open reassessments.

    Reproducible: the same population, size and seed give the same persons. Persons with an open
    application are left out of the population.
    """
    if size <= 0:
        raise AssessmentError(_("抽查数量须大于0。"))
    chosen = spot_check_sample(on=on, size=size, seed=seed, min_grade=min_grade)
    spot = SpotCheck.objects.create(
        ordered_on=on,
        size=size,
        seed=seed,
        note=note,
        ordered_by=actor if getattr(actor, "pk", None) else None,
    )
    bulk_create_with_history(
        [
            Application(
                person_id=pid,
                kind=Application.Kind.SPOT_CHECK,
                applied_by=Application.AppliedBy.STAFF,
                channel=Application.Channel.OFFICE,
                applied_on=on,
                state=Application.State.ACCEPTED,
                spot_check=spot,
                reason=note or "经办机构抽查复评",
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            for pid in chosen
        ],
        Application,
    )
    return spot
