"""Differential properties on small random worlds (issue 15): the settlement run (set-based SQL) and the
explanation and pricing rules (Python) must give the same answers.

(a) For every person and day of a month, the record audit of the settlement run has the verdict and reason
    code of the first failing condition of ``benefits.eligibility.explain`` for that record's care form and
    institution (SPEC 5.1, 7.2); on every person-day, with records or not, the eligibility the run stages
    is the verdict of the explanation's conditions 1-5, and the allowance the run pays the person (or the
    code why not) is the explanation of the allowance (``kind="allowance"``): the family-care allowance of
    option B2 is paid after the visiting institution's agreement has ended, its visits are not.
(b) A residential line priced in SQL equals ``benefits.payment.residential`` over its accepted bed-days
    (SPEC 5.2 A, 7.2).
(c) The yearly contribution run split in chunks equals the run in one piece (SPEC 3.3, 9).

Each example builds its world through the services inside a savepoint that is rolled back, so the examples
do not see each other. The settings below hold on a loaded machine (no deadline, no time-based health check)
whatever hypothesis profile is loaded.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits import payment
from benefits.eligibility import explain, month_segments
from benefits.models import BenefitDecision
from benefits.rules import ALLOWANCE
from benefits.services import decision_create
from benefits.services.decisions import DecisionError
from benefits.services.hospital import hospital_stay_record
from institutions.services.records import caregiver_employ
from settlement.models import RecordAudit, ServiceRecord, SettlementLine
from settlement.rules import OVER_LIMIT, OVER_PRICE, allowance_refusal, default_form
from settlement.services.records import records_store
from settlement.services.run import settlement_run

from ..benefits.conftest import (
    covered_classes_record,
    make_conclusion,
    make_id,
    make_institution,
    make_person,
)

pytestmark = pytest.mark.django_db
D = dt.date
MONTH, END = D(2024, 5, 1), D(2024, 5, 31)
MAY = [MONTH + dt.timedelta(days=n) for n in range(31)]
FORMS = ("residential", "home_visits", "home_family")
PRICING_CODES = (OVER_LIMIT, OVER_PRICE)  # parts of an accepted record's charge, not verdicts


def ci(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )


class Rollback(Exception):
    """Leave the example's savepoint without keeping anything."""


def isolated(build):
    """Run build() in a savepoint that is rolled back afterwards; return what it returned."""
    result = None
    try:
        with transaction.atomic():
            result = build()
            raise Rollback
    except Rollback:
        pass
    return result


may_days = st.integers(min_value=0, max_value=30).map(lambda n: MAY[n])
spring_days = st.integers(min_value=0, max_value=60).map(lambda n: D(2024, 4, 1) + dt.timedelta(days=n))


@st.composite
def institution_specs(draw):
    # Hypothesis leans to the simplest values: make them the common case (every form, beds, an open end).
    missing = draw(st.sets(st.sampled_from(FORMS), max_size=2))
    ends = draw(st.none() | may_days)
    beds = draw(st.sampled_from([2, 1, 0]))
    return {"forms": sorted(set(FORMS) - missing), "valid_to": ends, "beds": beds}


@st.composite
def person_specs(draw, institutions: int):
    def rarely(n):  # true once in n draws, false for the simplest value
        return draw(st.integers(1, n)) == n

    spec = {
        "died_on": draw(may_days) if rarely(5) else None,
        "arrears": rarely(6),
        "conclusion": None,
        "decision": None,
        "stay": None,
        "elsewhere": rarely(4),  # records from another institution than the decision's
        "kind": draw(st.sampled_from(["bed_day", "home_visit"])),
        # records every day, every other or third day, or none (person-days without records, part 3)
        "every": draw(st.sampled_from([1, 2, 3, 0])),
    }
    if not rarely(6):
        concluded = draw(st.integers(0, 15).map(lambda n: D(2024, 4, 1) + dt.timedelta(days=n)) | spring_days)
        until = draw(st.sampled_from([D(2025, 12, 31), None]))
        spec["conclusion"] = (
            draw(st.sampled_from([4, 5, 3, 2, 1])),
            concluded,
            until or max(concluded, draw(may_days)),
        )
    if not rarely(6):  # mostly from the conclusion's day (a decision needs one in force), else any day
        concluded = spec["conclusion"][1] if spec["conclusion"] else D(2024, 4, 1)
        starts = draw(st.integers(0, 40).map(lambda n: concluded + dt.timedelta(days=n)) | spring_days)
        ends = draw(st.none() | may_days)
        spec["decision"] = (
            draw(st.sampled_from(FORMS)),
            draw(st.integers(min_value=0, max_value=institutions - 1)),
            starts,
            ends if ends is None or ends >= starts else None,
        )
    if rarely(3):
        admitted = draw(may_days)
        spec["stay"] = (
            admitted,
            draw(st.none() | st.integers(0, 6).map(lambda n: admitted + dt.timedelta(n))),
        )
    return spec


@st.composite
def worlds(draw):
    institutions = draw(st.lists(institution_specs(), min_size=1, max_size=2))
    persons = draw(st.lists(person_specs(len(institutions)), min_size=1, max_size=2))
    return institutions, persons


def _build(institutions, persons):
    """Institutions with a caregiver each, persons with their conclusions, decisions, stays and one record
    per day of May (a bed-day for a residential decision, else a visit)."""
    insts = []
    for n, spec in enumerate(institutions):
        inst = make_institution(care_forms=spec["forms"], beds=spec["beds"], valid_to=spec["valid_to"])
        caregiver = make_id("19800101", "320303")
        caregiver_employ(
            institution=inst, national_id=caregiver, name=f"护理员{n}", employed_from=D(2023, 1, 1)
        )
        insts.append((inst, caregiver))
    built = []
    for n, spec in enumerate(persons):
        person = make_person(died_on=spec["died_on"], covered_to=spec["died_on"], paid_years=[2024])
        if spec["arrears"]:
            person.contributions.filter(year=2024).update(
                status="arrears", individual_paid=0, fully_paid_on=None
            )
        if spec["conclusion"]:
            grade, concluded, until = spec["conclusion"]
            make_conclusion(person, grade=grade, concluded_on=concluded, valid_until=until)
        decision_inst = insts[0][0]
        form = None
        if spec["decision"]:
            form, index, starts, ends = spec["decision"]
            decision_inst = insts[index][0]
            try:
                with transaction.atomic():
                    decision_create(
                        person=person,
                        care_form=form,
                        institution=decision_inst,
                        starts_on=starts,
                        ends_on=ends,
                        carer_trained=True,
                    )
            except DecisionError:
                form = None  # refused (no conclusion, agreement, bed...): the person has no decision
        if spec["stay"]:
            admitted, discharged = spec["stay"]
            hospital_stay_record(
                person=person, admitted_on=admitted, discharged_on=discharged, hospital="市一院"
            )
        inst, caregiver = insts[-1] if spec["elsewhere"] else next(i for i in insts if i[0] == decision_inst)
        kind = "bed_day" if form == "residential" else "home_visit" if form else spec["kind"]
        records = []
        for day in MAY if spec.get("every", 1) else []:
            if day.day % spec.get("every", 1):
                continue
            start = dt.datetime.combine(day, dt.time(8 + n)).astimezone()
            data = {
                "institution_id": inst.pk,
                "person_id": person.pk,
                "kind": kind,
                "service_date": day,
                "component": "life" if kind == "bed_day" else "",
                "charged_amount": Decimal("50.00") if kind == "bed_day" else Decimal("5.00"),
            }
            if kind == "home_visit":
                data.update(
                    caregiver_national_id=caregiver,
                    started_at=start,
                    ended_at=start + dt.timedelta(hours=1),
                    items=["清洁照料"],
                )
            records.append((f"diff:{person.pk}:{day.isoformat()}", data))
        if records:
            records_store(records=records, origin=ServiceRecord.Origin.FILE)
        built.append(person)
    return built


def _explained(record, person):
    decision = BenefitDecision.objects.in_force(record.service_date).filter(person=person).first()
    form = default_form(record.kind, decision.care_form if decision else None)
    conditions = explain(
        person=person, on=record.service_date, care_form=form, institution=record.institution
    )
    failing = next((c for c in conditions if not c.passed), None)
    return failing.reason_code if failing else None, conditions


def _settled_and_explained(institutions, persons):
    """Build the world, run the month and return {(person index, day): (settled code, explained code)}
    for every record, after checking each record's settled code is its explanation's."""
    built = _build(institutions, persons)
    run = settlement_run(month=MONTH)
    audits = {a.record_id: list(a.codes) for a in RecordAudit.objects.filter(run=run)}
    assert len(audits) == ServiceRecord.objects.count()
    answers = {}
    for n, person in enumerate(built):
        for record in ServiceRecord.objects.filter(person=person).select_related("institution"):
            codes = audits[record.pk]
            settled = next((c for c in codes if c not in PRICING_CODES), None)
            explained, conditions = _explained(record, person)
            assert settled == explained, (record.kind, record.service_date, codes, conditions)
            answers[(n, record.service_date)] = settled
    _check_person_days(built, answers)
    _check_allowances(built, run)
    return answers


def _check_person_days(built, answers):
    """Every person and day of the month, records or not: the eligibility the run stages for the day
    (``benefits.eligibility.month_segments``, which ``stage.stage_eligibility`` copies row for row into
    run_eligibility) is the verdict of the explanation's person-level conditions 1-5 for the decision's form;
    the day of death is not a bed-day (the audit's ``death_day`` rule, checked at condition 1)."""
    segments = month_segments(person_ids=[p.pk for p in built], start=MONTH, end=END)
    for n, person in enumerate(built):
        for first, last, verdict in segments[person.pk]:
            for day in (first + dt.timedelta(days=k) for k in range((last - first).days + 1)):
                conditions = [c for c in explain(person=person, on=day) if c.code != "agreement"]
                explained = next((c.reason_code for c in conditions if not c.passed), None)
                staged = verdict.reason_code
                if verdict.care_form == "residential" and person.died_on == day:
                    staged = "NOT_COVERED"
                assert staged == explained, (n, day, verdict, conditions)
                answers.setdefault((n, day), ("no record", staged))


def _check_allowances(built, run):
    """Every person and day: the allowance the run pays (``settlement.rules.allowance_refusal`` of the staged
    verdict, None when paid) is the explanation of the allowance; the run's allowance line counts those
    days."""
    segments = month_segments(person_ids=[p.pk for p in built], start=MONTH, end=END)
    for n, person in enumerate(built):
        paid_days = 0
        for first, last, verdict in segments[person.pk]:
            settled = allowance_refusal(verdict)
            paid_days += (last - first).days + 1 if settled is None else 0
            for day in (first + dt.timedelta(days=k) for k in range((last - first).days + 1)):
                conditions = explain(person=person, on=day, kind=ALLOWANCE)
                explained = next((c.reason_code for c in conditions if not c.passed), None)
                assert settled == explained, ("allowance", n, day, verdict, conditions)
        lines = SettlementLine.objects.filter(run=run, person=person, institution__isnull=True)
        assert sum(line.quantity for line in lines) == paid_days, (n, list(lines.values()))


# A few hundred random worlds in every test run (issue 15): about a second each on the loaded CI machine.
@ci(250)
@given(world=worlds())
def test_the_settlement_verdict_of_every_person_and_day_is_the_explanation(policy, world):
    institutions, persons = world
    answers = isolated(lambda: _settled_and_explained(institutions, persons))
    assert len(answers) == 31 * len(persons)


def _person(**changes):
    spec = {
        "died_on": None,
        "arrears": False,
        "conclusion": (4, D(2024, 1, 1), D(2025, 12, 31)),
        "decision": None,
        "stay": None,
        "elsewhere": False,
        "kind": "home_visit",
    }
    return {**spec, **changes}


ANY_FORM = {"forms": list(FORMS), "valid_to": None, "beds": 2}


def test_a_visit_from_another_institution_on_a_hospital_day_has_no_decision_for_it(policy):
    # SPEC 5.1 lists the decision for the care form and institution (condition 4) before the hospital
    # stay (condition 5), and the SPEC 7.2 codes in the same order: NO_DECISION, not HOSPITAL.
    person = _person(
        decision=("home_visits", 0, D(2024, 4, 1), None),
        stay=(D(2024, 5, 10), D(2024, 5, 13)),
        elsewhere=True,
    )
    answers = isolated(lambda: _settled_and_explained([ANY_FORM, ANY_FORM], [person]))
    assert {answers[(0, D(2024, 5, day))] for day in (9, 10, 12, 13)} == {"NO_DECISION"}


def test_a_bed_day_of_another_institution_on_a_hospital_day_has_no_decision_for_it(policy):
    person = _person(
        decision=("residential", 0, D(2024, 4, 1), None),
        stay=(D(2024, 5, 10), None),
        elsewhere=True,
    )
    answers = isolated(lambda: _settled_and_explained([ANY_FORM, ANY_FORM], [person]))
    assert {answers[(0, D(2024, 5, day))] for day in (9, 10, 31)} == {"NO_DECISION"}


def test_the_day_of_death_is_not_a_bed_day_in_the_explanation_either(policy):
    # SPEC 5.2 dates: the day of death is payable for visits and allowances but is not a bed-day; the
    # settlement gives it NOT_COVERED, the explanation fails condition 1 for residential care that day.
    died = D(2024, 5, 20)
    resident = _person(died_on=died, decision=("residential", 0, D(2024, 4, 1), None))
    visited = _person(died_on=died, decision=("home_visits", 0, D(2024, 4, 1), None))
    in_arrears = _person(died_on=died, arrears=True, decision=("residential", 0, D(2024, 4, 1), None))
    answers = isolated(lambda: _settled_and_explained([ANY_FORM], [resident, visited, in_arrears]))
    assert answers[(0, D(2024, 5, 19))] is None
    assert answers[(0, died)] == "NOT_COVERED"
    assert answers[(1, died)] is None
    assert answers[(2, died)] == "NOT_COVERED"
    assert answers[(2, D(2024, 5, 19))] == "ARREARS"


def test_the_family_allowance_outlives_the_agreement_of_the_visiting_institution(policy):
    # SPEC 5.1 condition 6 concerns care by an institution: the B2 visits after the agreement's last day
    # are FORM_NOT_AGREED, the family-care allowance is paid for every eligible day of the month.
    ended = {**ANY_FORM, "valid_to": D(2024, 5, 15)}
    person = _person(decision=("home_family", 0, D(2024, 4, 1), None))

    def check():
        answers = _settled_and_explained([ended], [person])
        line = SettlementLine.objects.get(institution__isnull=True, care_form="home_family")
        return answers, line.quantity

    answers, allowance_days = isolated(check)
    assert (answers[(0, D(2024, 5, 15))], answers[(0, D(2024, 5, 16))]) == (None, "FORM_NOT_AGREED")
    assert allowance_days == 31


@pytest.fixture
def policy(xuzhou):
    covered_classes_record(xuzhou)
    return xuzhou


# ---------------------------------------------------------------------------------------------------------
# (b) pricing: SQL (the run's residential lines) against the rule in Python


charges = st.integers(min_value=1, max_value=9000).map(lambda n: Decimal(n).scaleb(-2))


@ci(60)
@given(
    grade=st.sampled_from([2, 3, 4, 5]),
    special=st.booleans(),
    agreed=st.none() | st.integers(min_value=3000, max_value=7000).map(lambda n: Decimal(n).scaleb(-2)),
    day_charges=st.lists(charges, min_size=1, max_size=12),
    first=st.integers(min_value=1, max_value=15),
)
def test_a_residential_line_priced_in_sql_is_the_python_price(
    policy, grade, special, agreed, day_charges, first
):
    from institutions.models import Agreement

    def check():
        inst = make_institution(care_forms=["residential"], beds=1)
        Agreement.objects.filter(institution=inst).update(price_life=agreed)
        person = make_person(categories=["medical_aid"] if special else [])
        make_conclusion(person, grade=grade, concluded_on=D(2024, 1, 1))
        decision = decision_create(
            person=person, care_form="residential", institution=inst, starts_on=D(2024, 4, 1)
        )
        days = [D(2024, 5, first + n) for n in range(len(day_charges))]
        records_store(
            records=[
                (
                    f"price:{person.pk}:{day}",
                    {
                        "institution_id": inst.pk,
                        "person_id": person.pk,
                        "kind": "bed_day",
                        "service_date": day,
                        "component": "life",
                        "charged_amount": charge,
                    },
                )
                for day, charge in zip(days, day_charges, strict=True)
            ],
            origin=ServiceRecord.Origin.FILE,
        )
        run = settlement_run(month=MONTH)
        line = SettlementLine.objects.get(run=run, person=person, institution=inst)
        standard = payment.standards_for("residential", decision.benefit_class, "life", on=MONTH)
        ratio = payment.effective_ratio(
            standard.amount("fund_ratio"), categories=person.categories, bonus=payment.ratio_bonus(on=MONTH)
        )
        expected = payment.residential(
            day_charges, standard_daily=standard.amount("daily"), fund_ratio=ratio, agreed_price=agreed
        )
        assert (
            line.quantity,
            line.charged_amount,
            line.fund_amount,
            line.personal_amount,
            line.rejected_amount,
        ) == (
            len(day_charges),
            expected.charged,
            expected.fund,
            expected.personal,
            expected.rejected,
        )
        assert list(line.reason_codes) == list(expected.codes)

    isolated(check)


# ---------------------------------------------------------------------------------------------------------
# (c) the yearly contribution run in chunks equals the run in one piece (the settlement computes a month in
# one piece, so its chunking is the enrollment run's)


@st.composite
def insured_specs(draw):
    itype = draw(st.sampled_from(["employee", "resident"]))
    start = D(2023, 6, 1) + dt.timedelta(days=draw(st.integers(0, 500)))
    ends = draw(
        st.none() | st.integers(0, 400).map(lambda n: max(D(2024, 1, 1), start + dt.timedelta(days=n)))
    )
    return {
        "type": itype,
        "start": start,
        "end": ends,
        "died": draw(st.integers(0, 5)) == 0 and ends is not None,
        "categories": sorted(
            draw(st.sets(st.sampled_from(["low_income", "medical_aid", "pupil"]), max_size=2))
        ),
        "account": draw(st.none() | st.integers(0, 5000).map(lambda n: Decimal(n).scaleb(-2)))
        if itype == "employee"
        else None,
    }


def _snapshot():
    from enrollment.models import Contribution, ContributionTransaction, FundIncome

    contributions = sorted(
        Contribution.objects.values_list(
            "person_id",
            "year",
            "insurance_type",
            "total_amount",
            "individual_amount",
            "pooled_fund_amount",
            "fiscal_amount",
            "employer_amount",
            "subsidised",
            "subsidy_category",
            "individual_paid",
            "status",
            "due_by",
            "fully_paid_on",
        )
    )
    transactions = sorted(
        ContributionTransaction.objects.values_list(
            "contribution__person_id", "kind", "amount", "occurred_on"
        )
    )
    income = sorted(FundIncome.objects.values_list("year", "source", "region_code", "amount"))
    return contributions, transactions, income


@ci(40)
@given(insured=st.lists(insured_specs(), min_size=1, max_size=8), chunk=st.integers(min_value=1, max_value=4))
def test_the_contribution_run_in_chunks_equals_the_run_in_one_piece(xuzhou, insured, chunk):
    from enrollment.models import AccountEvent, CoveragePeriod
    from enrollment.services.run import contribution_run_year

    def run(size):
        return isolated(
            lambda: (contribution_run_year(year=2024, on=D(2024, 1, 5), chunk_size=size), _snapshot())[1]
        )

    def check():
        for spec in insured:
            person = make_person(
                insurance_type=spec["type"],
                categories=spec["categories"],
                covered_from=spec["start"],
                covered_to=spec["end"],
                died_on=spec["end"] if spec["died"] else None,
                paid_years=[],
            )
            if spec["account"] is not None:
                person.has_personal_account = True
                person.save(update_fields=["has_personal_account"])
                AccountEvent.objects.create(
                    person=person, event="balance", amount=spec["account"], occurred_on=D(2024, 1, 1)
                )
        assert CoveragePeriod.objects.count() == len(insured)
        whole = run(10**9)
        assert whole[0], "the world has no contribution: the comparison would prove nothing"
        assert run(chunk) == whole

    isolated(check)
