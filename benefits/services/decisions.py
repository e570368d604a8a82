"""Benefit decisions (待遇核定, SPEC 5.4): create from a final conclusion, change of form, end with a reason.

A decision never overlaps another of the same person (database exclusion constraint). A new decision
starting while an open one runs closes the open one the day before (end reason form_changed). A
residential decision admits the person to a free registered bed of its institution from its start.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from benefits import rules
from benefits.eligibility import covered_classes_on
from benefits.models import Admission, BenefitDecision, RemoteResidence
from ltci.core.history import set_history_user
from ltci.core.policy import active_scheme

from .admissions import AdmissionError, admission_admit, admission_discharge

ONE_DAY = dt.timedelta(days=1)


class DecisionError(ValueError):
    """A decision cannot be made; the message names the reason, ``field`` the import column it concerns."""

    def __init__(self, message: str, *, field: str = "*"):
        super().__init__(message)
        self.field = field


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _save(decision: BenefitDecision, actor) -> None:
    set_history_user(decision, actor)
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:
        if "decision_no_overlap" in str(exc):
            raise DecisionError(_("与该参保人的另一项待遇核定重叠"), field="starts_on") from None
        raise


def _conclusion_for(person, on: dt.date):
    from assessment.scales import benefit_class
    from assessment.selectors import conclusion_in_force

    conclusion = conclusion_in_force(person=person, on=on)
    if conclusion is None:
        raise DecisionError(
            _("%(date)s 没有有效的最终评估结论") % {"date": on.isoformat()}, field="starts_on"
        )
    klass = benefit_class(conclusion.grade)
    covered = covered_classes_on(on)
    if klass not in covered:
        raise DecisionError(
            _("%(date)s 有效的评估结论（%(grade)s 级，%(klass)s）不在保障范围内（%(covered)s）")
            % {
                "date": on.isoformat(),
                "grade": conclusion.grade,
                "klass": klass or _("无待遇类别"),
                "covered": ", ".join(sorted(covered)) or _("无"),
            },
            field="starts_on",
        )
    return conclusion, klass


def _check_form(*, person, care_form, institution, starts_on, strict):
    from institutions.models import CareForm

    if care_form not in CareForm.values:
        raise DecisionError(_("未知的护理服务形式 %(form)s") % {"form": care_form}, field="care_form")
    if care_form in rules.CASE_BY_CASE_FORMS:
        raise DecisionError(_("临时救助按一事一议逐案审批，不作待遇核定"), field="care_form")
    if care_form in rules.INSTITUTION_REQUIRED_FORMS and institution is None:
        raise DecisionError(
            _("护理服务形式 %(form)s 必须填写机构") % {"form": care_form}, field="institution_code"
        )
    if care_form not in rules.INSTITUTION_FORMS and institution is not None:
        raise DecisionError(
            _("护理服务形式 %(form)s 的待遇支付给本人，不能填写机构") % {"form": care_form},
            field="institution_code",
        )
    if not strict:
        return
    if institution is not None:
        from institutions.rules import agreement_covers
        from institutions.selectors import active_agreement

        agreement = active_agreement(institution=institution, on=starts_on)
        if agreement is None:
            raise DecisionError(
                _("机构 %(code)s 在 %(date)s 没有生效的服务协议")
                % {"code": institution.code, "date": starts_on.isoformat()},
                field="institution_code",
            )
        if not agreement_covers(agreement.care_forms, care_form):
            raise DecisionError(
                _("机构 %(code)s 的服务协议不包括 %(form)s") % {"code": institution.code, "form": care_form},
                field="institution_code",
            )
    if (
        care_form == "remote_cash"
        and not RemoteResidence.objects.in_force(starts_on).filter(person=person).exists()
    ):
        raise DecisionError(
            _("异地居住现金补助（remote_cash）需要 %(date)s 有效的异地居住备案")
            % {"date": starts_on.isoformat()},
            field="care_form",
        )


@transaction.atomic
def decision_create(
    *,
    person,
    care_form: str,
    starts_on: dt.date,
    institution=None,
    carer_trained=None,
    ends_on: dt.date | None = None,
    actor=None,
    strict: bool = True,
    imported: bool = False,
    note: str = "",
) -> BenefitDecision:
    """Decide a benefit from the final conclusion in force on ``starts_on`` (SPEC 5.4).

    An open decision that started earlier is closed on ``starts_on - 1`` (form_changed); any other
    overlap is refused. ``strict`` also requires the institution's agreement to cover the form on the
    start date and a remote-residence filing for remote_cash (the migration import is lenient).
    """
    from enrollment.models import Person

    Person.objects.select_for_update().filter(pk=person.pk).first()
    if person.died_on is not None and starts_on > person.died_on:
        raise DecisionError(
            _("该参保人已于 %(date)s 死亡") % {"date": person.died_on.isoformat()}, field="starts_on"
        )
    if ends_on is not None and ends_on < starts_on:
        raise DecisionError(
            _("终止日期 %(end)s 早于起始日期 %(start)s")
            % {"end": ends_on.isoformat(), "start": starts_on.isoformat()},
            field="ends_on",
        )
    _check_form(
        person=person, care_form=care_form, institution=institution, starts_on=starts_on, strict=strict
    )
    conclusion, klass = _conclusion_for(person, starts_on)
    if care_form == "home_family" and carer_trained is None:
        carer_trained = False
    overlapping = list(
        BenefitDecision.objects.select_for_update().overlapping(starts_on, ends_on).filter(person=person)
    )
    for existing in overlapping:
        if existing.starts_on >= starts_on or existing.ends_on is not None:
            raise DecisionError(
                _("与待遇核定 %(form)s（%(label)s，%(period)s）重叠")
                % {
                    "period": f"{existing.starts_on.isoformat()}..{existing.ends_on.isoformat() if existing.ends_on else ''}",
                    "form": existing.care_form,
                    "label": existing.get_care_form_display(),
                },
                field="starts_on",
            )
    for existing in overlapping:
        decision_end(
            decision=existing,
            ends_on=starts_on - ONE_DAY,
            reason=BenefitDecision.EndReason.FORM_CHANGED,
            actor=actor,
            next_form=care_form,
            next_institution=institution,
        )
    decision = BenefitDecision(
        person=person,
        conclusion=conclusion,
        benefit_class=klass,
        care_form=care_form,
        institution=institution,
        carer_trained=carer_trained if care_form == "home_family" else None,
        starts_on=starts_on,
        ends_on=ends_on,
        imported=imported,
        policy_scheme=active_scheme(),
        decided_by=_actor(actor),
        note=note,
        end_reason=BenefitDecision.EndReason.IMPORTED if imported and ends_on else "",
    )
    _save(decision, actor)
    if care_form == "residential":
        try:
            admission_admit(
                person=person,
                institution=institution,
                on=starts_on,
                until=ends_on + ONE_DAY if ends_on else None,
                actor=actor,
            )
        except AdmissionError as exc:
            raise DecisionError(str(exc), field="institution_code") from None
    if not imported:  # decisions migrated from the old system were told of then
        decision_notify(decision)
    return decision


def decision_notify(decision: BenefitDecision) -> None:
    """Tell the person and their agents of a benefit decision (issue 19), once per decision."""
    from ltci.core.notify import Event, notify

    from ..selectors import person_and_agent_recipients

    person = decision.person
    notify(
        event=Event.DECISION,
        key=f"decision:{decision.pk}",
        recipients=person_and_agent_recipients(person, on=decision.starts_on),
        context={
            "person_name": person.name,
            "care_form": decision.get_care_form_display(),
            "starts_on": decision.starts_on,
            "institution": decision.institution.name if decision.institution is not None else "",
        },
    )


def decision_change_form(
    *,
    decision: BenefitDecision,
    care_form: str,
    starts_on: dt.date,
    institution=None,
    carer_trained=None,
    actor=None,
) -> BenefitDecision:
    """Close the decision the day before ``starts_on`` and open one with the new form (择一享受)."""
    if decision.starts_on >= starts_on:
        raise DecisionError(_("新的护理服务形式必须晚于当前待遇核定的起始日期开始"))
    if decision.ends_on is not None and decision.ends_on < starts_on - ONE_DAY:
        raise DecisionError(_("该待遇核定已经终止"))
    return decision_create(
        person=decision.person,
        care_form=care_form,
        starts_on=starts_on,
        institution=institution,
        carer_trained=carer_trained,
        actor=actor,
    )


@transaction.atomic
def decision_end(
    *,
    decision: BenefitDecision,
    ends_on: dt.date,
    reason: str,
    actor=None,
    next_form=None,
    next_institution=None,
) -> BenefitDecision:
    """End the decision on ``ends_on`` (inclusive) with its reason; release the residential bed.

    An end before the start is clamped to the start day (the decision never paid beyond it anyway: the
    failing condition shows in the eligibility). Ending again later than the current end changes nothing.
    """
    decision = BenefitDecision.objects.select_for_update().get(pk=decision.pk)
    if reason not in BenefitDecision.EndReason.values:
        raise DecisionError(_("未知的终止原因 %(reason)s") % {"reason": reason})
    ends_on = max(ends_on, decision.starts_on)
    if decision.ends_on is not None and decision.ends_on <= ends_on:
        return decision
    decision.ends_on = ends_on
    decision.end_reason = reason
    _save(decision, actor)
    if decision.care_form == "residential" and decision.institution_id:
        stays_on = (
            next_form == "residential"
            and next_institution is not None
            and next_institution.pk == decision.institution_id
        )
        # The day of death is not a bed-day (it counts as leaving); otherwise the last day is one.
        leave_on = ends_on if reason == BenefitDecision.EndReason.DIED else ends_on + ONE_DAY
        if not stays_on:
            for admission in Admission.objects.in_force(leave_on).filter(
                person=decision.person_id, institution=decision.institution_id
            ):
                admission_discharge(admission=admission, on=max(leave_on, admission.admitted_on), actor=actor)
    return decision
