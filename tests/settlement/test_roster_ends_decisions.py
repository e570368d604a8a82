"""Death and move-out from the roster end the benefit decisions at once (SPEC 5.4, issue: "death and
move-out from the roster end everything they should"), not only at the next daily job."""

import pytest
from django.utils import translation

from benefits.models import BenefitDecision

from .conftest import D


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def _decision(nid):
    return BenefitDecision.objects.get(person__national_id=nid)


def test_a_death_in_the_roster_ends_the_decision_on_the_day_of_death(
    world, django_capture_on_commit_callbacks
):
    nid = world.beneficiary(form="residential", institution="YL001")
    assert _decision(nid).ends_on is None
    with django_capture_on_commit_callbacks(execute=True):
        world.persons([{"national_id": nid, "ended_on": "2024-05-10", "end_reason": "died"}])
    decision = _decision(nid)
    assert (decision.ends_on, decision.end_reason) == (D(2024, 5, 10), BenefitDecision.EndReason.DIED)


def test_a_move_out_in_the_roster_ends_the_decision_with_the_coverage(
    world, django_capture_on_commit_callbacks
):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    other = world.beneficiary(form="home_visits", institution="JJ001")
    with django_capture_on_commit_callbacks(execute=True):
        world.persons([{"national_id": nid, "ended_on": "2024-06-30", "end_reason": "moved_out"}])
    decision = _decision(nid)
    assert (decision.ends_on, decision.end_reason) == (D(2024, 6, 30), BenefitDecision.EndReason.MOVED_OUT)
    assert _decision(other).ends_on is None  # only the persons the import ended


def test_a_roster_import_that_ends_nobody_sends_nothing(world, django_capture_on_commit_callbacks):
    from enrollment.signals import coverage_ended

    nid = world.beneficiary(form="residential", institution="YL001")
    sent = []

    def receiver(sender, person_ids, **kwargs):
        sent.append(person_ids)

    coverage_ended.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            world.persons([{"national_id": nid, "categories": "medical_aid"}])
    finally:
        coverage_ended.disconnect(receiver)
    assert sent == [] and _decision(nid).ends_on is None
