"""SPEC 11.7 import_conclusions: columns, validity default, idempotence, corrections, bad input."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from assessment.models import Conclusion, ConclusionEvent
from tests.assessment.conftest import make_institution, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


HEADER = "national_id,grade,concluded_on,valid_until,agency_code\n"


def run(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_conclusions", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def people(xuzhou):
    return make_person(serial=11), make_person(serial=13)


def test_rows_become_final_imported_conclusions_with_policy_validity(tmp_path, people):
    a, b = people
    make_institution("PG01")
    out, err = run(
        tmp_path, HEADER + f"{a.national_id},4,2024-03-10,,PG01\n{b.national_id},2,2024-05-01,2025-01-31,\n"
    )
    assert "2 rows, 2 applied, 0 unchanged, 0 rejected" in out, err
    ca = Conclusion.objects.get(person=a)
    assert (ca.grade, ca.state, ca.imported, ca.agency.code) == (4, "final", True, "PG01")
    assert ca.valid_until == dt.date(2026, 3, 9)  # valid 2 years including 2024-03-10
    cb = Conclusion.objects.get(person=b)
    assert cb.valid_until == dt.date(2025, 1, 31) and cb.agency is None
    assert ConclusionEvent.objects.filter(kind="final").count() == 2


def test_same_file_twice_changes_nothing(tmp_path, people):
    a, _ = people
    text = HEADER + f"{a.national_id},4,2024-03-10,,\n"
    run(tmp_path, text)
    out, _ = run(tmp_path, text)
    assert "1 rows, 0 applied, 1 unchanged, 0 rejected" in out
    assert Conclusion.objects.filter(person=a).count() == 1


def test_changed_grade_updates_the_same_conclusion_with_history(tmp_path, people):
    a, _ = people
    run(tmp_path, HEADER + f"{a.national_id},4,2024-03-10,,\n")
    out, _ = run(tmp_path, HEADER + f"{a.national_id},3,2024-03-10,,\n")
    assert "1 applied" in out
    c = Conclusion.objects.get(person=a)
    assert c.grade == 3
    assert [h.grade for h in c.history.order_by("history_id")] == [4, 3]
    event = ConclusionEvent.objects.get(kind="corrected")
    assert (event.grade, event.previous_grade) == (3, 4)


def test_later_lower_conclusion_publishes_a_downgrade(tmp_path, people):
    a, _ = people
    run(tmp_path, HEADER + f"{a.national_id},4,2024-03-10,,\n{a.national_id},2,2025-01-05,,\n")
    down = ConclusionEvent.objects.get(kind="downgraded")
    assert (down.grade, down.previous_grade, down.effective_on) == (2, 4, dt.date(2025, 1, 5))


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("{id},6,2024-03-10,,", "grade", "'6' is not a grade 0-5"),
        ("{id},x,2024-03-10,,", "grade", "'x' is not a grade 0-5"),
        ("{id},3,2024-13-10,,", "concluded_on", "'2024-13-10' is not a date in the form YYYY-MM-DD"),
        ("{id},3,,,", "concluded_on", "is required"),
        ("{id},3,2024-03-10,2024-03-01,", "valid_until", "2024-03-01 is before concluded_on 2024-03-10"),
        ("{id},3,2024-03-10,,NOPE", "agency_code", "no institution with code NOPE"),
        (
            "{id},3,2024-03-10,,HOME1",
            "agency_code",
            "institution HOME1 is not an assessment agency (type home_care Home care service company)",
        ),
        ("320302194005069999,3,2024-03-10,,", "national_id", "check character is 9, expected"),
        (
            "110101199001011237,3,2024-03-10,,",
            "national_id",
            "no insured person with ID number 110101199001011237",
        ),
        ("{id},3,2099-03-10,,", "concluded_on", "2099-03-10 is in the future"),
    ],
)
def test_bad_rows_are_rejected_with_field_and_reason_and_nothing_written(
    tmp_path, people, row, field, reason
):
    a, b = people
    make_institution("HOME1", type_="home_care")
    out, err = run(tmp_path, HEADER + row.format(id=a.national_id) + f"\n{b.national_id},3,2024-01-02,,\n")
    assert "1 applied" in out and "1 rejected" in out
    assert f"row 2, field {field}: {reason}" in err
    assert not Conclusion.objects.filter(person=a).exists()
    assert (tmp_path / "c.csv.errors.csv").exists()


def test_duplicate_person_and_date_in_one_file_rejects_the_second(tmp_path, people):
    a, _ = people
    _, err = run(tmp_path, HEADER + f"{a.national_id},3,2024-01-02,,\n{a.national_id},4,2024-01-02,,\n")
    assert "row 3, field concluded_on: same person and concluded_on as row 2" in err
    assert Conclusion.objects.get(person=a).grade == 3


def test_wrong_header_rejects_the_file(tmp_path, people):
    with pytest.raises(CommandError, match="missing column"):
        run(tmp_path, "national_id,grade\n1,2\n")
    assert not Conclusion.objects.exists()


def test_empty_validity_without_policy_in_force_is_a_row_error(tmp_path, people):
    a, _ = people
    _, err = run(tmp_path, HEADER + f"{a.national_id},3,2019-01-02,,\n")
    assert "row 2, field valid_until: empty and no validity policy" in err
