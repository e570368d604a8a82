"""import_hospital_stays (SPEC 11.3): idempotent, discharge updates, bad-file corpus."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from benefits.imports import import_hospital_stays
from benefits.models import HospitalStay

from .conftest import make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
HEADER = "national_id,admitted_on,discharged_on,hospital\n"


def run(text: str, name="stays.csv"):
    return import_hospital_stays(content=text.encode("utf-8"), filename=name)


@pytest.fixture
def person():
    return make_person()


def test_import_creates_stays_and_is_idempotent(person):
    text = (
        HEADER
        + f"{person.national_id},2024-03-05,2024-03-09,徐州市中心医院\n{person.national_id},2024-04-01,,市一院\n"
    )
    report = run(text)
    assert (report.applied, report.unchanged, report.errors) == (2, 0, [])
    report = run(text)
    assert (report.applied, report.unchanged, report.errors) == (0, 2, [])
    assert HospitalStay.objects.filter(person=person).count() == 2


def test_discharge_filled_in_later_closes_the_open_stay(person):
    run(HEADER + f"{person.national_id},2024-04-01,,市一院\n")
    report = run(HEADER + f"{person.national_id},2024-04-01,2024-04-10,市一院\n")
    assert report.applied == 1 and not report.errors
    stay = HospitalStay.objects.get(person=person)
    assert stay.discharged_on == dt.date(2024, 4, 10)


def test_empty_discharge_cannot_reopen_a_discharged_stay(person):
    run(HEADER + f"{person.national_id},2024-04-01,2024-04-10,市一院\n")
    report = run(HEADER + f"{person.national_id},2024-04-01,,市一院\n")
    assert [str(e) for e in report.errors] == [
        "row 2, field discharged_on: the stay from 2024-04-01 was already discharged on 2024-04-10; "
        "an empty discharge cannot reopen it (出院日期)"
    ]
    assert HospitalStay.objects.get(person=person).discharged_on == dt.date(2024, 4, 10)


def test_readmission_on_the_discharge_day_is_allowed(person):
    report = run(
        HEADER + f"{person.national_id},2024-04-01,2024-04-10,市一院\n"
        f"{person.national_id},2024-04-10,,市二院\n"
    )
    assert report.applied == 2 and not report.errors


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "{id},2024-03-09,2024-03-05,市一院\n",
            "row 2, field discharged_on: discharge 2024-03-05 is before admission 2024-03-09",
        ),
        (
            "{id},2024-03-32,,市一院\n",
            "row 2, field admitted_on: '2024-03-32' is not a date in the form YYYY-MM-DD",
        ),
        (
            "{id},2024/03/05,,市一院\n",
            "row 2, field admitted_on: '2024/03/05' is not a date in the form YYYY-MM-DD",
        ),
        ("{id},,,市一院\n", "row 2, field admitted_on: is required"),
        ("{id},2024-03-05,,\n", "row 2, field hospital: is required"),
        (
            "320302194001019999,2024-03-05,,市一院\n",
            "row 2, field national_id: check character is 9, expected",
        ),
        ("{id},2024-03-05,2024-03-09,市一院,extra\n", "row 2, field *: has 5 fields, the header has 4"),
    ],
)
def test_bad_rows_are_rejected_with_row_field_and_reason(person, rows, expected):
    report = run(HEADER + rows.format(id=person.national_id))
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(expected)
    assert not HospitalStay.objects.exists()


def test_unknown_person_is_rejected(person):
    from .conftest import make_id

    other = make_id()
    report = run(HEADER + f"{other},2024-03-05,,市一院\n")
    assert [str(e) for e in report.errors] == [
        f"row 2, field national_id: no insured person with ID number {other} (not in the roster) (公民身份号码)"
    ]


def test_overlapping_stays_are_rejected_and_valid_rows_kept(person):
    report = run(
        HEADER + f"{person.national_id},2024-03-05,2024-03-09,市一院\n"
        f"{person.national_id},2024-03-08,2024-03-12,市二院\n"
        f"{person.national_id},2024-03-20,,市三院\n"
        f"{person.national_id},2024-04-01,2024-04-02,市四院\n"
    )
    assert [str(e) for e in report.errors] == [
        "row 3, field admitted_on: overlaps the hospital stay 2024-03-05..2024-03-09 (市一院) (入院日期)",
        "row 5, field admitted_on: overlaps the hospital stay 2024-03-20..present (市三院) (入院日期)",
    ]
    assert report.applied == 2
    assert sorted(HospitalStay.objects.values_list("hospital", flat=True)) == ["市一院", "市三院"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (
            b"national_id,admitted_on,hospital\n1,2,3\n",
            "wrong header: missing column(s): 出院日期（discharged_on）",
        ),
        (
            b"national_id,admitted_on,discharged_on,hospital,ward\n" + b"x,y,z,w,v\n",
            "wrong header: unknown column(s): ward",
        ),
        (
            "national_id,admitted_on,discharged_on,hospital\n320302,2024-01-01,,市一院\n".encode("gbk")
            + b"\xff\x80\n",
            "the file is neither UTF-8 nor GB18030/GBK",
        ),
    ],
)
def test_bad_files_are_rejected_whole(content, expected):
    report = import_hospital_stays(content=content, filename="stays.csv")
    assert expected in report.file_error
    assert not HospitalStay.objects.exists()


def test_command_imports_and_fails_on_a_bad_file(person, tmp_path, capsys):
    good = tmp_path / "stays.csv"
    good.write_text(HEADER + f"{person.national_id},2024-03-05,,市一院\n", encoding="utf-8")
    call_command("import_hospital_stays", str(good))
    assert "1 applied" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_hospital_stays", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_hospital_stays", str(tmp_path / "missing.csv"))
