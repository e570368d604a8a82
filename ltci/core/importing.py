"""File imports of SPEC 11: read CSV/XLSX, validate per row, report errors (row, field, reason).

An importer module supplies the expected columns and a function that parses one row into a value
or raises RowError. Valid rows go to the app's service in one transaction per file; invalid rows are
reported and never written. A file-level problem (encoding, header, empty) changes nothing.
"""

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .exports import csv_text
from .import_fields import (
    Reference,
    RowError,
    RowProblems,
    labelled_reason,
    reference_problems,
    required_message,
)
from .jobs import JobMessage, job_text
from .limits import (
    FileError,
    ImportLimits,
    check_size,
    check_zip,
    current_limits,
    import_limits,
    row_limit_message,
)

__all__ = [
    "ImportReport",
    "RowError",
    "RowProblems",
    "field_value",
    "import_progress",
    "read_rows",
    "run_import",
]

# Rows between two progress reports of an import (a job's progress bar; one UPDATE each, never one per row).
PROGRESS_EVERY = 500
# progress(rows checked, rows in the file, writing): set by import_progress around an import.
_progress: ContextVar[Callable[[int, int, bool], None] | None] = ContextVar("import_progress", default=None)


@contextmanager
def import_progress(report: Callable[[int, int, bool], None]):
    """Within the block, run_import calls ``report(checked, total, writing)`` when the rows are read, every
    PROGRESS_EVERY rows checked, and once the checked rows go to be written (in one transaction, which gives
    no progress of its own: the page then says the rows are being written)."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass
class ImportReport:
    kind: str
    filename: str
    rows_total: int = 0
    applied: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    batch_id: int | None = None
    # Rows applied but held for the office's confirmation (counted in ``applied``), each with the reason.
    held: list[RowError] = field(default_factory=list)

    @classmethod
    def from_batch(cls, batch) -> "ImportReport":
        """The report of a recorded batch (an import that ran as a job), its row errors read back."""
        lines = list(csv.reader(io.StringIO(batch.error_report)))[1:] if batch.error_report else []
        errors = [RowError(int(row) if row.isdigit() else 0, name, reason) for row, name, reason in lines]
        held_lines = list(csv.reader(io.StringIO(batch.held_report)))[1:] if batch.held_report else []
        held = [RowError(int(row) if row.isdigit() else 0, name, reason) for row, name, reason in held_lines]
        return cls(
            kind=batch.kind,
            filename=batch.filename,
            rows_total=batch.rows_total,
            applied=batch.rows_applied,
            unchanged=batch.rows_unchanged,
            errors=errors,
            file_error=batch.file_error,
            batch_id=batch.pk,
            held=held,
        )

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def error_csv(self) -> str:
        return csv_text(
            [["row", "field", "reason"], *([e.row, e.field, e.reason] for e in self.errors)],
            lineterminator="\r\n",
        )

    def held_csv(self) -> str:
        return csv_text(
            [["row", "field", "reason"], *([e.row, e.field, e.reason] for e in self.held)],
            lineterminator="\r\n",
        )

    def summary(self) -> str:
        """The import's result in the active language (the job of a big upload stores summary_message)."""
        return self.summary_message().shown()

    def summary_message(self) -> JobMessage:
        if self.file_error:
            return job_text(
                gettext_noop("%(file)s：整个文件被拒绝，未做任何更改：%(error)s"),
                file=self.filename,
                error=self.file_error,
            )
        held = (
            job_text(
                gettext_noop("（其中 %(held)s 行收费超过上限，已保存待经办机构确认）"), held=len(self.held)
            )
            if self.held
            else job_text("")
        )
        return job_text(
            gettext_noop(
                "%(file)s：共 %(rows)s 行，导入 %(applied)s 行，无变化 %(unchanged)s 行，拒绝 %(rejected)s 行%(held)s"
            ),
            file=self.filename,
            rows=self.rows_total,
            applied=self.applied,
            unchanged=self.unchanged,
            rejected=self.rejected,
            held=held,
        )


def _normalise(name) -> str:
    return str(name or "").strip().lstrip("\ufeff").strip().lower()


class _Refused(str):
    """An XLSX cell whose value is not plain data (a formula of any kind, or an object): non-empty text that
    _rows turns into an error naming the row and field."""

    what: str

    def __new__(cls, what: str):
        cell = super().__new__(cls, f"<{what}>")
        cell.what = what
        return cell


def read_rows(
    content: bytes,
    filename: str,
    columns: list[str],
    optional: Iterable[str] = (),
    labels: dict[str, str] | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """Return [(row_number, {column: text})]; the header is row 1, data starts at row 2.

    A header cell is a SPEC 11 column code or its Chinese name in ``labels`` ({code: name}), mixed freely.

    The limits in force (ltci.core.limits) bound the bytes, the unzipped bytes of an XLSX and the data rows;
    rows are read one at a time and reading stops at the first row over the limit.
    """
    limits = current_limits()
    check_size(len(content or b""), limits)
    if not content or not content.strip():
        raise FileError(_("文件是空的"))
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        table, xlsx = _xlsx_rows(content, limits), True
    else:
        table, xlsx = csv.reader(io.StringIO(decode_csv(content))), False
    try:
        return _rows(table, columns, set(optional), limits.max_rows, xlsx=xlsx, labels=labels or {})
    except csv.Error as exc:
        raise FileError(_("文件不是可读取的 CSV 文件（%(exc)s）") % {"exc": exc}) from None


def decode_csv(content: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or GB18030/GBK (what a Chinese spreadsheet saves).

    UTF-8 is tried strictly first (a GBK file is almost never valid UTF-8), then GB18030, a superset of GBK.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_at = exc.start
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError(
            _("文件编码既不是 UTF-8 也不是 GB18030/GBK（第 %(byte)s 字节）：请另存为 UTF-8 或 GBK 编码的 CSV")
            % {"byte": utf8_at}
        ) from None


def _shown_columns(codes: Iterable[str], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[c]}（{c}）" if c in labels else c for c in codes)


def _check_header(header: list[str], columns: list[str], optional: set[str], labels: dict[str, str]) -> None:
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c and c not in columns]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("缺少列：%(columns)s") % {"columns": _shown_columns(missing, labels)})
        if unknown:
            parts.append(_("未知列：%(columns)s") % {"columns": ", ".join(unknown)})
        raise FileError(
            _("表头不正确：%(problems)s。应为：%(expected)s")
            % {"problems": "；".join(parts), "expected": _shown_columns(columns, labels)}
        )
    twice = sorted({c for c in header if c and header.count(c) > 1})
    if twice:
        raise FileError(
            _("表头不正确：列 %(columns)s 出现了两次") % {"columns": _shown_columns(twice, labels)}
        )


def _rows(
    table, columns: list[str], optional: set[str], max_rows: int, *, xlsx: bool, labels: dict[str, str]
) -> list[tuple[int, dict[str, str]]]:
    header = None
    rows = []
    index = 1
    for raw in table:
        if not any(c.strip() for c in raw):
            continue
        refused = next((i for i, c in enumerate(raw) if isinstance(c, _Refused)), None) if xlsx else None
        if header is None:
            if refused is not None:
                raise FileError(
                    _("第 1 行第 %(n)s 列：含有%(what)s；请只保存数值后再导入")
                    % {"n": refused + 1, "what": raw[refused].what}
                )
            codes = {_normalise(name): code for code, name in labels.items()}
            header = [codes.get(_normalise(c), _normalise(c)) for c in raw]
            _check_header(header, columns, optional, labels)
            continue
        index += 1
        if index - 1 > max_rows:
            raise FileError(row_limit_message(max_rows))
        if refused is not None:
            name = header[refused] if refused < len(header) and header[refused] else str(refused + 1)
            raise FileError(
                _("第 %(row)s 行 %(field)s 列：含有%(what)s；请只保存数值后再导入")
                % {"row": index, "field": name, "what": raw[refused].what}
            )
        if len(raw) > len(header) and any(c.strip() for c in raw[len(header) :]):
            message = _("本行有 %(n)s 个字段，表头只有 %(m)s 列") % {"n": len(raw), "m": len(header)}
            rows.append((index, {"__error__": message}))
            continue
        values = {name: raw[i].strip() if i < len(raw) else "" for i, name in enumerate(header)}
        for name in optional:
            values.setdefault(name, "")
        rows.append((index, values))
    if header is None:
        raise FileError(_("文件是空的"))
    return rows


_SCALARS = (str, int, float, Decimal, dt.date, dt.time, dt.timedelta)


def _xlsx_rows(content: bytes, limits):
    """Yield the first sheet's rows as text (streaming, openpyxl read-only), after the zip checks.

    Formula cells of any kind (plain, array, data table) and values that are not plain data come out as
    _Refused, so the caller names their row and field.
    """
    from openpyxl import load_workbook

    check_zip(content, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise FileError(
            _("文件不是可读取的 XLSX 工作簿（%(type)s）") % {"type": exc.__class__.__name__}
        ) from None
    sheet.reset_dimensions()  # never trust the declared size (a forged A1:XFD1048576 pads every row)
    try:
        for row in sheet.iter_rows():
            yield [_xlsx_value(cell) for cell in row]
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f":  # plain, array and data-table formulas alike
        return _Refused(_("公式"))
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value).lower()
    if not isinstance(value, _SCALARS):
        return _Refused(_("不是文本、数字或日期的值（%(type)s）") % {"type": value.__class__.__name__})
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def run_import(
    *,
    kind: str,
    content: bytes,
    filename: str,
    columns: list[str],
    parse_row: Callable[[int, dict[str, str]], object],
    apply_rows: Callable[[list[tuple[int, object]]], tuple[int, int, list[RowError]]],
    optional: Iterable[str] = (),
    labels: dict[str, str] | None = None,
    references: Iterable[Reference] = (),
    actor=None,
    held: list[RowError] | None = None,
) -> ImportReport:
    """Parse every row, hand the valid ones to apply_rows (atomic), record the batch.

    apply_rows returns (applied, unchanged, errors) where errors are rows rejected by
    cross-record checks; it must write nothing for those rows. ``held`` is the list apply_rows fills with
    the rows it applied but held for the office's confirmation (listed in the report, not errors).
    ``references`` are the fields naming records that must exist: a row that fails parsing gets their
    problems too (issue 14), checked with one query per reference over all such rows; apply_rows checks
    them for the rows that parse.
    """
    from .models import ImportBatch

    report = ImportReport(kind=kind, filename=filename)
    try:
        rows = read_rows(content, filename, columns, optional, labels)
    except FileError as exc:
        report.file_error = str(exc)
        rows = []
    report.rows_total = len(rows)
    progress = _progress.get()
    if progress is not None:
        progress(0, report.rows_total, False)
    parsed: list[tuple[int, object]] = []
    failed: list[RowProblems] = []
    for checked, (row_number, values) in enumerate(rows, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, report.rows_total, False)
        if "__error__" in values:
            report.errors.append(RowError(row_number, "*", values["__error__"]))
            continue
        try:
            parsed.append((row_number, parse_row(row_number, values)))
        except RowProblems as err:
            report.errors.extend(err.problems)
            failed.append(err)
        except RowError as err:
            report.errors.extend(err.problems)
    report.errors += reference_problems(failed, references)
    if progress is not None:
        progress(report.rows_total, report.rows_total, bool(parsed))
    if parsed:
        applied, unchanged, errors = apply_rows(parsed)
        report.applied, report.unchanged = applied, unchanged
        for refused in errors:
            report.errors.extend(refused.problems)
    report.errors = [labelled_reason(e, labels or {}) for e in sorted(report.errors, key=lambda e: e.row)]
    report.held = sorted(held or [], key=lambda e: e.row)
    report.batch_id = ImportBatch.objects.create(
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(content or b"").hexdigest(),
        rows_total=report.rows_total,
        rows_applied=report.applied,
        rows_unchanged=report.unchanged,
        rows_rejected=report.rejected,
        error_report=report.error_csv() if report.errors else "",
        file_error=report.file_error,
        rows_held=len(report.held),
        held_report=report.held_csv() if report.held else "",
        created_by=actor if getattr(actor, "pk", None) else None,
    ).pk
    return report


def field_value(
    row: int, values: dict[str, str], name: str, parser: Callable[[str], object], *, required: bool = True
):
    """Parse one field; wrap the parser's ValueError as RowError naming the field."""
    text = values.get(name, "")
    if not text:
        if required:
            raise RowError(row, name, required_message())
        return None
    try:
        return parser(text)
    except ValueError as exc:
        raise RowError(row, name, str(exc)) from None


def command_import(command, path: str, importer: Callable[..., ImportReport], **kwargs) -> ImportReport:
    """Shared body of the import management commands: read the file, run, print, report errors.

    SPEC 11 exit status: a file refused as a whole (missing, over a limit, unreadable) is a CommandError with
    return code 2 and nothing changed; row errors are printed to stderr with the error report written next to
    the file, and ImportCommand exits 1 for them from the command line.
    """
    file_path = Path(path)
    if not file_path.is_file():
        raise CommandError(_("%(path)s：文件不存在") % {"path": path}, returncode=2)
    limits = ImportLimits.command()
    try:
        check_size(file_path.stat().st_size, limits)
    except FileError as exc:
        raise CommandError(
            _("%(file)s：整个文件被拒绝，未做任何更改：%(error)s") % {"file": file_path.name, "error": exc},
            returncode=2,
        ) from None
    with import_limits(limits):
        report = importer(content=file_path.read_bytes(), filename=file_path.name, **kwargs)
    command.stdout.write(report.summary())
    for note in report.held:  # applied, listed for the office's confirmation (not an error: exit 0)
        command.stdout.write(_("待确认：%(note)s") % {"note": note})
    for err in report.errors:
        command.stderr.write(str(err))
    if report.errors:
        error_path = file_path.with_name(file_path.name + ".errors.csv")
        try:
            error_path.write_text(report.error_csv(), encoding="utf-8")
            command.stderr.write(_("错误报告：%(path)s") % {"path": error_path})
        except OSError:
            pass
    if report.file_error:
        raise CommandError(report.summary(), returncode=2)
    return report


class ImportCommand(BaseCommand):
    """A SPEC 11 import command: ``manage.py <name> FILE``; exit 0 all applied, 1 rows rejected, 2 file refused.

    Under call_command a rejected row raises nothing (the report is in ``self.report``); a refused file raises
    CommandError with returncode 2.
    """

    importer: Callable[..., ImportReport]
    report: ImportReport | None = None

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        self.report = command_import(self, file, type(self).importer)

    def run_from_argv(self, argv):
        super().run_from_argv(argv)
        if self.report is not None and self.report.errors:
            raise SystemExit(1)
