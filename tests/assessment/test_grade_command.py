"""The grade_assessment command (SPEC 11.8); it reads a file and touches no database."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

FULL = {
    "eating": 10, "dressing": 10, "face_oral_hygiene": 5, "bowel_control": 10, "bladder_control": 10,
    "toileting": 10, "level_walking": 15, "bed_chair_transfer": 15, "stairs": 10, "bathing": 5,
    "time_orientation": 4, "person_orientation": 4, "space_orientation": 4, "memory": 4,
    "vision": 4, "hearing": 4, "communication": 4,
}
# ADL 50 (moderate), cognition 11 (moderate), perception 11 (mild): grade 2.
MODERATE = {
    **FULL, "face_oral_hygiene": 0, "dressing": 5, "bowel_control": 5, "toileting": 5, "level_walking": 10,
    "bed_chair_transfer": 5, "stairs": 0, "bathing": 0, "time_orientation": 3, "space_orientation": 2,
    "memory": 2, "hearing": 3,
}
# Everything lowest: grade 5.
NOTHING = dict.fromkeys(FULL, 0)


def run(tmp_path, content, *args):
    path = tmp_path / "records.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), "utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("grade_assessment", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_valid_records_are_graded_in_input_order_with_ids_as_given(tmp_path):
    records = [
        {"id": 17, "items": MODERATE},
        {"id": "甲-2", "items": FULL},
        {"id": 3, "items": NOTHING},
    ]
    out, err, error = run(tmp_path, records)
    assert (err, error) == ("", None)
    assert out == (
        '[{"id": 17, "adl": 50, "cognition": 11, "perception": 11, "adl_level": "moderate", '
        '"cognition_level": "moderate", "perception_level": "mild", "grade": 2}, '
        '{"id": "甲-2", "adl": 100, "cognition": 16, "perception": 12, "adl_level": "intact", '
        '"cognition_level": "intact", "perception_level": "intact", "grade": 0}, '
        '{"id": 3, "adl": 0, "cognition": 0, "perception": 0, "adl_level": "severe", '
        '"cognition_level": "severe", "perception_level": "severe", "grade": 5}]\n'
    )


def test_an_empty_array_prints_an_empty_array(tmp_path):
    assert run(tmp_path, []) == ("[]\n", "", None)


def test_the_scale_option_names_the_version(tmp_path):
    out, _, error = run(tmp_path, [{"id": 1, "items": FULL}], "--scale", "nhsa-2021")
    assert error is None
    assert json.loads(out)[0]["grade"] == 0


def test_every_invalid_record_is_reported_by_id_and_item_and_nothing_is_printed(tmp_path):
    records = [
        {"id": 1, "items": FULL},
        {"id": 17, "items": {**FULL, "eating": 7}},
        "not a record",
        {"items": FULL},
        {"id": "B-5"},
        {"id": 6, "items": [1, 2]},
        {"id": 7, "items": {k: v for k, v in FULL.items() if k != "memory"}},
        {"id": 8, "items": {**FULL, "foo": 1}},
        {"id": 9, "items": {**FULL, "vision": True}},
    ]
    out, err, error = run(tmp_path, records)
    assert out == ""
    assert err.splitlines() == [
        "id 17: item 'eating': 7 is not an allowed value (allowed: 0, 5, 10)",
        "record 3: expected an object, got a string",
        'record 4: missing "id"',
        'id "B-5": missing "items"',
        'id 6: "items" must be an object, got an array',
        "id 7: item 'memory' is missing",
        "id 8: unknown item 'foo'",
        "id 9: item 'vision': True is not an integer",
    ]
    assert str(error) == "8 of 9 records invalid; nothing graded"


def test_a_file_that_is_not_json_is_refused(tmp_path):
    out, err, error = run(tmp_path, '[{"id": 1,')
    assert (out, err) == ("", "")
    assert str(error).startswith(f"{tmp_path / 'records.json'}: not valid JSON: ")


def test_a_file_that_is_not_an_array_is_refused(tmp_path):
    _, _, error = run(tmp_path, {"id": 1, "items": FULL})
    assert str(error) == f"{tmp_path / 'records.json'}: expected a JSON array of records, got an object"


def test_a_missing_file_is_refused(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(CommandError, match=f"^{re.escape(str(missing))}: file not found$"):
        call_command("grade_assessment", str(missing), stdout=io.StringIO(), stderr=io.StringIO())


def test_an_unknown_scale_is_refused(tmp_path):
    _, _, error = run(tmp_path, [], "--scale", "barthel")
    assert str(error) == "unknown scale 'barthel' (available: nhsa-2021)"
