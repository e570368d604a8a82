"""The grade_assessment command (SPEC 11.8); it reads a file and touches no database."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from tests.assessment.conftest import FULL, MODERATE, NOTHING


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
    assert str(error).splitlines() == [*err.splitlines(), "8 of 9 records invalid; nothing graded"]


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


def test_the_error_itself_names_the_id_and_the_item(tmp_path):
    _, _, error = run(tmp_path, [{"id": "P-42", "items": {**FULL, "bathing": 10}}])
    assert isinstance(error, CommandError)
    assert (
        str(error).splitlines()[0]
        == "id \"P-42\": item 'bathing': 10 is not an allowed value (allowed: 0, 5)"
    )


def test_every_bad_item_of_one_record_is_named(tmp_path):
    items = {k: v for k, v in FULL.items() if k != "memory"}
    items.update({"eating": 3, "vision": 9, "grade": 2})
    out, err, error = run(tmp_path, [{"id": 5, "items": items}])
    assert out == ""
    assert err.splitlines() == [
        "id 5: unknown item 'grade'; item 'eating': 3 is not an allowed value (allowed: 0, 5, 10); "
        "item 'memory' is missing; item 'vision': 9 is not an allowed value (allowed: 0, 1, 2, 3, 4)"
    ]
    assert error is not None


# Worked cases, totals and grades computed by hand from ASSESSMENT_STANDARD.md sections 2-4.
def _case(adl_changes=None, **changes):
    return {**FULL, **(adl_changes or {}), **changes}


WORKED = [
    # ADL 100 intact, cognition 16 intact, perception 11 mild (hearing 3): row intact, column mild -> 0.
    ("intact-mild", _case(hearing=3), (100, 16, 11, "intact", "intact", "mild", 0)),
    # ADL 95 (bathing 0) mild; cognition 12 (4 items at 3) mild: row mild, column mild -> 1.
    (
        "edge-mild",
        _case(bathing=0, time_orientation=3, person_orientation=3, space_orientation=3, memory=3),
        (95, 12, 12, "mild", "mild", "intact", 1),
    ),
    # ADL 65: 100 - eating 10 - dressing 10 - stairs 10 - bathing 5 = 65 mild; perception 7 (4+2+1) moderate -> 1.
    (
        "adl-65",
        _case(eating=0, dressing=0, stairs=0, bathing=0, hearing=2, communication=1),
        (65, 16, 7, "mild", "intact", "moderate", 1),
    ),
    # ADL 60 moderate (65 - face 5); cognition 3 severe (3+0+0+0): row moderate, column severe -> 3.
    (
        "adl-60-cog-3",
        _case(
            eating=0,
            dressing=0,
            stairs=0,
            bathing=0,
            face_oral_hygiene=0,
            time_orientation=3,
            person_orientation=0,
            space_orientation=0,
            memory=0,
        ),
        (60, 3, 12, "moderate", "severe", "intact", 3),
    ),
    # ADL 45 moderate: 0+0+0+10+10+10+15+0+0+0; cognition 4 moderate (1 each): row moderate, column moderate -> 2.
    (
        "adl-45",
        {
            **dict.fromkeys(FULL, 0),
            "bowel_control": 10,
            "bladder_control": 10,
            "toileting": 10,
            "level_walking": 15,
            "time_orientation": 1,
            "person_orientation": 1,
            "space_orientation": 1,
            "memory": 1,
            "vision": 4,
            "hearing": 4,
            "communication": 4,
        },
        (45, 4, 12, "moderate", "moderate", "intact", 2),
    ),
    # ADL 40 severe (45 - toileting 10 + bathing 5); cognition 16; perception 12 -> 3.
    (
        "adl-40",
        {
            **dict.fromkeys(FULL, 0),
            "bowel_control": 10,
            "bladder_control": 10,
            "bathing": 5,
            "level_walking": 15,
            "time_orientation": 4,
            "person_orientation": 4,
            "space_orientation": 4,
            "memory": 4,
            "vision": 4,
            "hearing": 4,
            "communication": 4,
        },
        (40, 16, 12, "severe", "intact", "intact", 3),
    ),
    # ADL 40 severe; cognition 11 moderate; perception 8 mild: worse is moderate -> 4.
    (
        "adl-40-cog-11",
        {
            **dict.fromkeys(FULL, 0),
            "bowel_control": 10,
            "bladder_control": 10,
            "bathing": 5,
            "level_walking": 15,
            "time_orientation": 4,
            "person_orientation": 4,
            "space_orientation": 3,
            "memory": 0,
            "vision": 4,
            "hearing": 4,
            "communication": 0,
        },
        (40, 11, 8, "severe", "moderate", "mild", 4),
    ),
    # ADL 0; cognition 16 intact; perception 3 severe -> 5 (a perception-only deficit counts like cognition).
    (
        "adl-0-per-3",
        {
            **dict.fromkeys(FULL, 0),
            "time_orientation": 4,
            "person_orientation": 4,
            "space_orientation": 4,
            "memory": 4,
            "vision": 1,
            "hearing": 1,
            "communication": 1,
        },
        (0, 16, 3, "severe", "intact", "severe", 5),
    ),
    # ADL 100 intact; cognition 4 moderate -> 1; perception 4 moderate alike.
    (
        "intact-cog-4",
        _case(time_orientation=1, person_orientation=1, space_orientation=1, memory=1),
        (100, 4, 12, "intact", "moderate", "intact", 1),
    ),
    (
        "intact-per-0",
        _case(vision=0, hearing=0, communication=0),
        (100, 16, 0, "intact", "intact", "severe", 1),
    ),
]


def test_worked_cases_print_totals_levels_and_grade_in_the_spec_key_order(tmp_path):
    out, err, error = run(tmp_path, [{"id": name, "items": items} for name, items, _ in WORKED])
    assert (err, error) == ("", None)
    printed = json.loads(out)
    keys = [
        "id",
        "adl",
        "cognition",
        "perception",
        "adl_level",
        "cognition_level",
        "perception_level",
        "grade",
    ]
    for (name, _, expected), result in zip(WORKED, printed, strict=True):
        assert list(result) == keys
        assert tuple(result[k] for k in keys[1:]) == expected, name
        assert result["id"] == name
        assert all(type(result[k]) is int for k in ("adl", "cognition", "perception", "grade"))


def test_the_shell_command_exits_non_zero_and_names_id_and_item(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps([{"id": 1, "items": FULL}, {"id": 99, "items": {**FULL, "stairs": 15}}]), "utf-8"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "manage.py", "grade_assessment", str(path)],
        cwd=root,  # noqa: S603
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "id 99: item 'stairs': 15 is not an allowed value" in proc.stderr

    path.write_text(json.dumps([{"id": 1, "items": FULL}]), "utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "grade_assessment", str(path)],
        cwd=root,  # noqa: S603
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["grade"] == 0
