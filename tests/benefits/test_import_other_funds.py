"""import_other_fund_benefits (SPEC 5.1 condition 5): work-injury and maternity periods, idempotent, the
end date filled in later, bad-file corpus; and what they do to eligibility."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from benefits.eligibility import explain, month_verdicts
from benefits.imports import import_other_fund_benefits
from benefits.models import OtherFundBenefit

from .conftest import make_id, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
D = dt.date
HEADER = "national_id,fund,starts_on,ends_on,reference\n"


def run(text: str, name="funds.csv"):
    return import_other_fund_benefits(content=text.encode("utf-8"), filename=name)


@pytest.fixture
def person():
    return make_person()


def test_import_creates_periods_is_idempotent_and_closes_an_open_one(person):
    text = (
        HEADER
        + f"{person.national_id},work_injury,2024-03-01,,GS-7\n{person.national_id},maternity,2024-01-05,2024-01-20,\n"
    )
    assert (lambda r: (r.applied, r.unchanged, r.errors))(run(text)) == (2, 0, [])
    assert (lambda r: (r.applied, r.unchanged, r.errors))(run(text)) == (0, 2, [])
    report = run(HEADER + f"{person.national_id},work_injury,2024-03-01,2024-03-31,GS-7\n")
    assert (report.applied, report.errors) == (1, [])
    assert OtherFundBenefit.objects.get(person=person, fund="work_injury").ends_on == D(2024, 3, 31)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "{id},work_injury,2024-03-09,2024-03-05,\n",
            "row 2, field ends_on: end 2024-03-05 is before start 2024-03-09",
        ),
        (
            "{id},pension,2024-03-05,,\n",
            "row 2, field fund: is not an allowed value (given: pension; allowed:",
        ),
        ("{id},,2024-03-05,,\n", "row 2, field fund: is required"),
        (
            "{id},maternity,2024-02-30,,\n",
            "row 2, field starts_on: '2024-02-30' is not a date in the form YYYY-MM-DD",
        ),
        ("{id},maternity,,,\n", "row 2, field starts_on: is required"),
        ("{id},maternity,2024-03-05,,{long}\n", "row 2, field reference: is longer than 64 characters"),
        (
            "320302194001019999,maternity,2024-03-05,,\n",
            "row 2, field national_id: check character is 9, expected",
        ),
        ("{id},maternity,2024-03-05,,,extra\n", "row 2, field *: has 6 fields, the header has 5"),
    ],
)
def test_bad_rows_are_rejected_with_row_field_and_reason_and_nothing_written(person, rows, expected):
    report = run(HEADER + rows.format(id=person.national_id, long="x" * 65))
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(expected)
    assert not OtherFundBenefit.objects.exists()


def test_unknown_person_and_overlaps_are_rejected(person):
    other = make_id()
    report = run(
        HEADER + f"{other},maternity,2024-03-05,,\n"
        f"{person.national_id},work_injury,2024-03-01,2024-03-10,\n"
        f"{person.national_id},work_injury,2024-03-10,2024-03-20,\n"
        f"{person.national_id},maternity,2024-03-10,2024-03-20,\n"
    )
    assert [str(e) for e in report.errors] == [
        f"row 2, field national_id: no insured person with ID number {other} (not in the roster) (公民身份号码)",
        "row 4, field starts_on: overlaps the period work_injury (Work-injury insurance) 2024-03-01..2024-03-10 "
        "(起始日期)",
    ]
    assert report.applied == 2  # another fund may overlap: each is its own period


def test_the_command_prints_row_errors_and_refuses_a_bad_file(person, tmp_path, capsys):
    path = tmp_path / "funds.csv"
    path.write_text(HEADER + f"{person.national_id},pension,2024-03-05,,\n", encoding="utf-8")
    call_command("import_other_fund_benefits", str(path))
    assert "row 2, field fund: is not an allowed value (given: pension;" in capsys.readouterr().err
    assert not OtherFundBenefit.objects.exists()
    path.write_text("national_id,fund,starts_on\n1,2,3\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_other_fund_benefits", str(path))
    path.write_text(HEADER + f"{person.national_id},maternity,2024-03-05,2024-03-06,\n", encoding="utf-8")
    call_command("import_other_fund_benefits", str(path))
    assert OtherFundBenefit.objects.filter(person=person).count() == 1


def test_condition_5_fails_on_the_days_of_the_period_both_dates_included(policy):
    from .test_eligibility import _beneficiary, _decide

    person = _beneficiary()
    _decide(person)
    run(HEADER + f"{person.national_id},work_injury,2024-03-10,2024-03-12,GS-9\n")
    verdicts = month_verdicts(person_ids=[person.pk], start=D(2024, 3, 9), end=D(2024, 3, 13))
    assert [verdicts[(person.pk, D(2024, 3, d))].reason_code for d in range(9, 14)] == [
        None,
        "EXCLUDED_OTHER_FUND",
        "EXCLUDED_OTHER_FUND",
        "EXCLUDED_OTHER_FUND",
        None,
    ]
    failing = explain(person=person, on=D(2024, 3, 12))[5]
    assert (failing.code, failing.passed, failing.reason_code) == (
        "not_in_hospital",
        False,
        "EXCLUDED_OTHER_FUND",
    )
    work_injury = str(
        OtherFundBenefit.Fund.WORK_INJURY.label
    )  # the fund by its label, in the active language
    assert failing.record.startswith("OtherFundBenefit#") and work_injury in failing.detail
    assert explain(person=person, on=D(2024, 3, 13))[5].passed
