"""Spreadsheet-safe exports (issue 13, finding 12): every CSV/XLSX the system writes goes through safe_cell.

A text cell starting with = + - @ TAB or CR is a formula to Excel and WPS (CSV injection); it gets a leading
single quote, as OWASP recommends. Numbers stay numbers: numeric values are written as they are, and text that
is a plain number (a negative amount such as -12.50, a signed count) is left alone, so the SPEC 11 exports keep
their columns and values. Names and addresses are accepted as typed and neutralised here (docs/decisions.md).
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def safe_cell(value):
    """The value to write into a spreadsheet cell: numbers as numbers, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(DANGEROUS_FIRST) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def csv_text(rows: Iterable[Iterable], *, bom: bool = False, lineterminator: str = "\n") -> str:
    """Write rows (the header is the first row) as CSV with every cell made safe."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()


# --- XLSX (issue 16): the fund report tables and the staff lists --------------------------------------------
# A cell keeps its type: amounts are numbers shown with thousands separators and their decimals, ratios as
# percentages, dates as dates (so a clerk can sum, sort and filter in Excel or WPS); text goes through safe_cell.

MONEY = "money"  # an amount in yuan: a number shown as ¥#,##0.00
PERCENT = "percent"  # a ratio 0.7256 shown as 72.56%
MONTH = "month"  # the first day of a month shown as 2026年11月
NUMBER_FORMATS = {
    MONEY: '"¥"#,##0.00',  # a number in the cell, shown as ¥114,467.10
    PERCENT: "0.00%",
    MONTH: 'yyyy"年"m"月"',
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "int": "#,##0",
}


@dataclass(frozen=True)
class Column:
    """A column of an export: its (Chinese) header and how its cells are shown; ``kind`` "" infers the format
    from each value (Decimal: its own decimals with separators; date; datetime; int)."""

    header: str
    kind: str = ""
    decimals: int = 2


def _number_format(column: Column, value) -> str | None:
    if column.kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[column.kind]
    if isinstance(value, Decimal):
        return "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
    if isinstance(value, dt.datetime):
        return NUMBER_FORMATS["datetime"]
    if isinstance(value, dt.date):
        return NUMBER_FORMATS["date"]
    if isinstance(value, int) and not isinstance(value, bool):
        return NUMBER_FORMATS["int"]
    return None


def _cell_value(column: Column, value):
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal) and column.kind != PERCENT:
        return value.quantize(Decimal(1).scaleb(-column.decimals), rounding=ROUND_HALF_UP)
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return safe_cell(value)


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet named ``title``: a bold header row, then the rows with typed, formatted cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet(re.sub(r"[\\/*?:\[\]]", "_", title)[:31] or "Sheet")  # Excel's rules for names
    sheet.append([str(c.header) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(8, 2 * len(str(c.header)) + 2) for c in columns]
    for number, row in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = sheet.cell(row=number, column=index, value=_cell_value(column, value))
            number_format = _number_format(column, value)
            if number_format and value is not None:
                cell.number_format = number_format
            widths[index - 1] = min(60, max(widths[index - 1], len(str(value or "")) + 4))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
