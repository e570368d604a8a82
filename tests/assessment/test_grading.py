"""Grading by the national standard, scale nhsa-2021 (ASSESSMENT_STANDARD.md, SPEC 4.4).

Expected values are copied from ASSESSMENT_STANDARD.md by hand, not read from the scale file, so a
change to the data that departs from the standard fails here.
"""

import copy
import json
from pathlib import Path

import pytest

from assessment.scales import (
    GRADE_NAMES,
    CombinationScale,
    GradeResult,
    GradingError,
    ScaleDataError,
    benefit_class,
    get_scale,
)

# ASSESSMENT_STANDARD.md 1-2: items in the order of the standard, with their allowed points.
ADL = {
    "eating": (0, 5, 10),
    "dressing": (0, 5, 10),
    "face_oral_hygiene": (0, 5),
    "bowel_control": (0, 5, 10),
    "bladder_control": (0, 5, 10),
    "toileting": (0, 5, 10),
    "level_walking": (0, 5, 10, 15),
    "bed_chair_transfer": (0, 5, 10, 15),
    "stairs": (0, 5, 10),
    "bathing": (0, 5),
}
COGNITION = dict.fromkeys(
    ("time_orientation", "person_orientation", "space_orientation", "memory"), (0, 1, 2, 3, 4)
)
PERCEPTION = dict.fromkeys(("vision", "hearing", "communication"), (0, 1, 2, 3, 4))
ALLOWED = {**ADL, **COGNITION, **PERCEPTION}

LEVELS = ("intact", "mild", "moderate", "severe")
# ASSESSMENT_STANDARD.md 4: rows ADL level, columns the worse of cognition and perception.
TABLE = {
    "intact": {"intact": 0, "mild": 0, "moderate": 1, "severe": 1},
    "mild": {"intact": 1, "mild": 1, "moderate": 1, "severe": 2},
    "moderate": {"intact": 2, "mild": 2, "moderate": 2, "severe": 3},
    "severe": {"intact": 3, "mild": 3, "moderate": 4, "severe": 5},
}
# One total inside each level of section 3.
ADL_AT = {"intact": 100, "mild": 80, "moderate": 50, "severe": 20}
COGNITION_AT = {"intact": 16, "mild": 13, "moderate": 8, "severe": 2}
PERCEPTION_AT = {"intact": 12, "mild": 10, "moderate": 5, "severe": 1}

SCALE = get_scale("nhsa-2021")


def spread(total, allowed_by_key):
    """Return item points summing to ``total``, taking the most each item allows in order."""
    points = {}
    for key, allowed in allowed_by_key.items():
        points[key] = max(p for p in allowed if p <= total)
        total -= points[key]
    assert total == 0, "total not reachable"
    return points


def items_for(adl=100, cognition=16, perception=12):
    return {**spread(adl, ADL), **spread(cognition, COGNITION), **spread(perception, PERCEPTION)}


FULL = items_for()


# --- the data matches the standard ---------------------------------------------------------


def test_scale_has_the_items_of_the_standard_in_order_with_their_points():
    assert SCALE.version == "nhsa-2021"
    assert [i.key for i in SCALE.indicators["adl"].items] == list(ADL)
    assert [i.key for i in SCALE.indicators["cognition"].items] == list(COGNITION)
    assert [i.key for i in SCALE.indicators["perception"].items] == list(PERCEPTION)
    assert {key: item.allowed for key, item in SCALE.items.items()} == ALLOWED


def test_item_names_and_option_texts_are_in_chinese():
    eating = SCALE.items["eating"]
    assert (eating.name_zh, eating.name_en) == ("进食", "Eating")
    assert [(o.points, o.text_zh) for o in eating.options][1:] == [
        (5, "需部分帮助（夹菜、盛饭）"),
        (0, "较大或完全依赖，或有留置营养管"),
    ]
    assert (
        SCALE.items["memory"].options[-1].text_zh
        == "完全不能回忆即时信息，并且完全不能对既往事物进行正确的回忆"
    )


def test_grade_names_and_benefit_classes():
    assert GRADE_NAMES == {
        0: "基本正常",
        1: "轻度失能",
        2: "中度失能",
        3: "重度失能Ⅰ级",
        4: "重度失能Ⅱ级",
        5: "重度失能Ⅲ级",
    }
    assert [benefit_class(g) for g in range(6)] == [None, "mild", "moderate", "severe", "severe", "severe"]


@pytest.mark.parametrize("grade", [-1, 6, True, "3", None])
def test_benefit_class_of_an_unknown_grade_is_an_error(grade):
    with pytest.raises(ValueError, match="unknown grade"):
        benefit_class(grade)


def test_get_scale_reads_each_version_once():
    assert get_scale() is get_scale("nhsa-2021") is SCALE


def test_unknown_scale_version_is_refused():
    with pytest.raises(LookupError, match=r"^unknown scale 'barthel' \(available: nhsa-2021\)$"):
        get_scale("barthel")


# --- section 3: every band edge of every indicator --------------------------------------------


# ADL totals move in steps of 5, so "either side" of an edge is 5 points away.
@pytest.mark.parametrize(
    ("total", "level"),
    [
        (100, "intact"),
        (95, "mild"),
        (70, "mild"),
        (65, "mild"),
        (60, "moderate"),
        (50, "moderate"),
        (45, "moderate"),
        (40, "severe"),
        (5, "severe"),
        (0, "severe"),
    ],
)
def test_adl_band_edges(total, level):
    result = SCALE.grade(items_for(adl=total))
    assert (result.adl, result.adl_level) == (total, level)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (16, "intact"),
        (15, "mild"),
        (12, "mild"),
        (11, "moderate"),
        (4, "moderate"),
        (3, "severe"),
        (1, "severe"),
        (0, "severe"),
    ],
)
def test_cognition_band_edges(total, level):
    result = SCALE.grade(items_for(cognition=total))
    assert (result.cognition, result.cognition_level) == (total, level)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (12, "intact"),
        (11, "mild"),
        (8, "mild"),
        (7, "moderate"),
        (4, "moderate"),
        (3, "severe"),
        (1, "severe"),
        (0, "severe"),
    ],
)
def test_perception_band_edges(total, level):
    result = SCALE.grade(items_for(perception=total))
    assert (result.perception, result.perception_level) == (total, level)


# Every band edge as "on the boundary and one step either side", written out by hand from section 3.
# ADL moves in steps of 5 (section 2.1), cognition and perception in steps of 1.
EDGES = {
    "adl": [
        (100, "intact"),
        (95, "mild"),
        (90, "mild"),  # intact | mild at 100/95
        (70, "mild"),
        (65, "mild"),
        (60, "moderate"),
        (55, "moderate"),  # mild | moderate at 65/60
        (50, "moderate"),
        (45, "moderate"),
        (40, "severe"),
        (35, "severe"),  # moderate | severe at 45/40
        (5, "severe"),
        (0, "severe"),
    ],
    "cognition": [
        (16, "intact"),
        (15, "mild"),
        (14, "mild"),
        (13, "mild"),
        (12, "mild"),
        (11, "moderate"),
        (10, "moderate"),
        (5, "moderate"),
        (4, "moderate"),
        (3, "severe"),
        (2, "severe"),
        (1, "severe"),
        (0, "severe"),
    ],
    "perception": [
        (12, "intact"),
        (11, "mild"),
        (10, "mild"),
        (9, "mild"),
        (8, "mild"),
        (7, "moderate"),
        (6, "moderate"),
        (5, "moderate"),
        (4, "moderate"),
        (3, "severe"),
        (2, "severe"),
        (1, "severe"),
        (0, "severe"),
    ],
}


@pytest.mark.parametrize(
    ("indicator", "total", "level"),
    [(ind, total, level) for ind, rows in EDGES.items() for total, level in rows],
)
def test_every_band_edge_on_the_boundary_and_one_step_either_side(indicator, total, level):
    result = SCALE.grade(items_for(**{indicator: total}))
    assert getattr(result, indicator) == total
    assert getattr(result, f"{indicator}_level") == level


# Section 3 as ranges, for every reachable total.
BANDS = {
    "adl": {"intact": (100, 100), "mild": (65, 95), "moderate": (45, 60), "severe": (0, 40)},
    "cognition": {"intact": (16, 16), "mild": (12, 15), "moderate": (4, 11), "severe": (0, 3)},
    "perception": {"intact": (12, 12), "mild": (8, 11), "moderate": (4, 7), "severe": (0, 3)},
}
REACHABLE = {"adl": range(0, 101, 5), "cognition": range(17), "perception": range(13)}


@pytest.mark.parametrize("indicator", list(BANDS))
def test_every_reachable_total_has_the_level_of_its_band(indicator):
    for total in REACHABLE[indicator]:
        (expected,) = [lv for lv, (low, high) in BANDS[indicator].items() if low <= total <= high]
        result = SCALE.grade(items_for(**{indicator: total}))
        assert getattr(result, f"{indicator}_level") == expected, (indicator, total)


# --- section 4: the combination table ---------------------------------------------------------

CELLS = [(row, column, TABLE[row][column]) for row in LEVELS for column in LEVELS]


@pytest.mark.parametrize(("adl_level", "column", "grade"), CELLS)
def test_combination_table_cell_reached_through_cognition(adl_level, column, grade):
    result = SCALE.grade(items_for(adl=ADL_AT[adl_level], cognition=COGNITION_AT[column]))
    levels = (result.adl_level, result.cognition_level, result.perception_level)
    assert levels == (adl_level, column, "intact")
    assert result.grade == grade


@pytest.mark.parametrize(("adl_level", "column", "grade"), CELLS)
def test_combination_table_cell_reached_through_perception_alike(adl_level, column, grade):
    result = SCALE.grade(items_for(adl=ADL_AT[adl_level], perception=PERCEPTION_AT[column]))
    levels = (result.adl_level, result.cognition_level, result.perception_level)
    assert levels == (adl_level, "intact", column)
    assert result.grade == grade


@pytest.mark.parametrize(("adl_level", "column", "grade"), CELLS)
def test_combination_table_cell_with_both_at_the_column_level(adl_level, column, grade):
    items = items_for(adl=ADL_AT[adl_level], cognition=COGNITION_AT[column], perception=PERCEPTION_AT[column])
    assert SCALE.grade(items).grade == grade


@pytest.mark.parametrize("adl_level", LEVELS)
@pytest.mark.parametrize(("cognition", "perception"), [(a, b) for a in LEVELS for b in LEVELS if a != b])
def test_the_worse_of_cognition_and_perception_decides_the_column(adl_level, cognition, perception):
    worse = max(cognition, perception, key=LEVELS.index)
    items = items_for(
        adl=ADL_AT[adl_level], cognition=COGNITION_AT[cognition], perception=PERCEPTION_AT[perception]
    )
    assert SCALE.grade(items).grade == TABLE[adl_level][worse]


@pytest.mark.parametrize(("adl_level", "column", "grade"), CELLS)
def test_combination_table_cell_holds_at_both_ends_of_each_band(adl_level, column, grade):
    adl_low, adl_high = BANDS["adl"][adl_level]
    for adl in (adl_low, adl_high):
        for source in ("cognition", "perception"):
            for total in BANDS[source][column]:
                result = SCALE.grade(items_for(adl=adl, **{source: total}))
                assert result.grade == grade, (adl, source, total)


def test_hand_worked_example():
    # ADL 10+5+0+5+10+5+10+5+0+0 = 50 (moderate); cognition 3+4+2+2 = 11 (moderate);
    # perception 4+3+4 = 11 (mild): row moderate, column moderate -> grade 2.
    items = {
        "eating": 10,
        "dressing": 5,
        "face_oral_hygiene": 0,
        "bowel_control": 5,
        "bladder_control": 10,
        "toileting": 5,
        "level_walking": 10,
        "bed_chair_transfer": 5,
        "stairs": 0,
        "bathing": 0,
        "time_orientation": 3,
        "person_orientation": 4,
        "space_orientation": 2,
        "memory": 2,
        "vision": 4,
        "hearing": 3,
        "communication": 4,
    }
    assert SCALE.grade(items) == GradeResult(
        adl=50,
        cognition=11,
        perception=11,
        adl_level="moderate",
        cognition_level="moderate",
        perception_level="mild",
        grade=2,
        scale_version="nhsa-2021",
    )


def test_grading_everything_lowest_gives_grade_5():
    result = SCALE.grade(dict.fromkeys(ALLOWED, 0))
    assert (result.adl, result.cognition, result.perception, result.grade) == (0, 0, 0, 5)


# --- invalid input ----------------------------------------------------------------------------


def grading_error(items):
    with pytest.raises(GradingError) as info:
        SCALE.grade(items)
    assert isinstance(info.value, ValueError)
    return info.value


def test_unknown_item_is_named():
    error = grading_error({**FULL, "foo": 5})
    assert (error.item, str(error)) == ("foo", "unknown item 'foo'")


def test_missing_item_is_named():
    items = dict(FULL)
    del items["memory"]
    error = grading_error(items)
    assert (error.item, str(error)) == ("memory", "item 'memory' is missing")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("eating", 7, "item 'eating': 7 is not an allowed value (allowed: 0, 5, 10)"),
        ("eating", 15, "item 'eating': 15 is not an allowed value (allowed: 0, 5, 10)"),
        ("bathing", 10, "item 'bathing': 10 is not an allowed value (allowed: 0, 5)"),
        ("level_walking", 20, "item 'level_walking': 20 is not an allowed value (allowed: 0, 5, 10, 15)"),
        ("memory", 5, "item 'memory': 5 is not an allowed value (allowed: 0, 1, 2, 3, 4)"),
        ("vision", -1, "item 'vision': -1 is not an allowed value (allowed: 0, 1, 2, 3, 4)"),
        ("eating", True, "item 'eating': True is not an integer"),
        ("hearing", False, "item 'hearing': False is not an integer"),
        ("eating", "10", "item 'eating': '10' is not an integer"),
        ("eating", 10.0, "item 'eating': 10.0 is not an integer"),
        ("memory", None, "item 'memory': None is not an integer"),
    ],
)
def test_invalid_point_value_is_named(key, value, message):
    error = grading_error({**FULL, key: value})
    assert (error.item, str(error)) == (key, message)


def test_an_unknown_key_is_reported_before_the_item_it_misspells():
    items = dict(FULL)
    items["eatin"] = items.pop("eating")
    error = grading_error(items)
    assert error.item == "eatin"
    assert str(error) == "unknown item 'eatin'; item 'eating' is missing"


def test_every_bad_item_is_named_in_one_error():
    items = {k: v for k, v in FULL.items() if k != "hearing"}
    items.update({"stairs": 15, "memory": "4", "extra": 1})
    error = grading_error(items)
    assert [key for key, _ in error.problems] == ["extra", "stairs", "memory", "hearing"]
    assert (error.item, error.message) == ("extra", "unknown item 'extra'")
    assert str(error) == (
        "unknown item 'extra'; item 'stairs': 15 is not an allowed value (allowed: 0, 5, 10); "
        "item 'memory': '4' is not an integer; item 'hearing' is missing"
    )


def test_grade_result_is_frozen():
    result = SCALE.grade(FULL)
    with pytest.raises(AttributeError):
        result.grade = 5


# --- the scale file is checked on loading -----------------------------------------------------

SCALE_FILE = Path(__file__).resolve().parents[2] / "assessment" / "scales" / "nhsa-2021.json"
DATA = json.loads(SCALE_FILE.read_text("utf-8"))


def test_the_shipped_data_loads():
    assert CombinationScale(DATA).grade(FULL).grade == 0


def test_a_table_that_lowers_the_grade_for_a_worse_level_is_refused():
    data = copy.deepcopy(DATA)
    data["combination"]["table"]["severe"]["severe"] = 2
    with pytest.raises(ScaleDataError, match="lowers the grade"):
        CombinationScale(data)


def test_a_gap_between_bands_is_refused():
    data = copy.deepcopy(DATA)
    data["indicators"]["cognition"]["levels"]["moderate"]["min"] = 5
    with pytest.raises(ScaleDataError, match="cognition total 4 is not in exactly one band"):
        CombinationScale(data)
