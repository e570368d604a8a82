"""Reads of conclusions and applications, including the portal's scoped reads (SPEC 4, 5.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from ltci.core.queries import id_set

from .models import Application, Assignment, Conclusion


def conclusion_in_force(*, person, on: dt.date) -> Conclusion | None:
    """Return the final conclusion in force for ``person`` on ``on`` (rules.pick_conclusion), or None."""
    person_id = getattr(person, "pk", person)
    latest = (
        Conclusion.objects.filter(person_id=person_id, state=Conclusion.State.FINAL, concluded_on__lte=on)
        .order_by("-concluded_on", "-id")
        .first()
    )
    if latest is None or latest.valid_until < on:
        return None
    return latest


def conclusions_in_force(
    *, person_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[Conclusion]]:
    """Return, per person id, every final conclusion that can govern some day in start..end (one query).

    The list is ordered by concluded_on (then id) and includes the last conclusion before ``start`` even
    if it expired, so ``rules.pick_conclusion(list, day)`` gives the same answer as conclusion_in_force
    for each day. Persons without any such conclusion are absent.
    """
    ids = list(person_ids)
    if not ids:
        return {}
    last_before = (
        Conclusion.objects.filter(
            person_id=OuterRef("person_id"), state=Conclusion.State.FINAL, concluded_on__lte=start
        )
        .order_by("-concluded_on")
        .values("concluded_on")[:1]
    )
    rows = (
        Conclusion.objects.filter(
            person_id__in=id_set(ids), state=Conclusion.State.FINAL, concluded_on__lte=end
        )
        .annotate(floor=Coalesce(Subquery(last_before), Value(dt.date.min), output_field=DateField()))
        .filter(concluded_on__gte=F("floor"))
        .order_by("person_id", "concluded_on", "id")
    )
    result: dict[int, list[Conclusion]] = {}
    for conclusion in rows:
        result.setdefault(conclusion.person_id, []).append(conclusion)
    return result


def grade_on(*, person, on: dt.date) -> int | None:
    """Return the grade in force on a date, or None."""
    conclusion = conclusion_in_force(person=person, on=on)
    return conclusion.grade if conclusion else None


def open_application(*, person) -> Application | None:
    return (
        Application.objects.filter(person=person)
        .exclude(state__in=[Application.State.RETURNED, Application.State.FINAL, Application.State.WITHDRAWN])
        .first()
    )


def applications_for_agency(*, agency) -> QuerySet[Application]:
    """Return the applications assigned to an agency (portal scope: nothing outside it)."""
    return Application.objects.filter(agency=agency).select_related("person")


def tasks_for_assessor(*, assessor, states: Iterable[str] | None = None):
    """Return the assessor's live assignments with their applications, newest first."""
    qs = Assignment.objects.filter(
        assessor=assessor, application__agency_id=assessor.agency_id
    ).select_related("application", "application__person")
    if states is not None:
        qs = qs.filter(state__in=list(states))
    return qs.order_by("-created_at")


def assignment_for_assessor(*, assessor, assignment_id: int) -> Assignment | None:
    """Return one of the assessor's own assignments, or None for anyone else's."""
    return (
        Assignment.objects.filter(
            pk=assignment_id, assessor=assessor, application__agency_id=assessor.agency_id
        )
        .select_related("application", "application__person")
        .first()
    )


def applications_for_person(*, person) -> QuerySet[Application]:
    """Return a person's applications, newest first (status page: only the person's own)."""
    return Application.objects.filter(person=person).select_related("agency").order_by("-applied_on", "-id")


def applications_by_institution(*, institution) -> QuerySet[Application]:
    """Return the applications an institution made on behalf of persons (portal scope), newest first."""
    return (
        Application.objects.filter(applying_institution=institution)
        .select_related("person")
        .prefetch_related("conclusions")
        .order_by("-applied_on", "-id")
    )


def person_by_id_and_name(*, national_id: str, name: str):
    """Return the insured person whose ID number and name both match, else None (no probing by ID alone)."""
    from enrollment.models import Person

    return Person.objects.filter(national_id=national_id.strip().upper(), name=name.strip()).first()


def reminders_for_institution(*, institution):
    """Return expiry reminders naming an institution (its residents to reassess), soonest expiry first."""
    from .models import ExpiryReminder

    return (
        ExpiryReminder.objects.filter(care_institution=institution)
        .select_related("conclusion", "conclusion__person")
        .order_by("conclusion__valid_until")
    )


def conclusions_for_person(*, person):
    return (
        Conclusion.objects.filter(person=person)
        .exclude(state=Conclusion.State.DRAFT)
        .order_by("-concluded_on")
    )


__all__ = [
    "applications_by_institution",
    "applications_for_person",
    "person_by_id_and_name",
    "reminders_for_institution",
    "applications_for_agency",
    "assignment_for_assessor",
    "conclusion_in_force",
    "conclusions_for_person",
    "conclusions_in_force",
    "grade_on",
    "open_application",
    "tasks_for_assessor",
]


def applications_seen_by_portal_user(
    *, institution, role: str, user, applying: bool = True
) -> QuerySet[Application]:
    """Applications whose documents a portal user may download: the assessing agency's administrator and clerks
    (the agency's intake office) and the agency's assessors assigned to the application (not declined or
    cancelled); with ``applying``, also the administrator and clerks of the care institution that applied on
    the person's behalf. On-site photos (``applying=False``) stay with the administrator and the assessors."""
    on_it = Assignment.objects.filter(
        application=OuterRef("pk"),
        assessor__user=user,
        assessor__agency=institution,
        assessor__active=True,
        state__in=[Assignment.State.ASSIGNED, Assignment.State.CONFIRMED],
    )
    office = ("admin", "clerk") if applying else ("admin",)
    seen = Q(agency=institution) if role in office else Q(agency=institution) & Exists(on_it)
    if applying and role in ("admin", "clerk"):
        seen |= Q(applying_institution=institution)
    return Application.objects.filter(seen)


@dataclass(frozen=True)
class NoticeRow:
    """One conclusion on the public notice (公示) as the public may see it: never a full name or ID."""

    masked_name: str
    region: str
    grade: int
    grade_name: str
    notice_from: dt.date
    notice_until: dt.date


def conclusions_on_notice(*, on: dt.date, region_code: str = "") -> QuerySet:
    """Conclusions whose notice period includes ``on`` (SPEC 4.3), newest notice first, optionally of one
    district; only the columns the public list shows (index ``conclusion_on_notice``)."""
    rows = Conclusion.objects.filter(
        state=Conclusion.State.NOTICE, notice_from__lte=on, notice_until__gte=on
    ).order_by("-notice_from", "notice_until", "id")
    if region_code:
        rows = rows.filter(person__region_code=region_code)
    return rows.values("grade", "notice_from", "notice_until", "person__name", "person__region_code")


def notice_regions(*, on: dt.date) -> list[tuple[str, str]]:
    """(code, name) of the districts with a conclusion on notice on ``on``, for the list's filter."""
    from enrollment.regions import region_names

    codes = (
        Conclusion.objects.filter(state=Conclusion.State.NOTICE, notice_from__lte=on, notice_until__gte=on)
        .values_list("person__region_code", flat=True)
        .distinct()
    )
    names = region_names()
    return sorted((code, names.get(code, code)) for code in codes)


def notice_rows(values: Iterable[dict]) -> list[NoticeRow]:
    """The public's view of rows of ``conclusions_on_notice``: the name masked, the district by name."""
    from enrollment.regions import region_names
    from ltci.core.idnumber import mask_name

    from .scales import GRADE_NAMES

    names = region_names()
    return [
        NoticeRow(
            masked_name=mask_name(v["person__name"]),
            region=names.get(v["person__region_code"], v["person__region_code"]),
            grade=v["grade"],
            grade_name=GRADE_NAMES.get(v["grade"], ""),
            notice_from=v["notice_from"],
            notice_until=v["notice_until"],
        )
        for v in values
    ]


def objections_overdue_lookups(on: dt.date) -> dict:
    """Objections whose reassessment is not done by its deadline on ``on`` (复核超期; partial index
    ``objection_unsettled_due``)."""
    return {"settled_on__isnull": True, "due_on__lt": on}
