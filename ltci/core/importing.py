"""File imports of SPEC 11: read CSV/XLSX, validate per row, report errors (row, field, reason).

An importer module supplies the expected columns and a function that parses one row into a value
or raises RowError. Valid rows go to the app's service in one transaction per file; invalid rows are
reported and never written. A file-level problem (encoding, header, empty) changes nothing.
"""
import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import CommandError


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, header, empty)."""


@dataclass
class RowError(Exception):
    row: int
    field: str
    reason: str

    def __str__(self):
        return f"row {self.row}, field {self.field}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    filename: str
    rows_total: int = 0
    applied: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def error_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "field", "reason"])
        for err in self.errors:
            writer.writerow([err.row, err.field, err.reason])
        return out.getvalue()

    def summary(self) -> str:
        if self.file_error:
            return f"{self.filename}: file rejected: {self.file_error}"
        return (
            f"{self.filename}: {self.rows_total} rows, {self.applied} applied, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


def _normalise(name) -> str:
    return str(name or "").strip().lstrip("\ufeff").strip().lower()


def read_rows(content: bytes, filename: str, columns: list[str],
              optional: Iterable[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """Return [(row_number, {column: text})]; the header is row 1, data starts at row 2."""
    if not content or not content.strip():
        raise FileError("the file is empty")
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        table = _read_xlsx(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError(
                f"the file is not UTF-8 (byte {exc.start}): save it as UTF-8 CSV (GBK files are not accepted)"
            ) from None
        table = list(csv.reader(io.StringIO(text)))
    table = [r for r in table if any(str(c).strip() for c in r)] if table else []
    if not table:
        raise FileError("the file is empty")
    header = [_normalise(c) for c in table[0]]
    optional = set(optional)
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c and c not in columns]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s): " + ", ".join(unknown))
        raise FileError("wrong header: " + "; ".join(parts) + ". Expected: " + ", ".join(columns))
    if len(header) != len(set(header)):
        raise FileError("wrong header: a column appears twice")
    if len(table) == 1:
        raise FileError("the file has a header but no data rows")
    rows = []
    for index, raw in enumerate(table[1:], start=2):
        if len(raw) > len(header) and any(str(c).strip() for c in raw[len(header):]):
            rows.append((index, {"__error__": f"has {len(raw)} fields, the header has {len(header)}"}))
            continue
        values = {name: str(raw[i]).strip() if i < len(raw) and raw[i] is not None else ""
                  for i, name in enumerate(header)}
        for name in optional:
            values.setdefault(name, "")
        rows.append((index, values))
    return rows


def _read_xlsx(content: bytes) -> list[list[str]]:
    import datetime as dt

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise FileError(f"the file is not a readable XLSX workbook ({exc.__class__.__name__})") from None
    sheet = workbook.worksheets[0]
    table = []
    for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = []
        for col, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                raise FileError(
                    f"row {row_number}, column {col}: contains a formula ({value[:30]}); "
                    "save the sheet with values only"
                )
            if isinstance(value, dt.datetime):
                value = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            cells.append("" if value is None else str(value))
        table.append(cells)
    workbook.close()
    return table


def run_import(*, kind: str, content: bytes, filename: str, columns: list[str],
               parse_row: Callable[[int, dict[str, str]], object],
               apply_rows: Callable[[list[tuple[int, object]]], tuple[int, int, list[RowError]]],
               optional: Iterable[str] = (), actor=None) -> ImportReport:
    """Parse every row, hand the valid ones to apply_rows (atomic), record the batch.

    apply_rows returns (applied, unchanged, errors) where errors are rows rejected by
    cross-record checks; it must write nothing for those rows.
    """
    from .models import ImportBatch

    report = ImportReport(kind=kind, filename=filename)
    try:
        rows = read_rows(content, filename, columns, optional)
    except FileError as exc:
        report.file_error = str(exc)
        rows = []
    report.rows_total = len(rows)
    parsed: list[tuple[int, object]] = []
    for row_number, values in rows:
        if "__error__" in values:
            report.errors.append(RowError(row_number, "*", values["__error__"]))
            continue
        try:
            parsed.append((row_number, parse_row(row_number, values)))
        except RowError as err:
            report.errors.append(err)
    if parsed:
        applied, unchanged, errors = apply_rows(parsed)
        report.applied, report.unchanged = applied, unchanged
        report.errors.extend(errors)
    report.errors.sort(key=lambda e: e.row)
    ImportBatch.objects.create(
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(content or b"").hexdigest(),
        rows_total=report.rows_total,
        rows_applied=report.applied,
        rows_unchanged=report.unchanged,
        rows_rejected=report.rejected,
        error_report=report.error_csv() if report.errors else "",
        file_error=report.file_error,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return report


def field_value(row: int, values: dict[str, str], name: str, parser: Callable[[str], object],
                *, required: bool = True):
    """Parse one field; wrap the parser's ValueError as RowError naming the field."""
    text = values.get(name, "")
    if not text:
        if required:
            raise RowError(row, name, "is required")
        return None
    try:
        return parser(text)
    except ValueError as exc:
        raise RowError(row, name, str(exc)) from None


def command_import(command, path: str, importer: Callable[..., ImportReport], **kwargs) -> ImportReport:
    """Shared body of the import management commands: read the file, run, print, report errors.

    Exit non-zero when the file is rejected as a whole; row errors are printed to stderr and the
    command exits 0 when at least the file could be read, so valid rows count.
    """
    file_path = Path(path)
    if not file_path.is_file():
        raise CommandError(f"{path}: no such file")
    report = importer(content=file_path.read_bytes(), filename=file_path.name, **kwargs)
    command.stdout.write(report.summary())
    for err in report.errors:
        command.stderr.write(str(err))
    if report.errors:
        error_path = file_path.with_name(file_path.name + ".errors.csv")
        try:
            error_path.write_text(report.error_csv(), encoding="utf-8")
            command.stderr.write(f"error report: {error_path}")
        except OSError:
            pass
    if report.file_error:
        raise CommandError(report.summary())
    return report
