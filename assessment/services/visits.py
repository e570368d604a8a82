"""The on-site visit: item scores, notes, photos, both assessors' confirmation (SPEC 4.2)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.history import set_change_reason

from ..models import Application, Assignment, Conclusion, Visit, VisitPhoto
from ..scales import DEFAULT_VERSION, GradingError, get_scale
from ..states import application_transition
from ..validators import validate_upload
from .conclusions import AssessmentError


def _live_assignment(assignment: Assignment) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update().select_related("application", "assessor").get(pk=assignment.pk)
    )
    if assignment.state not in (Assignment.State.ASSIGNED, Assignment.State.CONFIRMED):
        raise AssessmentError(_("该评估任务已拒绝或已取消。"))
    if assignment.application.state != Application.State.ASSIGNED:
        raise AssessmentError(
            _("该申请当前状态为“%(state)s”，不能录入评估。")
            % {"state": assignment.application.get_state_display()}
        )
    return assignment


def grade_items(items: dict, scale_version: str = DEFAULT_VERSION):
    """Grade item scores, turning a GradingError into a Chinese message naming every bad item."""
    scale = get_scale(scale_version)
    try:
        return scale.grade(items)
    except GradingError as exc:
        known = getattr(scale, "items", {})
        parts = []
        for key, message in exc.problems:
            item = known.get(key)
            parts.append(
                _("条目“%(value)s”：%(message)s")
                % {"value": item.name_zh if item else key, "message": message}
            )
        raise AssessmentError("；".join(parts)) from None


@transaction.atomic
def visit_record(
    *,
    assignment: Assignment,
    items: dict,
    visited_on: dt.date,
    notes: str = "",
    present: str = "",
    photos=(),
    scale_version: str = DEFAULT_VERSION,
) -> Visit:
    """Record (or correct) the round's item scores; the grade is computed. Clears earlier confirmations."""
    assignment = _live_assignment(assignment)
    result = grade_items(items, scale_version)
    for photo in photos:
        try:
            validate_upload(photo)
        except ValidationError as exc:
            raise AssessmentError("；".join(exc.messages)) from None
    visit, _ = Visit.objects.update_or_create(
        application=assignment.application,
        round=assignment.round,
        defaults={
            "visited_on": visited_on,
            "scale_version": result.scale_version,
            "items": dict(items),
            "adl": result.adl,
            "cognition": result.cognition,
            "perception": result.perception,
            "grade": result.grade,
            "notes": notes,
            "present": present,
            "recorded_by": assignment.assessor,
            "completed_at": None,
        },
    )
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, file=photo)
    for confirmed in Assignment.objects.filter(
        application=assignment.application, round=assignment.round, state=Assignment.State.CONFIRMED
    ):
        confirmed.state, confirmed.confirmed_at = Assignment.State.ASSIGNED, None
        set_change_reason(confirmed, "评估结果已修改，需重新确认")
        confirmed.save()  # one by one so history records the withdrawn confirmation
    return visit


@transaction.atomic
def visit_confirm(*, assignment: Assignment, actor=None) -> Visit:
    """Confirm the recorded scores; when both assessors have, complete the visit and move on."""
    assignment = _live_assignment(assignment)
    application = assignment.application
    visit = Visit.objects.select_for_update().filter(application=application, round=assignment.round).first()
    if visit is None:
        raise AssessmentError(_("尚未录入评估结果，不能确认。"))
    assignment.state = Assignment.State.CONFIRMED
    assignment.confirmed_at = timezone.now()
    assignment.save()
    live = Assignment.objects.filter(
        application=application,
        round=assignment.round,
        state__in=(Assignment.State.ASSIGNED, Assignment.State.CONFIRMED),
    )
    if live.count() < 2 or live.exclude(state=Assignment.State.CONFIRMED).exists():
        return visit
    visit.completed_at = timezone.now()
    visit.save()
    _complete(application, visit, actor)
    return visit


def _complete(application: Application, visit: Visit, actor) -> None:
    """Both confirmed: a review is compared with the reviewed grade; otherwise a draft conclusion."""
    if application.kind == Application.Kind.REVIEW:
        from .review import review_outcome

        review_outcome(application=application, visit=visit, actor=actor)
        return
    Conclusion.objects.create(
        person=application.person,
        application=application,
        grade=visit.grade,
        concluded_on=visit.visited_on,
        valid_until=visit.visited_on,
        state=Conclusion.State.DRAFT,
        agency=application.agency,
        scale_version=visit.scale_version,
        adl=visit.adl,
        cognition=visit.cognition,
        perception=visit.perception,
    )
    application_transition(
        application=application,
        to=Application.State.ASSESSED,
        actor=actor,
        note=f"评估完成，草拟等级{visit.grade}",
    )
    from .review import objections_settle

    objections_settle(application=application, on=visit.visited_on)
