"""import_benefit_decisions (SPEC 11.7)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import translation

from benefits.imports import import_benefit_decisions
from benefits.models import Admission, BenefitDecision

from .conftest import make_conclusion, make_id, make_institution, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
HEADER = "national_id,care_form,institution_code,carer_trained,starts_on,ends_on\n"
D = dt.date


def run(text):
    return import_benefit_decisions(content=(HEADER + text).encode(), filename="decisions.csv")


@pytest.fixture
def person(policy):
    p = make_person()
    make_conclusion(p, grade=3, concluded_on=D(2023, 6, 1), valid_until=D(2025, 5, 31))
    return p


@pytest.fixture
def inst(db):
    return make_institution(code="JG0001", beds=2)


def test_import_creates_decisions_and_is_idempotent(person, inst):
    text = (
        f"{person.national_id},home_family,JG0001,true,2023-07-01,2023-12-31\n"
        f"{person.national_id},residential,JG0001,,2024-01-01,\n"
    )
    report = run(text)
    assert (report.applied, report.errors) == (2, [])
    report = run(text)
    assert (report.applied, report.unchanged, report.errors) == (0, 2, [])
    first, second = BenefitDecision.objects.filter(person=person).order_by("starts_on")
    assert (first.care_form, first.carer_trained, first.ends_on, first.end_reason, first.imported) == (
        "home_family",
        True,
        D(2023, 12, 31),
        "imported",
        True,
    )
    assert (second.care_form, second.benefit_class, second.ends_on) == ("residential", "severe", None)
    admission = Admission.objects.get(person=person)
    assert (admission.bed.label, admission.admitted_on, admission.discharged_on) == (
        "01",
        D(2024, 1, 1),
        None,
    )


def test_a_later_form_closes_the_open_decision_the_day_before(person, inst):
    run(f"{person.national_id},home_visits,JG0001,,2023-07-01,\n")
    report = run(f"{person.national_id},home_family,JG0001,false,2024-02-01,\n")
    assert report.applied == 1 and not report.errors
    old, new = BenefitDecision.objects.filter(person=person).order_by("starts_on")
    assert (old.ends_on, old.end_reason) == (D(2024, 1, 31), "form_changed")
    assert (new.ends_on, new.carer_trained) == (None, False)


def test_an_end_date_later_in_the_file_closes_the_same_decision(person, inst):
    run(f"{person.national_id},home_visits,JG0001,,2023-07-01,\n")
    report = run(f"{person.national_id},home_visits,JG0001,,2023-07-01,2024-03-31\n")
    assert report.applied == 1
    assert BenefitDecision.objects.get(person=person).ends_on == D(2024, 3, 31)


def test_residential_without_a_free_bed_is_rejected(person, inst):
    others = []
    for _ in range(2):
        other = make_person()
        make_conclusion(other, grade=4, concluded_on=D(2023, 6, 1), valid_until=D(2025, 5, 31))
        others.append(other)
    text = "".join(f"{p.national_id},residential,JG0001,,2024-01-01,\n" for p in [*others, person])
    report = run(text)
    assert report.applied == 2
    assert [str(e) for e in report.errors] == [
        "row 4, field institution_code: no free registered bed at JG0001 on 2024-01-01 (机构编码)"
    ]
    assert not BenefitDecision.objects.filter(person=person).exists()
    assert sorted(Admission.objects.values_list("bed__label", flat=True)) == ["01", "02"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "{id},spa,,,2024-01-01,",
            "row 2, field care_form: is not an allowed value (given: spa; allowed: Residential care in "
            "an agreement institution (residential), Home visit services (home_visits), Family care + home visits "
            "(home_family), Cash allowance for out-of-area residence (remote_cash), Home care package "
            "(home_package_copay), Daily home care allowance (daily_allowance), Community care (community), "
            "Assistive devices (device), Disability prevention (prevention)) (护理服务形式)",
        ),
        (
            "{id},residential,,,2024-01-01,",
            "row 2, field institution_code: is required for care form residential (Residential care in an "
            "agreement institution) (机构编码)",
        ),
        (
            "{id},remote_cash,JG0001,,2024-01-01,",
            "row 2, field institution_code: must be empty: remote_cash (Cash allowance for out-of-area residence) "
            "is paid to the person (机构编码)",
        ),
        (
            "{id},home_family,JG0001,maybe,2024-01-01,",
            "row 2, field carer_trained: is not true or false (given: maybe) (照护人已培训)",
        ),
        (
            "{id},home_family,JG0001,true,2024-01-05,2024-01-01",
            "row 2, field ends_on: 2024-01-01 is before starts_on 2024-01-05 (待遇终止日期)",
        ),
        (
            "{id},home_visits,NOPE,,2024-01-01,",
            "row 2, field institution_code: no institution with code NOPE (机构编码)",
        ),
        (
            "{id},home_visits,JG0001,,2023-01-01,",
            "row 2, field starts_on: no final assessment conclusion in force on 2023-01-01 (待遇起始日期)",
        ),
        ("{id},home_visits,JG0001,,,", "row 2, field starts_on: is required (待遇起始日期)"),
    ],
)
def test_bad_rows_are_rejected(person, inst, line, expected):
    report = run(line.format(id=person.national_id) + "\n")
    assert [str(e) for e in report.errors] == [expected]
    assert not BenefitDecision.objects.exists()


def test_unknown_person_and_uncovered_class_are_rejected(person, inst):
    mild = make_person()
    make_conclusion(mild, grade=1, concluded_on=D(2023, 6, 1), valid_until=D(2025, 5, 31))
    stranger = make_id()
    report = run(
        f"{stranger},home_visits,JG0001,,2024-01-01,\n{mild.national_id},home_visits,JG0001,,2024-01-01,\n"
    )
    assert [str(e) for e in report.errors] == [
        f"row 2, field national_id: no insured person with ID number {stranger} (not in the roster) (公民身份号码)",
        "row 3, field starts_on: the conclusion in force on 2024-01-01 (grade 1, mild) is not a covered class "
        "(moderate, severe) (待遇起始日期)",
    ]


def test_overlap_with_a_closed_decision_is_rejected(person, inst):
    run(f"{person.national_id},home_visits,JG0001,,2023-07-01,2024-06-30\n")
    report = run(f"{person.national_id},home_family,JG0001,true,2024-01-01,\n")
    assert [str(e) for e in report.errors] == [
        "row 2, field starts_on: overlaps the benefit decision home_visits (Home visit services, "
        "2023-07-01..2024-06-30) (待遇起始日期)"
    ]


def test_command_reports_rows(person, inst, tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + f"{person.national_id},home_visits,JG0001,,2023-07-01,\n", encoding="utf-8")
    call_command("import_benefit_decisions", str(path))
    assert "1 applied" in capsys.readouterr().out
