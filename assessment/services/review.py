"""Public notice, objections, conclusion, review and the expert committee (SPEC 4.3)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ltci.core.dates import display_date

from ..models import Application, ApplicationDocument, CommitteeDecision, Conclusion, Objection, Visit
from ..states import application_transition
from .applications import open_application_problem, uploads_check
from .assignment import assign_pair
from .conclusions import (
    AssessmentError,
    assessment_policy,
    conclusion_finalize,
    conclusion_publish_notice,
    conclusion_revoke,
    publish_final_events,
    working_days_after,
)
from .fees import fee_record


def draft_conclusion(application: Application) -> Conclusion:
    conclusion = (
        application.conclusions.filter(state__in=[Conclusion.State.DRAFT, Conclusion.State.NOTICE])
        .order_by("-id")
        .first()
    )
    if conclusion is None:
        raise AssessmentError(_("该申请没有草拟或公示中的结论。"))
    return conclusion


@transaction.atomic
def application_publish_notice(*, application: Application, on: dt.date, actor=None) -> Conclusion:
    """Put the draft conclusion on public notice (公示) for the policy's working days."""
    conclusion = conclusion_publish_notice(conclusion=draft_conclusion(application), on=on, actor=actor)
    assert conclusion.notice_until is not None  # set by the publication
    application_transition(
        application=application,
        to=Application.State.NOTICE,
        actor=actor,
        note=f"公示至{conclusion.notice_until.isoformat()}",
    )
    return conclusion


@transaction.atomic
def application_conclude(*, application: Application, on: dt.date, actor=None) -> Conclusion:
    """After the notice with no open objection: make the conclusion final and record the fee."""
    if application.state != Application.State.NOTICE:
        raise AssessmentError(
            _("只有公示中的申请可以办结（当前：%(state)s）。") % {"state": application.get_state_display()}
        )
    if application.objections.filter(outcome=Objection.Outcome.OPEN).exists():
        raise AssessmentError(_("公示期内有未处理的异议，处理后方可办结。"))
    conclusion = conclusion_finalize(conclusion=draft_conclusion(application), on=on, actor=actor)
    fee_record(application=application, on=on)
    application_transition(
        application=application,
        to=Application.State.FINAL,
        actor=actor,
        note=f"结论生效，等级{conclusion.grade}",
    )
    return conclusion


def _reassess(*, application: Application, on: dt.date, note: str, actor, seed: int | None) -> None:
    """Revoke the draft on notice and send a new pair to reassess (SPEC 4.3)."""
    conclusion_revoke(conclusion=draft_conclusion(application), on=on, reason=note, actor=actor)
    assign_pair(application=application, agency=application.agency, seed=seed)
    application_transition(application=application, to=Application.State.ASSIGNED, actor=actor, note=note)


@transaction.atomic
def objection_raise(
    *,
    application: Application,
    raised_on: dt.date,
    raised_by: str,
    reason: str,
    channel: str = Application.Channel.COUNTER,
    reassess: bool = False,
    documents=(),
    actor=None,
    seed: int | None = None,
) -> Objection:
    """Record an objection made during the notice period, with its reassessment deadline (SPEC 4.3).

    The deadline is ``raised_on`` plus the policy's ``objection_reassess_working_days`` (Chinese working
    days). ``reassess``: the person concerned (or their agent) objects, which starts the reassessment at once
    (a new pair); an objection by someone else waits for staff to uphold or dismiss it.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != Application.State.NOTICE:
        raise AssessmentError(_("只能对公示中的结论提出异议。"))
    conclusion = draft_conclusion(application)
    assert conclusion.notice_until is not None  # the application is on notice
    if raised_on > conclusion.notice_until:
        raise AssessmentError(
            _("公示期已于%(notice_until)s结束，不能再提出异议。")
            % {"notice_until": display_date(conclusion.notice_until)}
        )
    if not reason.strip() or not raised_by.strip():
        raise AssessmentError(_("请填写异议人和异议内容。"))
    uploads_check(documents)
    days = assessment_policy(raised_on)["objection_reassess_working_days"]
    objection = Objection.objects.create(
        application=application,
        raised_on=raised_on,
        raised_by=raised_by,
        reason=reason,
        channel=channel,
        due_on=working_days_after(raised_on, days),
    )
    for upload in documents:
        ApplicationDocument.objects.create(application=application, file=upload, description=_("异议材料"))
    if reassess:
        objection.outcome = Objection.Outcome.REASSESS
        objection.resolution = _("本人或代办人提出异议，重新评估")
        objection.save()
        _reassess(
            application=application,
            on=raised_on,
            note="本人或代办人提出异议，重新评估",
            actor=actor,
            seed=seed,
        )
    return objection


@transaction.atomic
def objection_resolve(
    *, objection: Objection, upheld: bool, resolution: str, on: dt.date, actor=None, seed: int | None = None
) -> Objection:
    """Dismiss an objection (settled that day), or uphold it: revoke the draft and send a new pair."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.outcome != Objection.Outcome.OPEN:
        raise AssessmentError(_("该异议已处理。"))
    if not resolution.strip():
        raise AssessmentError(_("请填写处理说明。"))
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.resolution = resolution
    if not upheld:
        objection.settled_on = on
    objection.save()
    if upheld:
        _reassess(
            application=objection.application,
            on=on,
            note=f"异议成立，重新评估：{resolution}",
            actor=actor,
            seed=seed,
        )
    return objection


def objections_settle(*, application: Application, on: dt.date) -> None:
    """The new pair's visit gave a new draft: the reassessment the objections asked for is done on ``on``."""
    for objection in application.objections.filter(
        outcome__in=[Objection.Outcome.UPHELD, Objection.Outcome.REASSESS], settled_on__isnull=True
    ):
        objection.settled_on = on
        objection.save()  # one by one, so history records it


@transaction.atomic
def review_request(
    *,
    conclusion: Conclusion,
    requested_on: dt.date,
    reason: str,
    applied_by: str = "self",
    channel: str = Application.Channel.COUNTER,
    agent_name: str = "",
    actor=None,
) -> Application:
    """Open a review (复核) of a final conclusion within the review period; it starts accepted."""
    if conclusion.state != Conclusion.State.FINAL or conclusion.imported:
        raise AssessmentError(_("只能对经本系统评估的最终结论申请复核。"))
    if conclusion.review_deadline is None or requested_on > conclusion.review_deadline:
        raise AssessmentError(
            _("复核申请期限已于%(review_deadline)s届满。")
            % {"review_deadline": display_date(conclusion.review_deadline)}
            if conclusion.review_deadline
            else _("该结论不能申请复核。")
        )
    if not reason.strip():
        raise AssessmentError(_("请填写复核理由。"))
    if conclusion.reviews.exists():
        raise AssessmentError(_("该结论已申请过复核。"))
    from ..selectors import open_application

    existing = open_application(person=conclusion.person)
    if existing is not None:
        raise AssessmentError(open_application_problem(existing))
    original = conclusion.application
    application = Application.objects.create(
        person=conclusion.person,
        kind=Application.Kind.REVIEW,
        applied_by=applied_by,
        channel=channel,
        agent_name=agent_name,
        applied_on=requested_on,
        reason=reason,
        reviewed_conclusion=conclusion,
        care_institution=original.care_institution if original else None,
        disability_since=original.disability_since if original else None,
        state=Application.State.ACCEPTED,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return application


def review_outcome(*, application: Application, visit: Visit, actor=None) -> None:
    """Compare the re-assessment with the reviewed grade: confirmed closes the review, else the committee."""
    original = application.reviewed_conclusion
    assert original is not None  # a review application names the conclusion it reviews
    application_transition(
        application=application, to=Application.State.ASSESSED, actor=actor, note=f"复核评估等级{visit.grade}"
    )
    if visit.grade == original.grade:
        fee_record(
            application=application,
            on=visit.visited_on,
            review_grade=visit.grade,
            original_grade=original.grade,
        )
        application_transition(
            application=application, to=Application.State.FINAL, actor=actor, note="复核维持原结论"
        )
    else:
        application_transition(
            application=application,
            to=Application.State.COMMITTEE,
            actor=actor,
            note=f"复核等级{visit.grade}与原结论等级{original.grade}不一致，提交专家委员会",
        )


@transaction.atomic
def committee_decide(
    *, application: Application, grade: int, decided_on: dt.date, members: str, reasoning: str, actor=None
) -> CommitteeDecision:
    """Record the expert committee's final decision; a different grade becomes a new final conclusion."""
    if application.state != Application.State.COMMITTEE:
        raise AssessmentError(_("该申请不在专家委员会评定环节。"))
    if not 0 <= grade <= 5:
        raise AssessmentError(_("评定等级须为0-5。"))
    if not members.strip() or not reasoning.strip():
        raise AssessmentError(_("请填写参加专家和评定意见。"))
    decision = CommitteeDecision.objects.create(
        application=application,
        grade=grade,
        decided_on=decided_on,
        members=members,
        reasoning=reasoning,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    original = application.reviewed_conclusion
    assert original is not None  # only a review reaches the committee
    fee_record(application=application, on=decided_on, review_grade=grade, original_grade=original.grade)
    if grade != original.grade:
        visit = application.visits.order_by("-round").first()
        conclusion = Conclusion.objects.create(
            person=application.person,
            application=application,
            grade=grade,
            concluded_on=decided_on,
            valid_until=decided_on,
            state=Conclusion.State.DRAFT,
            agency=application.agency,
            scale_version=visit.scale_version if visit else original.scale_version,
        )
        conclusion = conclusion_finalize(
            conclusion=conclusion, on=decided_on, actor=actor, check_notice=False
        )
        publish_final_events(conclusion, previous=original)
    application_transition(
        application=application, to=Application.State.FINAL, actor=actor, note=f"专家委员会评定等级{grade}"
    )
    return decision
