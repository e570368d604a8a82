"""Finding 6 (issue 13): imports are bounded in bytes, unzipped bytes (zip bombs) and rows, with a specific
file-level refusal that changes nothing; the command line exits 2 for it."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from enrollment.imports import ROSTER_COLUMNS, import_roster
from enrollment.models import Person
from ltci.core.models import ImportBatch
from tests.enrollment.conftest import ROSTER_HEADER, nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.usefixtures("xuzhou")


def roster_rows(n: int) -> str:
    return "".join(f"{nid(i)},人{i},employee,320302,2022-01-01,,true,,\n" for i in range(1, n + 1))


def xlsx(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_COLUMNS)
    for i in range(1, rows + 1):
        ws.append([nid(i), f"人{i}", "employee", "320302", "2022-01-01", "", "true", None, None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb(rows: int = 60_000) -> bytes:
    """A real workbook whose sheet is many identical rows: tiny zipped, large unzipped (ratio in the hundreds)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(1)))
    row = (
        '<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>x</t></is></c>'
        '<c t="inlineStr"><is><t>x</t></is></c></row>'
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData>' + row * rows + "</sheetData></worksheet>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            bomb.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened():
    content = zip_bomb()
    assert len(content) < 100_000
    with translation.override("en"):
        report = import_roster(content=content, filename="roster.xlsx")
    assert "compression ratio" in report.file_error and "zip bomb" in report.file_error
    assert not Person.objects.exists() and ImportBatch.objects.get().file_error == report.file_error


def test_an_xlsx_over_the_unzipped_limit_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 100_000
    with translation.override("en"):
        report = import_roster(content=xlsx(400), filename="roster.xlsx")
    assert "unzipped" in report.file_error and "over the limit of 0.1 MB" in report.file_error
    assert not Person.objects.exists()


def test_a_csv_over_the_row_limit_is_refused_whole(settings):
    settings.IMPORT_MAX_ROWS = 3
    with translation.override("en"):
        report = import_roster(content=(ROSTER_HEADER + roster_rows(4)).encode(), filename="roster.csv")
    assert report.file_error == "the file has more than 3 data rows: split it and import the parts"
    assert not Person.objects.exists()
    assert import_roster(content=(ROSTER_HEADER + roster_rows(3)).encode(), filename="r.csv").applied == 3


def test_an_xlsx_over_the_row_limit_is_refused_whole(settings):
    settings.IMPORT_MAX_ROWS = 3
    with translation.override("en"):
        report = import_roster(content=xlsx(5), filename="roster.xlsx")
    assert "more than 3 data rows" in report.file_error and not Person.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_without_reading_it(settings):
    settings.IMPORT_MAX_BYTES = 200
    with translation.override("en"):
        report = import_roster(content=(ROSTER_HEADER + roster_rows(5)).encode(), filename="roster.csv")
    assert "over the limit of 0.0 MB" in report.file_error and not Person.objects.exists()


def test_an_oversized_csv_field_is_a_file_error_not_a_crash():
    body = (ROSTER_HEADER + f'{nid(1)},"{"x" * 200_000}",employee,320302,2022-01-01,,true,,\n').encode()
    report = import_roster(content=body, filename="roster.csv")
    assert "not a readable CSV file" in report.file_error and not Person.objects.exists()


def test_command_line_refusals_have_return_code_2(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 200
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_HEADER + roster_rows(5), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="over the limit") as exc:
        call_command("import_roster", str(path))
    assert exc.value.returncode == 2 and not Person.objects.exists()
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb())
    settings.IMPORT_MAX_BYTES = 10_000_000
    with translation.override("en"), pytest.raises(CommandError, match="zip bomb") as exc:
        call_command("import_roster", str(bomb))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("import_roster", str(tmp_path / "missing.csv"))
    assert exc.value.returncode == 2
