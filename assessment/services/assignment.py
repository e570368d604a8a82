"""Assignment to an agency and a random pair of assessors; reassignment on decline (SPEC 4.2)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ltci.core.history import set_change_reason

from ..models import Application, Assessor, Assignment
from ..rules import Candidate, NoPairPossible, choose_pair, choose_replacement
from ..states import application_transition
from .conclusions import AssessmentError

_LIVE = (Assignment.State.ASSIGNED, Assignment.State.CONFIRMED)


def _candidates(agency) -> list[Candidate]:
    assessors = Assessor.objects.filter(agency=agency, active=True).prefetch_related("linked_institutions")
    return [
        Candidate(a.pk, a.medical_professional, frozenset(i.pk for i in a.linked_institutions.all()))
        for a in assessors
    ]


def _excluded_for(application: Application) -> set[int]:
    """Assessors who may not take this round: earlier rounds, and for a review the first assessment's pair."""
    ids = set(Assignment.objects.filter(application=application).values_list("assessor_id", flat=True))
    reviewed = application.reviewed_conclusion if application.reviewed_conclusion_id else None
    if reviewed is not None and reviewed.application_id:
        ids |= set(
            Assignment.objects.filter(application_id=reviewed.application_id).values_list(
                "assessor_id", flat=True
            )
        )
    return ids


def default_seed(application: Application, round_no: int, salt: int = 0) -> int:
    return application.pk * 1000 + round_no * 10 + salt


@transaction.atomic
def assign_pair(
    *, application: Application, agency, seed: int | None = None, care_institution=None
) -> list[Assignment]:
    """Create the next round's pair (without a state change); used by assignment and reassessment."""
    if agency.type != "assessment_agency":
        raise AssessmentError(_("%(name)s不是评估机构。") % {"name": agency.name})
    if agency.status in ("suspended", "terminated"):
        raise AssessmentError(
            _("评估机构%(name)s已%(status)s，不能派单。")
            % {"name": agency.name, "status": agency.get_status_display()}
        )
    round_no = (Assignment.objects.filter(application=application).aggregate(m=Max("round"))["m"] or 0) + 1
    for open_assignment in Assignment.objects.filter(
        application=application, state=Assignment.State.ASSIGNED
    ):
        open_assignment.state = Assignment.State.CANCELLED  # saved one by one so history records it
        set_change_reason(open_assignment, "新一轮派员")
        open_assignment.save()
    care = care_institution or application.care_institution
    try:
        pair = choose_pair(
            _candidates(agency),
            seed=default_seed(application, round_no) if seed is None else seed,
            care_institution_id=getattr(care, "pk", None),
            excluded_ids=_excluded_for(application),
        )
    except NoPairPossible as exc:
        raise AssessmentError(str(exc)) from None
    Application.objects.filter(pk=application.pk).update(agency=agency, care_institution=care)
    application.agency, application.care_institution = agency, care
    return [
        Assignment.objects.create(application=application, assessor_id=c.id, round=round_no) for c in pair
    ]


@transaction.atomic
def application_assign(
    *, application: Application, agency, seed: int | None = None, care_institution=None, actor=None
) -> list[Assignment]:
    """Assign an accepted application to an agency and two assessors chosen at random (SPEC 4.2)."""
    if application.state != Application.State.ACCEPTED:
        raise AssessmentError(
            _("只有已受理的申请可以派员（当前：%(state)s）。") % {"state": application.get_state_display()}
        )
    pair = assign_pair(application=application, agency=agency, seed=seed, care_institution=care_institution)
    application_transition(
        application=application,
        to=Application.State.ASSIGNED,
        actor=actor,
        note=f"{agency.code}: " + "、".join(a.assessor.name for a in pair),
    )
    return pair


@transaction.atomic
def assignment_decline(*, assignment: Assignment, reason: str, actor=None) -> Assignment:
    """Record an assessor's decline and assign a replacement beside the partner (SPEC 4.2)."""
    assignment = Assignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    if assignment.state != Assignment.State.ASSIGNED:
        raise AssessmentError(_("该任务已确认或已结束，不能拒绝。"))
    if not reason.strip():
        raise AssessmentError(_("请填写拒绝原因（例如回避、无法到场）。"))
    application = assignment.application
    if application.state != Application.State.ASSIGNED:
        raise AssessmentError(_("该申请不在待评估状态。"))
    partner = (
        Assignment.objects.filter(application=application, round=assignment.round, state__in=_LIVE)
        .exclude(pk=assignment.pk)
        .select_related("assessor")
        .first()
    )
    assignment.state = Assignment.State.DECLINED
    assignment.decline_reason = reason
    set_change_reason(assignment, reason)
    assignment.save()
    declines = Assignment.objects.filter(
        application=application, round=assignment.round, state=Assignment.State.DECLINED
    ).count()
    assert partner is not None  # a live round always has two assessors (each decline is replaced)
    partner_candidate = Candidate(partner.assessor_id, partner.assessor.medical_professional)
    try:
        chosen = choose_replacement(
            _candidates(application.agency),
            seed=default_seed(application, assignment.round, declines),
            partner=partner_candidate,
            care_institution_id=application.care_institution_id,
            excluded_ids=_excluded_for(application),
        )
    except NoPairPossible as exc:
        raise AssessmentError(str(exc)) from None
    return Assignment.objects.create(application=application, assessor_id=chosen.id, round=assignment.round)
