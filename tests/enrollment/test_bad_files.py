"""The corpus of bad files: each gives a specific error and writes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from enrollment.imports import ROSTER_COLUMNS, import_roster
from enrollment.models import CoveragePeriod, Person
from ltci.core.idnumber import make_id_number
from ltci.core.models import ImportBatch

from .conftest import ROSTER_HEADER, nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


GOOD = f"{nid(1)},张三,employee,320302,2022-01-01,,true,,"


def run(body: bytes, filename="roster.csv"):
    return import_roster(content=body, filename=filename)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the file is empty"),
        (b"national_id,name\n1,2\n", "wrong header: missing column(s): 险种（insurance_type）"),
        ((ROSTER_HEADER + GOOD + "\n").encode() + b"\xff\x80\n", "the file is neither UTF-8 nor GB18030/GBK"),
    ],
)
def test_file_level_errors_change_nothing(xuzhou, body, message):
    report = run(body)
    assert message in report.file_error
    assert not Person.objects.exists()
    assert ImportBatch.objects.get().file_error == report.file_error


def bad_row(row: str) -> str:
    report = run((ROSTER_HEADER + row + "\n").encode())
    assert not Person.objects.exists()
    return str(report.errors[0])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            f"{nid(1)[:-1]}{'0' if nid(1)[-1] != '0' else '1'},张三,employee,320302,2022-01-01,,true,,",
            "row 2, field national_id: check character is",
        ),
        (
            f"{nid(1)},张三,employee,320302,2022-02-30,,true,,",
            "row 2, field enrolled_on: '2022-02-30' is not a date in the form YYYY-MM-DD",
        ),
        (
            f"{nid(1)},张三,employee,320302,01/02/2022,,true,,",
            "row 2, field enrolled_on: '01/02/2022' is not a date",
        ),
        (
            f"{nid(1)},张三,employee,999999,2022-01-01,,true,,",
            "row 2, field region_code: unknown region 999999",
        ),
        (
            f"{nid(1)},张三,employee,3203,2022-01-01,,true,,",
            "row 2, field region_code: '3203' is not a 6-digit",
        ),
        (
            f"{nid(1)},张三,worker,320302,2022-01-01,,true,,",
            "row 2, field insurance_type: is not an allowed value (given: worker; allowed: Employee",
        ),
        (
            f"{nid(1)},张三,employee,320302,2022-01-01,rich,true,,",
            "row 2, field categories: unknown code(s) rich (allowed: Medical",
        ),
        (
            f"{nid(1)},张三,employee,320302,2022-01-01,,yes,,",
            "row 2, field has_personal_account: is not true or false (given: yes)",
        ),
        (
            f"{nid(1)},张三,employee,320302,2022-01-01,,true,2023-01-01,",
            "row 2, field end_reason: is required when ended_on is given",
        ),
        (
            f"{nid(1)},张三,employee,320302,2022-01-01,,true,,died",
            "row 2, field ended_on: is required when end_reason",
        ),
        (f"{nid(1)},,employee,320302,2022-01-01,,true,,", "row 2, field name: is required"),
    ],
)
def test_row_errors_name_row_field_reason(xuzhou, row, message):
    assert bad_row(row).startswith(message)


def test_lower_case_x_is_accepted(xuzhou):
    number = next(
        n
        for n in (make_id_number("320302", __import__("datetime").date(1960, 5, 1), s) for s in range(1, 999))
        if n.endswith("X")
    )
    report = run((ROSTER_HEADER + f"{number.lower()},张三,employee,320302,2022-01-01,,true,,\n").encode())
    assert report.errors == [] and Person.objects.get().national_id == number


def test_amount_with_three_decimals_rejected(roster):
    from enrollment.imports import import_payments

    roster(GOOD)
    body = (
        f"national_id,year,amount,paid_on,channel,payer_national_id\n{nid(1)},2026,5.001,2026-01-05,cash,\n"
    )
    with translation.override("en"):
        report = import_payments(content=body.encode(), filename="p.csv")
    assert (
        str(report.errors[0])
        == "row 2, field amount: '5.001' has more than two decimals (amounts are in yuan to the fen) (缴费金额)"
    )


def test_valid_rows_apply_and_bad_rows_are_reported(xuzhou):
    report = run(
        (ROSTER_HEADER + GOOD + "\n" + f"{nid(3)},李四,employee,999999,2022-01-01,,true,,\n").encode()
    )
    assert (report.applied, report.rejected) == (1, 1)
    assert (
        ImportBatch.objects.get()
        .error_report.splitlines()[1]
        .startswith("3,region_code,field region_code: unknown region 999999")
    )


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_COLUMNS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_roster_imports(xuzhou):
    import datetime as dt

    body = xlsx([[nid(1), "张三", "employee", "320302", dt.date(2022, 1, 1), "", "true", None, None]])
    report = run(body, "roster.xlsx")
    assert report.errors == [] and CoveragePeriod.objects.get().start == dt.date(2022, 1, 1)


def test_xlsx_with_formulas_rejected(xuzhou):
    body = xlsx([[nid(1), '=CONCAT("张","三")', "employee", "320302", "2022-01-01", "", "true", None, None]])
    report = run(body, "roster.xlsx")
    assert "contains a formula" in report.file_error and not Person.objects.exists()


def test_command_writes_error_report_and_fails_on_file_error(xuzhou, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    with pytest.raises(CommandError, match="the file is empty"):
        call_command("import_roster", str(bad))
    rows = tmp_path / "rows.csv"
    rows.write_text(ROSTER_HEADER + f"{nid(1)},张三,employee,999999,2022-01-01,,true,,\n", encoding="utf-8")
    call_command("import_roster", str(rows))
    assert "unknown region 999999" in (tmp_path / "rows.csv.errors.csv").read_text(encoding="utf-8")


def test_crash_mid_file_leaves_nothing_half_written(xuzhou, monkeypatch):
    """A failure after the persons were written (here: writing the history) rolls the whole file back."""
    from enrollment.services import roster as roster_service

    assert run((ROSTER_HEADER + GOOD + "\n").encode()).errors == []
    body = (
        ROSTER_HEADER
        + f"{nid(1)},张三丰,employee,320311,2022-01-01,,true,,\n"
        + f"{nid(3)},李四,employee,320302,2022-01-01,,true,,\n"
    ).encode()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_service, "history_insert", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        run(body)
    assert list(Person.objects.values_list("name", "region_code")) == [("张三", "320302")]
    assert CoveragePeriod.objects.count() == 1 and ImportBatch.objects.count() == 1


def test_duplicated_rows_in_a_roster_file_keep_the_first(xuzhou):
    report = run((ROSTER_HEADER + GOOD + "\n" + GOOD + "\n" + GOOD + "\n").encode())
    assert [e.row for e in report.errors] == [3, 4] and report.applied == 1
    assert Person.objects.count() == 1


def test_wrong_header_with_an_extra_column_is_refused(xuzhou):
    body = (ROSTER_HEADER.strip() + ",remark\n" + GOOD + ",x\n").encode()
    report = run(body)
    assert "wrong header: unknown column(s): remark" in report.file_error and not Person.objects.exists()


def test_bom_and_crlf_utf8_csv_is_accepted(xuzhou):
    body = ("\ufeff" + ROSTER_HEADER.replace("\n", "\r\n") + GOOD + "\r\n").encode("utf-8")
    assert run(body).errors == [] and Person.objects.count() == 1


def test_id_number_with_unknown_province_is_refused(xuzhou):
    from ltci.core.idnumber import check_char

    first17 = "99030219600501001"
    row = f"{first17}{check_char(first17)},张三,employee,320302,2022-01-01,,true,,"
    assert (
        bad_row(row) == "row 2, field national_id: region code 990302 is not a valid province (公民身份号码)"
    )
