"""Applications: submission with documents, acceptance checks, return, withdrawal (SPEC 4.1)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from enrollment.selectors import contribution_conditions
from enrollment.services.applications import first_application_note
from ltci.core.dates import display_date

from ..models import Application, ApplicationDocument
from ..rules import disability_long_enough
from ..selectors import open_application
from ..states import application_transition
from ..validators import validate_upload
from .conclusions import AssessmentError, assessment_policy

_NEEDS_DISABILITY = {Application.Kind.FIRST, Application.Kind.REASSESSMENT}


def application_problems(
    *, person, on: dt.date, kind: str, disability_since: dt.date | None, exclude_id: int | None = None
) -> list[str]:
    """Return why an application may not be taken on ``on`` (empty when it may), in Chinese (SPEC 4.1)."""
    problems: list[str] = []
    conditions = {c.code: c for c in contribution_conditions(person=person, on=on)}
    covered = conditions.get("covered")
    if covered is not None and not covered.passed:
        problems.append(
            _("申请人%(on)s未参加长期护理保险（%(detail)s），不能申请失能评估。")
            % {"on": display_date(on), "detail": covered.detail}
        )
    paid = conditions.get("contribution_paid")
    if (covered is None or covered.passed) and paid is not None and not paid.passed:
        problems.append(
            _("申请人长期护理保险费欠缴（%(detail)s），补缴后方可申请失能评估。") % {"detail": paid.detail}
        )
    if kind in _NEEDS_DISABILITY:
        months = assessment_policy(on)["min_disability_months"]
        if disability_since is None:
            problems.append(_("请填写失能起始日期。"))
        elif not disability_long_enough(disability_since, on, months):
            problems.append(
                _("失能状态须持续%(months)s个月以上方可申请（失能起始日期%(disability_since)s）。")
                % {"months": months, "disability_since": display_date(disability_since)}
            )
    existing = open_application(person=person)
    if existing is not None and existing.pk != exclude_id:
        problems.append(open_application_problem(existing))
    return problems


def open_application_problem(existing: Application) -> str:
    """Why a person with an application in progress may not apply again."""
    return _("申请人已有正在办理的评估申请（%(number)s，%(state)s），不能重复申请。") % {
        "number": existing.number,
        "state": existing.get_state_display(),
    }


def uploads_check(documents) -> None:
    """Refuse the first supporting document that is not an allowed PDF/JPG/PNG within the size limit."""
    for upload in documents:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            raise AssessmentError("；".join(exc.messages)) from None


@transaction.atomic
def application_submit(
    *,
    person,
    applied_on: dt.date,
    applied_by: str = Application.AppliedBy.SELF,
    channel: str = Application.Channel.COUNTER,
    disability_since: dt.date | None = None,
    kind: str = Application.Kind.FIRST,
    agent_name: str = "",
    agent_phone: str = "",
    applying_institution=None,
    care_institution=None,
    reason: str = "",
    documents=(),
    actor=None,
) -> Application:
    """Create a submitted application with its supporting documents, or refuse with every reason."""
    if applied_by == Application.AppliedBy.AGENT and not agent_name.strip():
        raise AssessmentError(_("代办人申请须填写代办人姓名。"))
    if applied_by == Application.AppliedBy.INSTITUTION and applying_institution is None:
        raise AssessmentError(_("机构代为申请须指明申请机构。"))
    problems = application_problems(
        person=person, on=applied_on, kind=kind, disability_since=disability_since
    )
    if problems:
        raise AssessmentError("；".join(problems))
    uploads_check(documents)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                person=person,
                kind=kind,
                applied_by=applied_by,
                channel=channel,
                agent_name=agent_name,
                agent_phone=agent_phone,
                applying_institution=applying_institution,
                care_institution=care_institution,
                applied_on=applied_on,
                disability_since=disability_since,
                reason=reason,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise AssessmentError(_("申请人已有正在办理的评估申请，不能重复申请。")) from None
    first_application_note(person_id=person.pk, applied_on=applied_on)
    for upload in documents:
        ApplicationDocument.objects.create(application=application, file=upload)
    application_received_notify(application)
    return application


def application_received_notify(application: Application) -> None:
    """Tell the person that the application was received (issue 19)."""
    from enrollment.selectors import person_recipient
    from ltci.core.notify import Event, notify

    person = application.person
    notify(
        event=Event.APPLICATION_RECEIVED,
        key=f"application:{application.pk}",
        recipients=[person_recipient(person)],
        context={
            "person_name": person.name,
            "number": application.number,
            "received_on": application.applied_on,
        },
    )


@transaction.atomic
def application_accept(*, application: Application, on: dt.date, actor=None) -> Application:
    """Accept (受理) after re-checking insurance, arrears, duration and open applications on ``on``."""
    problems = application_problems(
        person=application.person,
        on=on,
        kind=application.kind,
        disability_since=application.disability_since,
        exclude_id=application.pk,
    )
    if problems:
        raise AssessmentError("；".join(problems))
    return application_transition(
        application=application, to=Application.State.ACCEPTED, actor=actor, note=f"受理 {on.isoformat()}"
    )


@transaction.atomic
def application_return(*, application: Application, reason: str, actor=None) -> Application:
    """Return (退回) an application with the reason the applicant will see."""
    if not reason.strip():
        raise AssessmentError(_("退回申请须填写退回原因。"))
    return application_transition(
        application=application,
        to=Application.State.RETURNED,
        actor=actor,
        note=reason,
        changes={"return_reason": reason},
    )


@transaction.atomic
def application_withdraw(*, application: Application, reason: str = "", actor=None) -> Application:
    return application_transition(
        application=application, to=Application.State.WITHDRAWN, actor=actor, note=reason or "申请人撤回"
    )
