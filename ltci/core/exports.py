"""Spreadsheet-safe exports (issue 13, finding 12): every CSV/XLSX the system writes goes through safe_cell.

A text cell starting with = + - @ TAB or CR is a formula to Excel and WPS (CSV injection); it gets a leading
single quote, as OWASP recommends. Numbers stay numbers: numeric values are written as they are, and text that
is a plain number (a negative amount such as -12.50, a signed count) is left alone, so the SPEC 11 exports keep
their columns and values. Names and addresses are accepted as typed and neutralised here (docs/decisions.md).
"""

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

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
