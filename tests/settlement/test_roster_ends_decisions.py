"""Death and move-out from the roster (SPEC 5.4): the roster import records them in enrollment only; benefits'
own daily job (`end_decisions_daily`, on the beat schedule) ends the decisions. In between no money moves:
eligibility and the settlement refuse the days without coverage whatever the decision says (condition 1)."""

import pytest
from django.utils import translation

from benefits.eligibility import explain, is_eligible
from benefits.models import BenefitDecision
from benefits.services.housekeeping import end_decisions_daily
from enrollment.models import Person

from .conftest import CAREGIVER, D, bed_days, line_for, visit


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


def _decision(nid):
    return BenefitDecision.objects.get(person__national_id=nid)


def _failing(nid, day):
    conditions = explain(person=Person.objects.get(national_id=nid), on=day)
    return [c.reason_code for c in conditions if not c.passed]


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_daily_job():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="benefits.tasks.end_decisions_daily")
    assert task.enabled and task.crontab is not None


def test_a_death_in_the_roster_pays_nothing_after_the_death_before_the_daily_job_ends_the_decision(world):
    nid = world.beneficiary(form="home_visits", institution="JJ001")
    world.records([visit("JJ001", nid, f"2024-05-{d}", "100.00", CAREGIVER) for d in (20, 21)])
    world.persons([{"national_id": nid, "ended_on": "2024-05-20", "end_reason": "died"}])
    assert _decision(nid).ends_on is None  # the import touched enrollment only
    assert is_eligible(explain(person=Person.objects.get(national_id=nid), on=D(2024, 5, 20)))
    assert _failing(nid, D(2024, 5, 21))[0] == "NOT_COVERED"
    line = line_for(world.settle(), nid)
    # the death day is paid; the day after is refused although the decision is still open.
    assert (line["fund_amount"], line["rejected_amount"], line["reason_codes"]) == (
        "100.00",
        "100.00",
        "NOT_COVERED",
    )
    assert end_decisions_daily()["died"] == 1
    decision = _decision(nid)
    assert (decision.ends_on, decision.end_reason) == (D(2024, 5, 20), BenefitDecision.EndReason.DIED)
    assert end_decisions_daily()["died"] == 0  # safe to run twice


def test_a_move_out_in_the_roster_pays_no_bed_day_after_the_coverage_before_the_daily_job(world):
    nid = world.beneficiary(form="residential", institution="YL001")
    other = world.beneficiary(form="residential", institution="YL001")
    world.records(bed_days("YL001", nid, D(2024, 5, 14), D(2024, 5, 17)))
    world.persons([{"national_id": nid, "ended_on": "2024-05-15", "end_reason": "moved_out"}])
    assert _decision(nid).ends_on is None
    assert _failing(nid, D(2024, 5, 16))[0] == "NOT_COVERED"
    line = line_for(world.settle(), nid)
    assert (line["quantity"], line["reason_codes"]) == ("4", "NOT_COVERED")
    assert (
        line["fund_amount"] == "84.00" and line["rejected_amount"] == "120.00"
    )  # 2 x 42 paid, 2 x 60 refused
    assert end_decisions_daily()["coverage_ended"] == 1
    decision = _decision(nid)
    assert (decision.ends_on, decision.end_reason) == (D(2024, 5, 15), BenefitDecision.EndReason.MOVED_OUT)
    assert _decision(other).ends_on is None  # only the persons whose coverage ended
