"""explain_eligibility (SPEC 11.9): text and JSON output, clear errors."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from benefits.services import decision_create

from .conftest import make_conclusion, make_institution, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def beneficiary(policy):
    person = make_person()
    make_conclusion(person, grade=4)
    decision_create(
        person=person, care_form="home_visits", institution=make_institution(), starts_on=dt.date(2024, 1, 1)
    )
    return person


def test_text_output_has_one_line_per_condition_and_an_overall_line(beneficiary, capsys):
    call_command("explain_eligibility", beneficiary.national_id, "2024-03-10")
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("  ")[:2] for line in lines[:7]] == [
        ["PASS", "Coverage (covered)"],
        ["PASS", "Annual contribution (contribution_paid)"],
        ["PASS", "Waiting period (waiting_period)"],
        ["PASS", "Disability assessment conclusion (conclusion)"],
        ["PASS", "Benefit decision (decision)"],
        ["PASS", "Not in hospital, no other fund (not_in_hospital)"],
        ["PASS", "Agreement institution and care form (agreement)"],
    ]
    assert lines[7] == f"ELIGIBLE  {beneficiary.national_id} on 2024-03-10"


def test_the_text_is_chinese_by_default_with_each_code_after_its_label(beneficiary, capsys):
    """SPEC 11.9's human text in the default language; the JSON keeps its codes (the contract)."""
    from tests.crawler import foreign_words

    with translation.override("zh-hans"):  # settings.LANGUAGE_CODE, as on the command line
        call_command("explain_eligibility", beneficiary.national_id, "2023-12-31")
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].startswith("通过  参保状态（covered）")
    assert (
        "不通过  待遇核定（decision）  无有效的待遇核定 [无该护理形式和机构的有效待遇核定（NO_DECISION）]"
        in out
    )
    assert lines[-1] == (
        f"不符合待遇享受条件  {beneficiary.national_id}  2023-12-31："
        "无有效的失能评估结论（或等级不在保障范围）（NO_CONCLUSION）"
    )
    assert foreign_words(out) == []  # deciding records by their names too: 失能评估结论 #12


def test_json_output_with_a_care_form_that_is_not_decided(beneficiary, capsys):
    call_command(
        "explain_eligibility", beneficiary.national_id, "2024-03-10", "--care-form", "residential", "--json"
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["national_id"], data["date"], data["care_form"], data["eligible"]) == (
        beneficiary.national_id,
        "2024-03-10",
        "residential",
        False,
    )
    decision = data["conditions"][4]
    assert set(decision) == {"number", "code", "passed", "result", "reason_code", "detail", "record"}
    assert (decision["code"], decision["passed"], decision["reason_code"]) == (
        "decision",
        False,
        "NO_DECISION",
    )


def test_not_eligible_prints_the_failing_reason(beneficiary, capsys):
    call_command("explain_eligibility", beneficiary.national_id, "2023-12-31")
    out = capsys.readouterr().out
    assert "FAIL  Benefit decision (decision)  no active benefit decision [" in out
    assert "(NO_DECISION)]" in out
    assert out.strip().splitlines()[-1].startswith(f"NOT ELIGIBLE  {beneficiary.national_id} on 2023-12-31: ")
    assert out.strip().endswith("(NO_CONCLUSION)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["320302194001010000", "2024-03-10"], "no insured person with ID number 320302194001010000"),
        (["{id}", "2024-13-10"], "bad date: '2024-13-10' is not a date in the form YYYY-MM-DD"),
        (["{id}", "2024-03-10", "--care-form", "spa"], "unknown care form 'spa'"),
    ],
)
def test_bad_arguments_are_clear_errors(beneficiary, args, message):
    args = [a.format(id=beneficiary.national_id) for a in args]
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("explain_eligibility", *args)


def test_the_kind_argument_explains_the_family_allowance_apart_from_its_visits(policy, capsys):
    person = make_person()
    make_conclusion(person, grade=4)
    ended = make_institution(valid_to=dt.date(2024, 2, 29))
    decision_create(
        person=person,
        care_form="home_family",
        institution=ended,
        carer_trained=True,
        starts_on=dt.date(2024, 1, 1),
    )
    call_command("explain_eligibility", person.national_id, "2024-03-10", "--json")
    visits = json.loads(capsys.readouterr().out)
    call_command("explain_eligibility", person.national_id, "2024-03-10", "--kind", "allowance", "--json")
    allowance = json.loads(capsys.readouterr().out)
    assert (visits["eligible"], visits["conditions"][6]["reason_code"]) == (False, "FORM_NOT_AGREED")
    assert (allowance["eligible"], allowance["kind"]) == (True, "allowance")
    with pytest.raises(CommandError, match="invalid choice: 'cash'"):
        call_command("explain_eligibility", person.national_id, "2024-03-10", "--kind", "cash")
