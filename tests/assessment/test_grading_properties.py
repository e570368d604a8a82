"""Properties of grading by nhsa-2021 (ASSESSMENT_STANDARD.md 4: consequences worth a test), by hypothesis."""

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.assessment.test_grading import ADL, ALLOWED, COGNITION_AT, PERCEPTION_AT, SCALE, items_for

# --- properties (ASSESSMENT_STANDARD.md 4: consequences worth a test) -------------------------

item_sets = st.fixed_dictionaries({key: st.sampled_from(allowed) for key, allowed in ALLOWED.items()})


@given(items=item_sets, data=st.data())
def test_making_any_single_item_worse_never_lowers_the_grade(items, data):
    assume(any(items.values()))
    key = data.draw(st.sampled_from([k for k, v in items.items() if v > 0]))
    lower = data.draw(st.sampled_from([p for p in ALLOWED[key] if p < items[key]]))
    assert SCALE.grade({**items, key: lower}).grade >= SCALE.grade(items).grade


@given(items=item_sets)
def test_intact_adl_never_gives_grade_2_or_more(items):
    items = {**items, **{key: max(allowed) for key, allowed in ADL.items()}}
    result = SCALE.grade(items)
    assert result.adl_level == "intact"
    assert result.grade <= 1


@given(items=item_sets)
def test_severe_adl_always_gives_grade_3_or_more(items):
    assume(sum(items[key] for key in ADL) <= 40)
    result = SCALE.grade(items)
    assert result.adl_level == "severe"
    assert result.grade >= 3


@given(items=item_sets, data=st.data())
def test_making_any_set_of_items_worse_never_lowers_the_grade(items, data):
    worse = {
        key: data.draw(st.sampled_from([p for p in ALLOWED[key] if p <= value]), label=key)
        for key, value in items.items()
    }
    assert SCALE.grade(worse).grade >= SCALE.grade(items).grade


@given(items=item_sets)
def test_cognition_and_perception_deficits_count_alike(items):
    # Swapping which of the two carries the worse level never changes the grade (ASSESSMENT_STANDARD.md 4).
    result = SCALE.grade(items)
    swapped = items_for(
        adl=result.adl,
        cognition=COGNITION_AT[result.perception_level],
        perception=PERCEPTION_AT[result.cognition_level],
    )
    assert SCALE.grade(swapped).grade == result.grade
