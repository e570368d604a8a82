"""Eligibility (SPEC 5.1): explain() per person and day, month_verdicts() set-based, and their agreement."""

import datetime as dt
import random

import pytest

from benefits.eligibility import DayVerdict, explain, is_eligible, month_verdicts
from benefits.models import Admission, BenefitDecision, HospitalStay, OtherFundBenefit
from benefits.services import decision_create

from .conftest import make_conclusion, make_institution, make_person

pytestmark = pytest.mark.django_db
D = dt.date
MARCH = (D(2024, 3, 1), D(2024, 3, 31))
PERSON_CODES = ["covered", "contribution_paid", "waiting_period", "conclusion", "decision", "not_in_hospital"]


def _beneficiary(**kwargs):
    person = make_person(**kwargs)
    make_conclusion(person, grade=3)
    return person


def _decide(person, **kwargs):
    kwargs.setdefault("care_form", "home_family")
    kwargs.setdefault("institution", make_institution())
    kwargs.setdefault("starts_on", D(2024, 1, 1))
    return decision_create(person=person, **kwargs)


def test_explain_lists_every_condition_in_order_and_all_pass(policy):
    person = _beneficiary()
    decision = _decide(person, carer_trained=True)
    conditions = explain(person=person, on=D(2024, 3, 10))
    assert [c.code for c in conditions] == PERSON_CODES + ["agreement"]
    assert all(c.passed for c in conditions), conditions
    assert conditions[4].record == f"BenefitDecision#{decision.pk}"
    assert conditions[3].record.startswith("Conclusion#")
    assert is_eligible(conditions)


def test_month_verdicts_carry_the_decision_and_class(policy):
    person = _beneficiary(categories=["medical_aid"])
    decision = _decide(person, carer_trained=False)
    verdicts = month_verdicts(person_ids=[person.pk], start=D(2024, 3, 1), end=D(2024, 3, 31))
    assert len(verdicts) == 31
    verdict = verdicts[(person.pk, D(2024, 3, 15))]
    assert verdict == DayVerdict(
        person_id=person.pk,
        day=D(2024, 3, 15),
        eligible=True,
        reason_code=None,
        detail="",
        benefit_class="severe",
        decision_id=decision.pk,
        care_form="home_family",
        institution_id=decision.institution_id,
        carer_trained=False,
        categories=("medical_aid",),
        died_on=None,
    )


def test_hospital_days_are_not_payable_but_the_discharge_day_is(policy):
    person = _beneficiary()
    _decide(person)
    HospitalStay.objects.create(
        person=person, admitted_on=D(2024, 3, 10), discharged_on=D(2024, 3, 13), hospital="徐州市中心医院"
    )
    verdicts = month_verdicts(person_ids=[person.pk], start=D(2024, 3, 9), end=D(2024, 3, 13))
    assert [verdicts[(person.pk, D(2024, 3, d))].reason_code for d in range(9, 14)] == [
        None,
        "HOSPITAL",
        "HOSPITAL",
        "HOSPITAL",
        None,
    ]
    failing = explain(person=person, on=D(2024, 3, 12))[5]
    assert (failing.passed, failing.reason_code) == (False, "HOSPITAL")
    assert failing.record.startswith("HospitalStay#")


def test_death_day_is_payable_and_later_days_are_not_covered(policy):
    person = _beneficiary(died_on=D(2024, 3, 20), covered_to=D(2024, 3, 20))
    _decide(person)
    verdicts = month_verdicts(person_ids=[person.pk], start=D(2024, 3, 19), end=D(2024, 3, 22))
    assert [verdicts[(person.pk, D(2024, 3, d))].reason_code for d in range(19, 23)] == [
        None,
        None,
        "NOT_COVERED",
        "NOT_COVERED",
    ]
    assert verdicts[(person.pk, D(2024, 3, 21))].died_on == D(2024, 3, 20)
    assert explain(person=person, on=D(2024, 3, 21))[0].reason_code == "NOT_COVERED"


def test_moderate_class_is_not_covered_where_the_policy_covers_severe_only(policy):
    from ltci.core.models import PolicyRecord

    PolicyRecord.objects.filter(kind="covered_classes").update(value={"classes": ["severe"]})
    person = make_person()
    make_conclusion(person, grade=2)
    verdict = month_verdicts(person_ids=[person.pk], start=D(2024, 3, 1), end=D(2024, 3, 1))[
        (person.pk, D(2024, 3, 1))
    ]
    assert (verdict.reason_code, verdict.benefit_class) == ("NO_CONCLUSION", "moderate")
    condition = explain(person=person, on=D(2024, 3, 1))[3]
    assert condition.detail == "2级（中度失能），有效期至 2025-12-31：该类别不在保障范围（保障：重度失能）"


def test_explain_with_another_care_form_or_institution_fails_the_decision(policy):
    person = _beneficiary()
    decision = _decide(person)
    other = make_institution()
    assert explain(person=person, on=D(2024, 3, 1), care_form="residential")[4].reason_code == "NO_DECISION"
    assert explain(person=person, on=D(2024, 3, 1), institution=other)[4].reason_code == "NO_DECISION"
    ok = explain(person=person, on=D(2024, 3, 1), care_form="home_family", institution=decision.institution)
    assert is_eligible(ok)


def test_agreement_condition_checks_the_form_and_the_registered_bed(policy):
    person = _beneficiary()
    inst = make_institution(beds=1)
    decision = _decide(person, care_form="residential", institution=inst)
    agreement = explain(person=person, on=D(2024, 3, 1))[6]
    assert agreement.passed and agreement.detail == f"服务协议含入住机构护理；{inst.name} 01 床"
    Admission.objects.filter(person=person).update(discharged_on=D(2024, 2, 1))
    agreement = explain(person=person, on=D(2024, 3, 1))[6]
    assert (agreement.passed, agreement.reason_code) == (False, "BED")
    residential_only = make_institution(care_forms=["residential"])
    agreement = explain(
        person=person, on=D(2024, 3, 1), care_form="home_family", institution=residential_only
    )[6]
    assert (agreement.reason_code, agreement.record.startswith("Agreement#")) == ("FORM_NOT_AGREED", True)
    assert (
        agreement.detail == f"{residential_only.name}的服务协议不含亲情照护+上门服务（协议含：入住协议机构）"
    )
    assert decision.benefit_class == "severe"


def test_a_home_visits_agreement_serves_the_visits_of_home_family(policy):
    """SPEC 5.2 B: the visits of option B2 are institutional home visits (the settlement's reading)."""
    person = _beneficiary()
    visits_only = make_institution(care_forms=["home_visits"])
    decision = _decide(person, care_form="home_family", institution=visits_only, carer_trained=True)
    agreement = explain(person=person, on=D(2024, 3, 1))[6]
    assert (agreement.passed, agreement.detail) == (
        True,
        f"{visits_only.name}的服务协议含亲情照护+上门服务",
    )
    family_only = make_institution(care_forms=["home_family"])
    agreement = explain(person=person, on=D(2024, 3, 1), care_form="home_visits", institution=family_only)[6]
    assert agreement.passed
    assert decision.institution == visits_only


def test_the_family_allowance_needs_no_agreement_its_visits_do(policy):
    """SPEC 5.1 condition 6 concerns care by an institution: after the agreement of the B2 institution has
    ended, its visits fail FORM_NOT_AGREED while the family-care allowance is still paid (seed 001 五(三)2)."""
    person = _beneficiary()
    inst = make_institution(valid_to=D(2024, 2, 29))
    _decide(person, institution=inst, carer_trained=True)
    visits = explain(person=person, on=D(2024, 3, 1))
    assert [(c.code, c.reason_code) for c in visits if not c.passed] == [("agreement", "FORM_NOT_AGREED")]
    allowance = explain(person=person, on=D(2024, 3, 1), kind="allowance")
    assert is_eligible(allowance)
    assert allowance[6].detail == "亲情照护+上门服务津贴支付给参保人本人，不属于机构护理"
    assert is_eligible(explain(person=person, on=D(2024, 2, 29), kind="service"))


def test_a_form_without_an_allowance_fails_the_decision_for_the_allowance(policy):
    person = _beneficiary()
    _decide(person, care_form="home_visits")
    condition = explain(person=person, on=D(2024, 3, 1), kind="allowance")[4]
    assert (condition.code, condition.reason_code) == ("decision", "NO_DECISION")
    assert condition.detail.endswith("不支付津贴")
    with pytest.raises(ValueError, match="unknown kind of care 'cash'"):
        explain(person=person, on=D(2024, 3, 1), kind="cash")


def test_month_verdicts_use_a_fixed_number_of_queries(policy, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    persons = [_beneficiary() for _ in range(2)]
    for p in persons:
        _decide(p)
    with CaptureQueriesContext(connection) as few:
        month_verdicts(person_ids=[p.pk for p in persons], start=D(2024, 2, 1), end=D(2024, 2, 29))
    more = [_beneficiary() for _ in range(12)]
    for p in more[:6]:
        _decide(p)
        HospitalStay.objects.create(person=p, admitted_on=D(2024, 2, 3), hospital="市一院")
    with CaptureQueriesContext(connection) as many:
        result = month_verdicts(
            person_ids=[p.pk for p in persons + more], start=D(2024, 1, 1), end=D(2024, 3, 31)
        )
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(result) == 14 * 91


def _random_person(rng: random.Random, inst):
    died_on = D(2024, 3, rng.randint(1, 31)) if rng.random() < 0.2 else None
    person = make_person(died_on=died_on, covered_to=died_on)
    if rng.random() < 0.2:
        from enrollment.models import Contribution

        Contribution.objects.filter(person=person, year=2024).update(
            status="arrears", individual_paid=0, fully_paid_on=None
        )
    if rng.random() < 0.85:
        grade = rng.choice([1, 2, 3, 4, 5])
        concluded = D(2024, rng.choice([1, 2, 3]), rng.randint(1, 28))
        make_conclusion(
            person,
            grade=grade,
            concluded_on=concluded,
            valid_until=max(concluded, rng.choice([D(2024, 3, rng.randint(1, 31)), D(2025, 12, 31)])),
        )
        if grade >= 2 and concluded <= D(2024, 3, 10):
            start = concluded + dt.timedelta(days=rng.randint(0, 5))
            ends = start + dt.timedelta(days=rng.randint(3, 40)) if rng.random() < 0.4 else None
            BenefitDecision.objects.create(
                person=person,
                benefit_class="severe",
                care_form="home_family",
                institution=inst,
                starts_on=start,
                ends_on=ends,
                carer_trained=True,
            )
    for _ in range(rng.choice([0, 0, 1, 2])):
        admitted = D(2024, 3, 1) + dt.timedelta(days=rng.randint(0, 29))
        discharged = admitted + dt.timedelta(days=rng.randint(0, 6)) if rng.random() < 0.7 else None
        clash = HospitalStay.objects.filter(person=person).exists()
        if not clash:
            HospitalStay.objects.create(
                person=person, admitted_on=admitted, discharged_on=discharged, hospital="市一院"
            )
    if rng.random() < 0.25:
        starts = D(2024, 3, 1) + dt.timedelta(days=rng.randint(0, 29))
        ends = starts + dt.timedelta(days=rng.randint(0, 5)) if rng.random() < 0.7 else None
        OtherFundBenefit.objects.create(
            person=person, fund=rng.choice(["work_injury", "maternity"]), starts_on=starts, ends_on=ends
        )
    return person


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_month_verdicts_agree_with_explain_on_random_persons(policy, seed):
    rng = random.Random(seed)
    inst = make_institution()
    persons = [_random_person(rng, inst) for _ in range(12)]
    verdicts = month_verdicts(person_ids=[p.pk for p in persons], start=MARCH[0], end=MARCH[1])
    for person in persons:
        for day in range(1, 32):  # every day: the segments must hold day by day
            on = D(2024, 3, day)
            conditions = explain(person=person, on=on)[:6]
            failing = next((c for c in conditions if not c.passed), None)
            verdict = verdicts[(person.pk, on)]
            assert verdict.eligible is (failing is None), (person, on, conditions, verdict)
            assert verdict.reason_code == (failing.reason_code if failing else None), (
                person,
                on,
                conditions,
                verdict,
            )
