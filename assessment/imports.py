"""SPEC 11.7 `import_conclusions`: national_id, grade (0-5), concluded_on, valid_until, agency_code."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.selectors import person_reference
from institutions.selectors import institution_reference
from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import parse_id_number
from ltci.core.import_fields import RowCheck
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import ImportReport, run_import

from .services.conclusions import ImportedConclusion, conclusions_import_rows

CONCLUSION_COLUMNS = ["national_id", "grade", "concluded_on", "valid_until", "agency_code", "applied_on"]
# The Chinese column names a header may use instead of the codes (issue 14); the template's header.
CONCLUSION_LABELS = {
    "national_id": "公民身份号码",
    "grade": "失能等级",
    "concluded_on": "评估结论日期",
    "valid_until": "有效期至",
    "agency_code": "评估机构编码",
    "applied_on": "申请日期",
}
OPTIONAL = ["valid_until", "agency_code", "applied_on"]
REFERENCES = [person_reference(), institution_reference("agency_code")]
CONCLUSION_FORMAT = ImportFormat(
    "import_conclusions",
    CONCLUSION_COLUMNS,
    CONCLUSION_LABELS,
    {"national_id": EXAMPLE_PERSON, "grade": "1", "concluded_on": "2025-01-20"},
)


def _grade(text: str) -> int:
    if not text.isdigit() or int(text) > 5:
        raise ValueError(_("%(text)s 不是 0-5 的失能等级") % {"text": text})
    return int(text)


def _national_id(text: str) -> str:
    return parse_id_number(text).number


def parse_conclusion_row(row: int, values: dict[str, str]) -> ImportedConclusion:
    check = RowCheck(row, values)
    national_id = check.get("national_id", _national_id)
    grade = check.get("grade", _grade)
    concluded_on = check.get("concluded_on", parse_iso_date)
    until = check.get("valid_until", parse_iso_date, required=False)
    agency_code = check.get("agency_code", str.strip, required=False) or ""
    applied_on = check.get("applied_on", parse_iso_date, required=False)
    if applied_on is not None and concluded_on is not None and applied_on > concluded_on:
        check.error(
            "applied_on",
            _("%(applied)s 晚于结论日期 %(date)s（申请在评估结论之前）")
            % {"applied": applied_on, "date": concluded_on},
        )
    if until is not None and concluded_on is not None and until < concluded_on:
        check.error(
            "valid_until", _("%(until)s 早于结论日期 %(date)s") % {"until": until, "date": concluded_on}
        )
    check.done()
    return ImportedConclusion(
        national_id=national_id,
        grade=grade,
        concluded_on=concluded_on,
        valid_until=until,
        agency_code=agency_code,
        applied_on=applied_on,
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
        references=REFERENCES,
        actor=actor,
    )
