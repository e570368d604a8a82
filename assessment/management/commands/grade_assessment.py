"""Grade a file of item scores (SPEC 11.8, ASSESSMENT_STANDARD.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.scales import DEFAULT_VERSION, GradingError, get_scale

RESULT_FIELDS = (
    "adl",
    "cognition",
    "perception",
    "adl_level",
    "cognition_level",
    "perception_level",
    "grade",
)


class Command(BaseCommand):
    help = (
        'Grade a JSON array of {"id": ..., "items": {KEY: points, ...}} and print a JSON array of '
        "totals, levels and grades in input order. Every invalid record is reported (by id, or by "
        "its position from 1 when it has none, and each bad item), nothing is printed on stdout "
        "and the command exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file holding an array of records")
        parser.add_argument(
            "--scale", default=DEFAULT_VERSION, help=f"scale version (default {DEFAULT_VERSION})"
        )

    def handle(self, *args, file, scale, **options):
        try:
            grading_scale = get_scale(scale)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        records = _read_records(Path(file))

        results, errors = [], []
        for position, record in enumerate(records, start=1):
            try:
                results.append(_grade_record(grading_scale, record, position))
            except _RecordError as exc:
                errors.append(str(exc))
        if errors:
            # Each error on its own stderr line (for callers capturing stderr) and again in the
            # CommandError (for callers catching it; the shell shows it and exits 1).
            for error in errors:
                self.stderr.write(error)
            summary = f"{len(errors)} of {len(records)} records invalid; nothing graded"
            raise CommandError("\n".join([*errors, summary]))
        self.stdout.write(json.dumps(results, ensure_ascii=False))


class _RecordError(Exception):
    pass


def _read_records(path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read file: {exc}") from exc
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(records, list):
        raise CommandError(f"{path}: expected a JSON array of records, got {_json_type(records)}")
    return records


def _grade_record(scale, record, position):
    """Return the output object of one record or raise _RecordError naming it."""
    if not isinstance(record, dict):
        raise _RecordError(f"record {position}: expected an object, got {_json_type(record)}")
    if "id" not in record:
        raise _RecordError(f'record {position}: missing "id"')
    record_id = record["id"]
    label = f"id {json.dumps(record_id, ensure_ascii=False)}"
    if "items" not in record:
        raise _RecordError(f'{label}: missing "items"')
    items = record["items"]
    if not isinstance(items, dict):
        raise _RecordError(f'{label}: "items" must be an object, got {_json_type(items)}')
    try:
        result = scale.grade(items)
    except GradingError as exc:
        raise _RecordError(f"{label}: {exc}") from exc
    return {"id": record_id, **{field: getattr(result, field) for field in RESULT_FIELDS}}


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
