"""Finding 12 (issue 13): formulas never enter through a spreadsheet, and every export is spreadsheet-safe."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from enrollment.imports import ROSTER_COLUMNS, import_roster
from enrollment.models import Person
from ltci.core.exports import csv_text, safe_cell
from ltci.core.importing import ImportReport, RowError
from tests.enrollment.conftest import nid


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-12.50", "-12.50"),
        ("+86", "+86"),
        ("12", "12"),
        ("张三", "张三"),
        ("", ""),
        (None, ""),
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        ("'=1", "'=1"),
    ],
)
def test_safe_cell_neutralises_formula_text_but_not_numbers(value, written):
    assert safe_cell(value) == written


def test_csv_text_is_made_safe():
    text = csv_text([["name", "amount"], ["=cmd|' /C calc'!A0", Decimal("-1.50")]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "amount"], ["'=cmd|' /C calc'!A0", "-1.50"]]


@pytest.mark.django_db
def test_error_report_downloads_are_safe_even_for_reports_stored_before(client, django_user_model):
    from ltci.core.downloads import import_errors_attachment
    from ltci.core.models import ImportBatch

    old = ImportBatch.objects.create(
        kind="roster", filename="r.csv", sha256="0", error_report="row,field,reason\r\n2,name,=1+1\r\n"
    )
    refused = ImportBatch.objects.create(kind="roster", filename="s.csv", sha256="0", file_error="-bad")
    body = import_errors_attachment([old], "e.csv").content.decode("utf-8")
    assert body == "\ufeffrow,field,reason\r\n2,name,'=1+1\r\n"
    both = import_errors_attachment([old, refused], "e.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(both)))[1:] == [
        [str(old.pk), "2", "name", "'=1+1"],
        [str(refused.pk), "", "*", "'-bad"],
    ]


def test_import_error_report_is_safe():
    report = ImportReport(kind="roster", filename="r.csv", errors=[RowError(2, "name", "@SUM(1+1)")])
    assert report.error_csv().splitlines()[1] == "2,name,'@SUM(1+1)"


def workbook(cell) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_COLUMNS)
    ws.append([nid(1), "张三", "employee", "320302", "2022-01-01", "", "true", None, None])
    ws["B2"] = cell
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "cell", [ArrayFormula("B2:B2", '=CONCAT("张","三")'), DataTableFormula(ref="B2:B2"), "=1+1"]
)
def test_every_kind_of_xlsx_formula_is_refused_naming_row_and_field(xuzhou, cell):
    report = import_roster(content=workbook(cell), filename="roster.xlsx")
    assert "第 2 行 name 列：含有公式" in report.file_error
    assert not Person.objects.exists()


def test_text_starting_with_a_formula_sign_is_accepted_and_exported_safely(xuzhou):
    """Decision: names are stored as typed (a person may be written "-" by a clerk); exports neutralise."""
    body = (
        "national_id,name,insurance_type,region_code,enrolled_on,categories,has_personal_account,ended_on,"
        f"end_reason\n{nid(1)},=1+1,employee,320302,2022-01-01,,true,,\n"
    ).encode()
    assert import_roster(content=body, filename="r.csv").errors == []
    assert Person.objects.get().name == "=1+1"
    assert csv_text([[Person.objects.get().name]]) == "'=1+1\n"
