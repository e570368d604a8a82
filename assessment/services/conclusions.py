"""Conclusions: notice, finalisation with its events, revocation, and the SPEC 11.7 import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.dates import CalendarMissing, add_working_days, display_date
from ltci.core.history import set_change_reason
from ltci.core.import_fields import RowError, unknown_institution_message, unknown_person_message
from ltci.core.policy import PolicyError, PolicyValue, policy_in_force

from ..models import Conclusion, ConclusionEvent
from ..rules import valid_until as compute_valid_until


class AssessmentError(ValueError):
    """A workflow step refused, with a Chinese message for the user."""


def assessment_policy(on: dt.date) -> PolicyValue:
    """Return the `assessment` policy record in force on a date (raises PolicyError)."""
    return policy_in_force("assessment", on=on)


def _previous_in_force(conclusion: Conclusion) -> Conclusion | None:
    """Return the final conclusion that governed the day before ``conclusion`` took effect."""
    from ..selectors import conclusion_in_force

    return conclusion_in_force(person=conclusion.person_id, on=conclusion.concluded_on - dt.timedelta(days=1))


def publish_final_events(conclusion: Conclusion, *, previous: Conclusion | None) -> None:
    """Record the `final` event and, when the grade fell against ``previous``, the `downgraded` one."""
    ConclusionEvent.objects.get_or_create(
        conclusion=conclusion,
        kind=ConclusionEvent.Kind.FINAL,
        defaults={
            "person_id": conclusion.person_id,
            "effective_on": conclusion.concluded_on,
            "grade": conclusion.grade,
            "previous_grade": previous.grade if previous else None,
        },
    )
    if previous is not None and previous.grade > conclusion.grade:
        ConclusionEvent.objects.get_or_create(
            conclusion=conclusion,
            kind=ConclusionEvent.Kind.DOWNGRADED,
            defaults={
                "person_id": conclusion.person_id,
                "effective_on": conclusion.concluded_on,
                "grade": conclusion.grade,
                "previous_grade": previous.grade,
            },
        )


def working_days_after(on: dt.date, days: int) -> dt.date:
    """``days`` Chinese working days after ``on`` (ltci.core.dates); a year without a holiday schedule is
    refused with its reason."""
    try:
        return add_working_days(on, days)
    except CalendarMissing as exc:
        raise AssessmentError(str(exc)) from None


@transaction.atomic
def conclusion_publish_notice(*, conclusion: Conclusion, on: dt.date, actor=None) -> Conclusion:
    """Put a draft conclusion on public notice for N working days from the next working day (SPEC 4.3)."""
    conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    if conclusion.state != Conclusion.State.DRAFT:
        raise AssessmentError(
            _("只有草拟状态的结论可以公示（当前：%(state)s）。") % {"state": conclusion.get_state_display()}
        )
    days = assessment_policy(on)["notice_working_days"]
    conclusion.notice_from = working_days_after(on, 1)
    conclusion.notice_until = working_days_after(on, days)
    conclusion.state = Conclusion.State.NOTICE
    set_change_reason(conclusion, f"公示 {conclusion.notice_from}..{conclusion.notice_until}")
    conclusion.save()
    conclusion_notice_notify(conclusion)
    return conclusion


def conclusion_notice_notify(conclusion: Conclusion) -> None:
    """Tell the person of a conclusion and its public notice (issue 19): the grade and the notice period in
    which an objection may be made. Once per conclusion; the public notice page may call it again safely."""
    from enrollment.selectors import person_recipient
    from ltci.core.notify import Event, notify

    from ..scales import get_scale

    person = conclusion.person
    name = get_scale().grade_names.get(conclusion.grade, "")
    notify(
        event=Event.CONCLUSION_NOTICE,
        key=f"conclusion:{conclusion.pk}",
        recipients=[person_recipient(person)],
        context={
            "person_name": person.name,
            "grade": f"{conclusion.grade}级 {name}".strip(),
            "notice_from": conclusion.notice_from,
            "notice_until": conclusion.notice_until,
        },
    )


@transaction.atomic
def conclusion_finalize(
    *, conclusion: Conclusion, on: dt.date, actor=None, check_notice: bool = True
) -> Conclusion:
    """Make a conclusion final on ``on`` (its concluded_on) with validity and review deadline (SPEC 4.3)."""
    conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    if conclusion.state == Conclusion.State.FINAL:
        return conclusion
    if conclusion.state not in (Conclusion.State.NOTICE, Conclusion.State.DRAFT):
        raise AssessmentError(
            _("结论状态为“%(state)s”，不能生效。") % {"state": conclusion.get_state_display()}
        )
    if check_notice:
        if conclusion.state != Conclusion.State.NOTICE:
            raise AssessmentError(_("结论尚未公示，不能生效。"))
        assert conclusion.notice_until is not None  # a conclusion on notice has its notice period
        if on <= conclusion.notice_until:
            raise AssessmentError(
                _("公示期至%(notice_until)s，公示期满后方可生效。")
                % {"notice_until": display_date(conclusion.notice_until)}
            )
    policy = assessment_policy(on)
    conclusion.concluded_on = on
    conclusion.valid_until = compute_valid_until(on, policy["validity_months"])
    conclusion.review_deadline = working_days_after(on, policy["review_request_working_days"])
    previous = _previous_in_force(conclusion)
    conclusion.state = Conclusion.State.FINAL
    conclusion.finalized_at = timezone.now()
    set_change_reason(conclusion, "结论生效")
    conclusion.save()
    publish_final_events(conclusion, previous=previous)
    return conclusion


@transaction.atomic
def conclusion_revoke(*, conclusion: Conclusion, on: dt.date, reason: str, actor=None) -> Conclusion:
    """Revoke a conclusion (a draft after an upheld objection, or a final one replaced by staff)."""
    conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    was_final = conclusion.state == Conclusion.State.FINAL
    conclusion.state = Conclusion.State.REVOKED
    set_change_reason(conclusion, reason)
    conclusion.save()
    if was_final:
        ConclusionEvent.objects.get_or_create(
            conclusion=conclusion,
            kind=ConclusionEvent.Kind.REVOKED,
            defaults={"person_id": conclusion.person_id, "effective_on": on, "grade": conclusion.grade},
        )
    return conclusion


@dataclass(frozen=True)
class ImportedConclusion:
    """One parsed row of the SPEC 11.7 conclusions file."""

    national_id: str
    grade: int
    concluded_on: dt.date
    valid_until: dt.date | None
    agency_code: str
    applied_on: dt.date | None = (
        None  # the application of the pilot system; empty: concluded_on at the latest
    )


def conclusions_import_rows(rows: list[tuple[int, ImportedConclusion]], *, today: dt.date):
    """Apply parsed rows atomically: return (applied, unchanged, errors); rejected rows write nothing.

    A row is identified by person and concluded_on: the same row again is unchanged, a changed grade,
    validity or agency updates the conclusion (history keeps the old values) and records a `corrected`
    event. Imported conclusions are final and marked imported.
    """
    from enrollment.selectors import persons_by_national_id
    from enrollment.services.applications import first_application_note
    from institutions.selectors import institutions_by_code

    persons = persons_by_national_id(r.national_id for _, r in rows)
    agencies = institutions_by_code(r.agency_code for _, r in rows if r.agency_code)
    errors: list[RowError] = []
    applied = unchanged = 0
    seen: dict[tuple[str, dt.date], int] = {}
    with transaction.atomic():
        for row, item in rows:
            problems: list[RowError] = []
            person = persons.get(item.national_id)
            if person is None:
                problems.append(RowError(row, "national_id", unknown_person_message(item.national_id)))
            agency = agencies.get(item.agency_code) if item.agency_code else None
            if item.agency_code and agency is None:
                problems.append(RowError(row, "agency_code", unknown_institution_message(item.agency_code)))
            elif agency is not None and agency.type != "assessment_agency":
                problems.append(
                    RowError(
                        row,
                        "agency_code",
                        _("机构 %(code)s 不是评估机构（机构类型 %(type)s %(label)s）")
                        % {"code": item.agency_code, "type": agency.type, "label": agency.get_type_display()},
                    )
                )
            if item.concluded_on > today:
                problems.append(
                    RowError(
                        row, "concluded_on", _("%(date)s 晚于今天") % {"date": item.concluded_on.isoformat()}
                    )
                )
            key = (item.national_id, item.concluded_on)
            if key in seen:
                problems.append(
                    RowError(
                        row,
                        "concluded_on",
                        _("同一参保人、同一结论日期已在第 %(row)s 行") % {"row": seen[key]},
                    )
                )
            until = item.valid_until
            if until is None:
                try:
                    months = assessment_policy(item.concluded_on)["validity_months"]
                except (PolicyError, KeyError) as exc:
                    problems.append(
                        RowError(
                            row, "valid_until", _("未填写，且没有有效期政策：%(error)s") % {"error": exc}
                        )
                    )
                else:
                    until = compute_valid_until(item.concluded_on, months)
            if until is not None and until < item.concluded_on:
                problems.append(
                    RowError(
                        row,
                        "valid_until",
                        _("%(until)s 早于结论日期 %(date)s") % {"until": until, "date": item.concluded_on},
                    )
                )
            if problems:
                errors.extend(problems)
                continue
            seen[key] = row
            assert until is not None  # a validity neither given nor computable is a problem above
            assert person is not None  # an unknown person is a problem above
            first_application_note(person_id=person.pk, applied_on=item.applied_on or item.concluded_on)
            if _apply_one(person, item, until, agency):
                applied += 1
            else:
                unchanged += 1
    return applied, unchanged, errors


def _apply_one(person, item: ImportedConclusion, until: dt.date, agency) -> bool:
    existing = (
        Conclusion.objects.select_for_update()
        .filter(person=person, concluded_on=item.concluded_on, state=Conclusion.State.FINAL)
        .order_by("id")
        .first()
    )
    if existing is None:
        conclusion = Conclusion(
            person=person,
            grade=item.grade,
            concluded_on=item.concluded_on,
            valid_until=until,
            state=Conclusion.State.FINAL,
            agency=agency,
            imported=True,
            finalized_at=timezone.now(),
        )
        previous = _previous_in_force(conclusion)
        set_change_reason(conclusion, "迁移导入")
        conclusion.save()
        publish_final_events(conclusion, previous=previous)
        return True
    if (existing.grade, existing.valid_until, existing.agency_id) == (
        item.grade,
        until,
        getattr(agency, "pk", None),
    ):
        return False
    old_grade = existing.grade
    existing.grade, existing.valid_until, existing.agency = item.grade, until, agency
    set_change_reason(existing, "迁移导入更正")
    existing.save()
    ConclusionEvent.objects.create(
        conclusion=existing,
        person=person,
        kind=ConclusionEvent.Kind.CORRECTED,
        effective_on=existing.concluded_on,
        grade=item.grade,
        previous_grade=old_grade,
    )
    return True
