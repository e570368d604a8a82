"""SPEC 11.7 `import_conclusions`: national_id, grade (0-5), concluded_on, valid_until, agency_code."""

from __future__ import annotations

from django.utils import timezone

from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import parse_id_number
from ltci.core.importing import ImportReport, RowError, field_value, run_import

from .services.conclusions import ImportedConclusion, conclusions_import_rows

CONCLUSION_COLUMNS = ["national_id", "grade", "concluded_on", "valid_until", "agency_code"]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
CONCLUSION_LABELS = {
    "national_id": "公民身份号码",
    "grade": "失能等级",
    "concluded_on": "评估结论日期",
    "valid_until": "有效期至",
    "agency_code": "评估机构编码",
}
OPTIONAL = ["valid_until", "agency_code"]


def _grade(text: str) -> int:
    if not text.isdigit() or int(text) > 5:
        raise ValueError(f"'{text}' is not a grade 0-5")
    return int(text)


def _national_id(text: str) -> str:
    return parse_id_number(text).number


def parse_conclusion_row(row: int, values: dict[str, str]) -> ImportedConclusion:
    national_id = field_value(row, values, "national_id", _national_id)
    grade = field_value(row, values, "grade", _grade)
    concluded_on = field_value(row, values, "concluded_on", parse_iso_date)
    until = field_value(row, values, "valid_until", parse_iso_date, required=False)
    if until is not None and until < concluded_on:
        raise RowError(row, "valid_until", f"{until} is before concluded_on {concluded_on}")
    return ImportedConclusion(
        national_id=national_id,
        grade=grade,
        concluded_on=concluded_on,
        valid_until=until,
        agency_code=values.get("agency_code", "").strip(),
    )


def import_conclusions(*, content: bytes, filename: str, actor=None) -> ImportReport:
    """Import final conclusions from an earlier pilot (idempotent; row errors reported, nothing half-written)."""
    today = timezone.localdate()
    return run_import(
        kind="conclusions",
        content=content,
        filename=filename,
        columns=CONCLUSION_COLUMNS,
        labels=CONCLUSION_LABELS,
        optional=OPTIONAL,
        parse_row=parse_conclusion_row,
        apply_rows=lambda rows: conclusions_import_rows(rows, today=today),
        actor=actor,
    )
