"""Eligibility on a service date (SPEC 5.1): explained per person, and set-based for a month.

``explain`` lists every condition of SPEC 5.1 with pass/fail and the deciding record. ``month_verdicts``
computes the person-level conditions 1-5 for many persons and days with a fixed number of queries; the
settlement run checks condition 6 (agreement, bed) per record. Both use the same rules (benefits.rules).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from benefits import rules
from benefits.models import Admission, BenefitDecision, HospitalStay, OtherFundBenefit
from institutions.models import Bed
from ltci.core.policy import policy_periods
from ltci.core.queries import id_set

COVERED_CLASSES_KIND = "covered_classes"
COMBINED_FORMS_KIND = "combined_forms"


@dataclass(frozen=True)
class DayVerdict:
    person_id: int
    day: dt.date
    eligible: bool
    reason_code: str | None  # first failing SPEC 7.2 code of conditions 1-5
    detail: str
    benefit_class: str | None  # from the conclusion in force
    decision_id: int | None
    care_form: str | None  # of the decision in force that day
    institution_id: int | None  # of the decision
    carer_trained: bool | None
    categories: tuple[str, ...]
    died_on: dt.date | None
    also_forms: tuple[str, ...] = ()  # forms the decision's form also pays that day (combined_forms policy)


def _form_label(code: str) -> str:
    from institutions.models import CareForm

    return str(CareForm(code).label) if code in CareForm.values else code


def _class_label(code: str) -> str:
    from benefits.models import BenefitClass

    return str(BenefitClass(code).label) if code in BenefitClass.values else code


def _kind_label(kind: str) -> str:
    return str(_("津贴") if kind == rules.ALLOWANCE else _("护理服务"))


def _condition(code, passed, reason_code, detail, record=""):
    from enrollment.rules import Condition

    return Condition(
        code=code, passed=passed, reason_code=None if passed else reason_code, detail=detail, record=record
    )


# ---------------------------------------------------------------------------------------------------------
# Covered classes (policy parameter, SPEC 4.4)


def covered_classes_by_day(start: dt.date, end: dt.date) -> dict[dt.date, frozenset[str]]:
    """Return the covered benefit classes for each day of the range, from one policy query.

    Raise NoPolicyInForce / PolicyNotEntered naming the day without a usable record (ltci.core.policy).
    """
    result: dict[dt.date, frozenset[str]] = {}
    for first, last, value in policy_periods(COVERED_CLASSES_KIND, start=start, end=end):
        classes = frozenset(value["classes"])
        for day in rules.days(first, last):
            result[day] = classes
    return result


def covered_classes_on(day: dt.date) -> frozenset[str]:
    return covered_classes_by_day(day, day)[day]


# ---------------------------------------------------------------------------------------------------------
# Forms held together (policy parameter, SPEC 5.1(4))


def combined_forms_by_day(start: dt.date, end: dt.date) -> dict[dt.date, dict[str, tuple[str, ...]]]:
    """Return, for each day of the range, {decided form: the other forms it also pays}, from one query.

    A form without a record in force is held alone (SPEC 5.1(4), Xuzhou's 择一享受).
    """
    from ltci.core.models import PolicyRecord
    from ltci.core.policy import active_scheme, record_value

    result: dict[dt.date, dict[str, tuple[str, ...]]] = {day: {} for day in rules.days(start, end)}
    records = PolicyRecord.objects.overlapping(start, end).filter(
        scheme=active_scheme(), kind=COMBINED_FORMS_KIND
    )
    for record in records:
        forms = tuple(record_value(record)["forms"])
        last = min(end, record.valid_to or end)
        for day in rules.days(max(start, record.valid_from), last):
            result[day][record.key] = forms
    return result


def also_forms_on(day: dt.date, care_form: str | None) -> tuple[str, ...]:
    """The forms a decision of ``care_form`` also pays on the day (empty: the form is held alone)."""
    return combined_forms_by_day(day, day)[day].get(care_form or "", ())


def _class_of(conclusion) -> str | None:
    from assessment.scales import benefit_class

    return benefit_class(conclusion.grade) if conclusion is not None else None


# ---------------------------------------------------------------------------------------------------------
# Set-based month


def month_verdicts(*, person_ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], DayVerdict]:
    """Return a verdict for every (person, day) of the range, with a fixed number of queries."""
    result: dict[tuple[int, dt.date], DayVerdict] = {}
    for person_id, segments in month_segments(person_ids=person_ids, start=start, end=end).items():
        for first, last, verdict in segments:
            for day in rules.days(first, last):
                result[(person_id, day)] = verdict if day == first else replace(verdict, day=day)
    return result


def month_segments(
    *, person_ids, start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, dt.date, DayVerdict]]]:
    """Return, per person, the range cut into (first, last, verdict) segments on which the verdict is the
    same every day (its ``day`` is the segment's first day), with a fixed number of queries.

    Every input of the verdict is a dated interval (death, contribution blocks, conclusions, decisions,
    hospital stays, work-injury and maternity benefits, the covered classes), so the verdict can only change on a day one of them starts or
    ends; it is computed once per segment between those days (the settlement run's eligibility for a
    month of many persons).
    """
    from assessment.rules import pick_conclusion
    from assessment.selectors import conclusions_in_force
    from enrollment.models import Person
    from enrollment.selectors import contribution_blocks

    person_ids = sorted(set(person_ids))
    if not person_ids or end < start:
        return {}
    one = dt.timedelta(days=1)
    covered = covered_classes_by_day(start, end)
    combined = combined_forms_by_day(start, end)
    covered_changes = [
        day
        for day in rules.days(start + one, end)
        if covered[day] != covered[day - one] or combined[day] != combined[day - one]
    ]
    persons = {
        p["id"]: p
        for p in Person.objects.filter(id__in=id_set(person_ids)).values("id", "died_on", "categories")
    }
    blocks_raw = contribution_blocks(person_ids=person_ids, start=start, end=end)
    conclusions = conclusions_in_force(person_ids=person_ids, start=start, end=end)
    decisions: dict[int, list[rules.DecisionView]] = {}
    for row in (
        BenefitDecision.objects.overlapping(start, end)
        .filter(person_id__in=id_set(person_ids))
        .values_list(
            "person_id", "id", "starts_on", "ends_on", "care_form", "institution_id", "carer_trained"
        )
    ):
        decisions.setdefault(row[0], []).append(rules.DecisionView(*row[1:]))
    stays: dict[int, list[tuple]] = {}
    for person_id, admitted_on, discharged_on, hospital in (
        HospitalStay.objects.overlapping(start, end)
        .filter(person_id__in=id_set(person_ids))
        .values_list("person_id", "admitted_on", "discharged_on", "hospital")
    ):
        stays.setdefault(person_id, []).append((admitted_on, discharged_on, hospital))
    other_funds: dict[int, list[tuple]] = {}
    for person_id, starts_on, ends_on, fund in (
        OtherFundBenefit.objects.overlapping(start, end)
        .filter(person_id__in=id_set(person_ids))
        .order_by("starts_on")
        .values_list("person_id", "starts_on", "ends_on", "fund")
    ):
        other_funds.setdefault(person_id, []).append((starts_on, ends_on, fund))

    result: dict[int, list[tuple[dt.date, dt.date, DayVerdict]]] = {}
    for person_id in person_ids:
        person = persons.get(person_id, {"died_on": None, "categories": []})
        died_on = person["died_on"]
        categories = tuple(person["categories"] or ())
        blocks = [rules.Block(*b) for b in blocks_raw.get(person_id, ())]
        person_conclusions = conclusions.get(person_id, [])
        person_decisions = decisions.get(person_id, [])
        person_stays = stays.get(person_id, [])
        person_funds = other_funds.get(person_id, [])
        cuts = {start, *covered_changes}
        if died_on is not None:
            cuts.add(died_on + one)
        for block in blocks:
            cuts.update((block.start, block.end + one))
        for conclusion in person_conclusions:
            cuts.update((conclusion.concluded_on, conclusion.valid_until + one))
        for decision in person_decisions:
            cuts.add(decision.starts_on)
            if decision.ends_on is not None:
                cuts.add(decision.ends_on + one)
        for admitted_on, discharged_on, _stay in person_stays:
            cuts.add(admitted_on)
            if discharged_on is not None:
                cuts.add(discharged_on)
        for starts_on, ends_on, _fund in person_funds:
            cuts.add(starts_on)
            if ends_on is not None:
                cuts.add(ends_on + one)
        firsts = sorted(day for day in cuts if start <= day <= end)
        segments = []
        for first, following in zip(firsts, [*firsts[1:], end + one], strict=True):
            conclusion = pick_conclusion(person_conclusions, first) if person_conclusions else None
            benefit_class = _class_of(conclusion)
            decision = rules.decision_on(first, person_decisions)
            failures = rules.day_failures(
                day=first,
                died_on=died_on,
                blocks=blocks,
                benefit_class=benefit_class,
                covered_classes=covered[first],
                decision=decision,
                stays=person_stays,
                other_funds=person_funds,
            )
            reason, detail = rules.first_failure(failures)
            segments.append(
                (
                    first,
                    following - one,
                    DayVerdict(
                        person_id=person_id,
                        day=first,
                        eligible=reason is None,
                        reason_code=reason,
                        detail=detail,
                        benefit_class=benefit_class,
                        decision_id=decision.id if decision else None,
                        care_form=decision.care_form if decision else None,
                        institution_id=decision.institution_id if decision else None,
                        carer_trained=decision.carer_trained if decision else None,
                        categories=categories,
                        died_on=died_on,
                        also_forms=combined[first].get(decision.care_form, ()) if decision else (),
                    ),
                )
            )
        result[person_id] = segments
    return result


# ---------------------------------------------------------------------------------------------------------
# One person, one day, explained


def explain(
    *, person, on: dt.date, care_form: str | None = None, institution=None, kind: str | None = None
) -> list:
    """Return every condition of SPEC 5.1 in order, each passed or failed with its deciding record.

    ``kind`` says what is paid (``rules.SERVICE``: an institution's bed-day, visit or device;
    ``rules.ALLOWANCE``: the allowance paid to the person); by default what the care form pays
    (``rules.default_kind``: for home_family, its visits). Condition 6 applies to services only
    (``rules.agreement_applies``), as in the settlement run.
    """
    from assessment.selectors import conclusion_in_force
    from enrollment.selectors import contribution_conditions

    conditions = list(contribution_conditions(person=person, on=on))
    if rules.dead_on(on, person.died_on):
        conditions = [
            _condition(
                "covered",
                False,
                rules.NOT_COVERED,
                _("%(day)s 死亡") % {"day": person.died_on.isoformat()},
                f"Person#{person.pk}",
            )
            if c.code == "covered"
            else c
            for c in conditions
        ]
    decision = _decision_on(person, on, care_form, institution)
    form = care_form or (decision.care_form if decision else None)
    kind = kind or rules.default_kind(form)
    if kind not in rules.KINDS:
        raise ValueError(f"unknown kind of care {kind!r}; expected one of: {', '.join(rules.KINDS)}")
    if form == "residential" and kind == rules.SERVICE and person.died_on == on:
        # the day of death counts as leaving: it is not a bed-day (SPEC 5.2 dates), the settlement's
        # NOT_COVERED for a bed-day on that day
        conditions = [
            _condition(
                "covered",
                False,
                rules.NOT_COVERED,
                _("%(day)s 死亡：死亡当日不计床日") % {"day": on.isoformat()},
                f"Person#{person.pk}",
            )
            if c.code == "covered" and c.passed
            else c
            for c in conditions
        ]
    conditions.append(_conclusion_condition(conclusion_in_force(person=person, on=on), on))
    conditions.append(_decision_condition(decision, on, care_form, institution, kind))
    conditions.append(_condition_5(person, on))
    conditions.append(_agreement_condition(person, on, decision, care_form, institution, kind))
    return conditions


def is_eligible(conditions) -> bool:
    return all(c.passed for c in conditions)


def _conclusion_condition(conclusion, on):
    if conclusion is None:
        return _condition("conclusion", False, rules.NO_CONCLUSION, _("无有效的失能评估结论"))
    record = f"Conclusion#{conclusion.pk}"
    benefit_class = _class_of(conclusion)
    covered = covered_classes_on(on)
    text = _("%(grade)s级（%(cls)s），有效期至 %(until)s") % {
        "grade": conclusion.grade,
        "cls": _class_label(benefit_class) if benefit_class else _("不属于失能待遇类别"),
        "until": conclusion.valid_until.isoformat(),
    }
    if benefit_class not in covered:
        return _condition(
            "conclusion",
            False,
            rules.NO_CONCLUSION,
            _("%(text)s：该类别不在保障范围（保障：%(covered)s）")
            % {"text": text, "covered": "、".join(_class_label(c) for c in sorted(covered)) or _("无")},
            record,
        )
    return _condition("conclusion", True, None, text, record)


def _decision_on(person, on, care_form, institution):
    return BenefitDecision.objects.in_force(on).filter(person=person).select_related("institution").first()


def _decision_condition(decision, on, care_form, institution, kind):
    if decision is None:
        return _condition("decision", False, rules.NO_DECISION, _("无有效的待遇核定"))
    record = f"BenefitDecision#{decision.pk}"
    text = _("%(form)s%(at)s，%(start)s 起%(end)s") % {
        "form": decision.get_care_form_display(),
        "at": (_("（%(inst)s）") % {"inst": decision.institution.name}) if decision.institution_id else "",
        "start": decision.starts_on.isoformat(),
        "end": (_("至 %(end)s") % {"end": decision.ends_on.isoformat()}) if decision.ends_on else "",
    }
    also = also_forms_on(on, decision.care_form)
    if care_form and care_form != decision.care_form and care_form in also:
        return _condition(
            "decision",
            True,
            None,
            _("%(form)s与待遇核定（%(text)s）同时享受") % {"form": _form_label(care_form), "text": text},
            record,
        )
    if care_form and decision.care_form != care_form:
        return _condition(
            "decision",
            False,
            rules.NO_DECISION,
            _("有效待遇核定为%(text)s，不是%(form)s") % {"text": text, "form": _form_label(care_form)},
            record,
        )
    if not rules.paid_as(kind, decision.care_form):
        return _condition(
            "decision",
            False,
            rules.NO_DECISION,
            _("有效待遇核定为%(text)s，不支付%(kind)s") % {"text": text, "kind": _kind_label(kind)},
            record,
        )
    if institution is not None and decision.institution_id != institution.pk:
        return _condition(
            "decision",
            False,
            rules.NO_DECISION,
            _("有效待遇核定为%(text)s，不是机构 %(inst)s") % {"text": text, "inst": institution.name},
            record,
        )
    return _condition("decision", True, None, text, record)


def _condition_5(person, on):
    """SPEC 5.1 item 5: not an inpatient that day, nor receiving work-injury or maternity benefits."""
    for stay in HospitalStay.objects.in_force(on).filter(person=person).order_by("admitted_on"):
        until = stay.discharged_on.isoformat() if stay.discharged_on else _("未出院")
        return _condition(
            "not_in_hospital",
            False,
            rules.HOSPITAL,
            _("%(start)s 起在%(hospital)s住院（出院：%(until)s）")
            % {"hospital": stay.hospital, "start": stay.admitted_on.isoformat(), "until": until},
            f"HospitalStay#{stay.pk}",
        )
    # The same condition (SPEC 5.1 item 5): not receiving work-injury or maternity benefits for the care.
    for benefit in OtherFundBenefit.objects.in_force(on).filter(person=person).order_by("starts_on"):
        return _condition(
            "not_in_hospital",
            False,
            rules.OTHER_FUND,
            rules.other_fund_detail(benefit.starts_on, benefit.ends_on, benefit.fund),
            f"OtherFundBenefit#{benefit.pk}",
        )
    return _condition("not_in_hospital", True, None, _("当日未住院，未享受工伤、生育保险护理待遇"))


def _agreement_condition(person, on, decision, care_form, institution, kind):
    form = care_form or (decision.care_form if decision else None)
    inst = institution or (decision.institution if decision and decision.institution_id else None)
    if decision is not None and form != decision.care_form and form in also_forms_on(on, decision.care_form):
        inst = institution  # a form held together with the decision is not bound to its institution
        if inst is None:
            return _condition(
                "agreement",
                True,
                None,
                _("%(form)s：由任一协议覆盖该形式的机构提供（逐条记录核对）") % {"form": _form_label(form)},
            )
    if form is None:
        return _condition("agreement", False, rules.NO_DECISION, _("无护理形式可核对"))
    if not rules.agreement_applies(form, kind):
        if kind == rules.ALLOWANCE:
            detail = _("%(form)s津贴支付给参保人本人，不属于机构护理") % {"form": _form_label(form)}
        else:
            detail = _("%(form)s不属于机构护理，无需协议机构") % {"form": _form_label(form)}
        return _condition("agreement", True, None, detail)
    if inst is None:
        return _condition(
            "agreement",
            False,
            rules.FORM_NOT_AGREED,
            _("%(form)s须由协议机构提供") % {"form": _form_label(form)},
        )
    from institutions.rules import agreement_covers
    from institutions.selectors import active_agreement

    agreement = active_agreement(institution=inst, on=on)
    if agreement is None:
        return _condition(
            "agreement",
            False,
            rules.FORM_NOT_AGREED,
            _("%(inst)s在 %(day)s 无有效服务协议") % {"inst": inst.name, "day": on.isoformat()},
            f"Institution#{inst.pk}",
        )
    record = f"Agreement#{agreement.pk}"
    if not agreement_covers(agreement.care_forms, form):
        return _condition(
            "agreement",
            False,
            rules.FORM_NOT_AGREED,
            _("%(inst)s的服务协议不含%(form)s（协议含：%(covers)s）")
            % {
                "inst": inst.name,
                "form": _form_label(form),
                "covers": "、".join(_form_label(f) for f in agreement.care_forms or []) or _("无"),
            },
            record,
        )
    if form != "residential":
        return _condition(
            "agreement",
            True,
            None,
            _("%(inst)s的服务协议含%(form)s") % {"inst": inst.name, "form": _form_label(form)},
            record,
        )
    admission = (
        Admission.objects.in_force(on).filter(person=person, institution=inst).select_related("bed").first()
    )
    if admission is None:
        return _condition(
            "agreement",
            False,
            rules.BED,
            _("%(day)s 未入住%(inst)s") % {"inst": inst.name, "day": on.isoformat()},
            record,
        )
    bed = admission.bed
    if bed is None or not Bed.objects.in_force(on).filter(pk=bed.pk).exists():
        return _condition(
            "agreement",
            False,
            rules.BED,
            _("已入住%(inst)s，但不在备案床位上") % {"inst": inst.name},
            f"Admission#{admission.pk}",
        )
    return _condition(
        "agreement",
        True,
        None,
        _("服务协议含入住机构护理；%(inst)s %(bed)s 床") % {"inst": inst.name, "bed": bed.label},
        f"Admission#{admission.pk}",
    )
