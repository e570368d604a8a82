"""Benefit decision services (SPEC 5.4) and the daily housekeeping that ends them."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import translation

from benefits.models import Admission, BenefitDecision, EventCursor, RemoteResidence
from benefits.services import (
    DecisionError,
    admission_admit,
    admission_change_bed,
    admission_discharge,
    decision_change_form,
    decision_create,
    decision_end,
)
from benefits.services.admissions import AdmissionError
from benefits.services.housekeeping import end_decisions_daily
from benefits.tasks import end_decisions_daily as end_task

from .conftest import make_conclusion, make_institution, make_person


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def person(policy):
    p = make_person()
    make_conclusion(p, grade=3, concluded_on=D(2024, 1, 1), valid_until=D(2025, 12, 31))
    return p


@pytest.fixture
def inst(db):
    return make_institution(beds=2)


def test_create_takes_the_class_and_policy_from_the_conclusion_in_force(person, inst):
    decision = decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1)
    )
    assert (decision.benefit_class, decision.conclusion.grade, decision.policy_scheme.code) == (
        "severe",
        3,
        "xuzhou-2022",
    )


def test_create_refuses_without_a_covered_conclusion(policy, inst):
    p = make_person()
    with pytest.raises(DecisionError, match="no final assessment conclusion in force on 2024-02-01"):
        decision_create(person=p, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1))
    make_conclusion(p, grade=1, concluded_on=D(2024, 1, 1))
    with pytest.raises(DecisionError, match="grade 1, mild"):
        decision_create(person=p, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1))


def test_create_checks_the_agreement_and_remote_filing(person, inst):
    visits_only = make_institution(care_forms=["home_visits"])
    with pytest.raises(DecisionError, match="does not cover residential"):
        decision_create(
            person=person, care_form="residential", institution=visits_only, starts_on=D(2024, 2, 1)
        )
    family = decision_create(  # SPEC 5.2 B: a home-visits agreement serves the visits of home_family
        person=person, care_form="home_family", institution=visits_only, starts_on=D(2024, 2, 1)
    )
    assert family.institution == visits_only
    family.delete()
    with pytest.raises(DecisionError, match="needs a remote-residence filing"):
        decision_create(person=person, care_form="remote_cash", starts_on=D(2024, 2, 1))
    RemoteResidence.objects.create(person=person, valid_from=D(2024, 1, 1), place="上海市")
    assert (
        decision_create(person=person, care_form="remote_cash", starts_on=D(2024, 2, 1)).institution is None
    )


def test_change_of_form_closes_the_old_decision_and_discharges_the_bed(person, inst):
    old = decision_create(person=person, care_form="residential", institution=inst, starts_on=D(2024, 2, 1))
    new = decision_change_form(
        decision=old, care_form="home_family", institution=inst, carer_trained=True, starts_on=D(2024, 5, 1)
    )
    old.refresh_from_db()
    assert (old.ends_on, old.end_reason) == (D(2024, 4, 30), "form_changed")
    assert (new.starts_on, new.ends_on, new.carer_trained) == (D(2024, 5, 1), None, True)
    assert Admission.objects.get(person=person).discharged_on == D(2024, 5, 1)


def test_decisions_never_overlap_in_the_database(person, inst):
    decision_create(person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1))
    with pytest.raises(IntegrityError):
        BenefitDecision.objects.create(person=person, care_form="home_family", starts_on=D(2024, 3, 1))


def test_a_decision_starting_before_an_existing_one_is_refused(person, inst):
    decision_create(person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 3, 1))
    with pytest.raises(
        DecisionError,
        match=r"overlaps the benefit decision home_visits \(Home visit services, 2024-03-01\.\.",
    ):
        decision_create(person=person, care_form="home_family", institution=inst, starts_on=D(2024, 2, 1))


def test_end_on_request_keeps_the_reason_and_never_moves_later(person, inst):
    decision = decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1)
    )
    decision_end(decision=decision, ends_on=D(2024, 6, 30), reason="requested")
    decision_end(decision=decision, ends_on=D(2024, 8, 31), reason="expired")
    decision.refresh_from_db()
    assert (decision.ends_on, decision.end_reason) == (D(2024, 6, 30), "requested")


def test_housekeeping_ends_on_death_and_releases_the_bed_on_the_day_of_death(person, inst):
    decision = decision_create(
        person=person, care_form="residential", institution=inst, starts_on=D(2024, 2, 1)
    )
    person.died_on = D(2024, 4, 10)
    person.save()
    assert end_decisions_daily()["died"] == 1
    assert end_decisions_daily()["died"] == 0
    decision.refresh_from_db()
    assert (decision.ends_on, decision.end_reason) == (D(2024, 4, 10), "died")
    assert Admission.objects.get(person=person).discharged_on == D(2024, 4, 10)


def test_housekeeping_ends_on_move_out_from_the_roster(person, inst):
    decision = decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1)
    )
    person.coverage.update(end=D(2024, 5, 31), end_reason="moved_out")
    end_decisions_daily()
    decision.refresh_from_db()
    assert (decision.ends_on, decision.end_reason) == (D(2024, 5, 31), "moved_out")


def _event(person, conclusion, kind, effective_on, previous=None):
    from assessment.models import ConclusionEvent

    return ConclusionEvent.objects.create(
        conclusion=conclusion,
        person=person,
        kind=kind,
        effective_on=effective_on,
        grade=conclusion.grade,
        previous_grade=previous,
    )


def test_housekeeping_consumes_expiry_events_once(person, inst):
    decision = decision_create(
        person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1)
    )
    _event(person, decision.conclusion, "expired", D(2026, 1, 1))
    assert end_task.apply().get()["event_expired"] == 1
    assert "event_expired" not in end_task.apply().get()
    decision.refresh_from_db()
    assert (decision.ends_on, decision.end_reason) == (D(2025, 12, 31), "expired")
    assert EventCursor.objects.get(name="conclusion_events").last_id > 0


def test_downgrade_to_a_covered_class_continues_the_form_at_the_new_class(person, inst):
    decision_create(person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1))
    lower = make_conclusion(person, grade=2, concluded_on=D(2024, 7, 1), valid_until=D(2026, 6, 30))
    _event(person, lower, "downgraded", D(2024, 7, 1), previous=3)
    end_decisions_daily()
    old, new = BenefitDecision.objects.filter(person=person).order_by("starts_on")
    assert (old.ends_on, old.end_reason) == (D(2024, 6, 30), "downgraded")
    assert (new.starts_on, new.benefit_class, new.care_form, new.conclusion_id) == (
        D(2024, 7, 1),
        "moderate",
        "home_visits",
        lower.pk,
    )


def test_downgrade_to_an_uncovered_class_only_ends(person, inst):
    decision_create(person=person, care_form="home_visits", institution=inst, starts_on=D(2024, 2, 1))
    lower = make_conclusion(person, grade=1, concluded_on=D(2024, 7, 1), valid_until=D(2026, 6, 30))
    _event(person, lower, "downgraded", D(2024, 7, 1), previous=3)
    end_decisions_daily()
    assert list(BenefitDecision.objects.filter(person=person).values_list("ends_on", "end_reason")) == [
        (D(2024, 6, 30), "downgraded")
    ]


def test_admissions_take_the_lowest_free_bed_and_change_beds(person, inst):
    other = make_person()
    first = admission_admit(person=other, institution=inst, on=D(2024, 1, 1))
    assert first.bed.label == "01"
    mine = admission_admit(person=person, institution=inst, on=D(2024, 1, 5))
    assert mine.bed.label == "02"
    with pytest.raises(AdmissionError, match="no free registered bed"):
        admission_admit(person=make_person(), institution=inst, on=D(2024, 1, 6))
    admission_discharge(admission=first, on=D(2024, 2, 1))
    moved = admission_change_bed(admission=mine, bed=first.bed, on=D(2024, 2, 1))
    mine.refresh_from_db()
    assert (mine.discharged_on, moved.bed.label, moved.admitted_on) == (D(2024, 2, 1), "01", D(2024, 2, 1))


def test_institutions_counts_the_residents_on_its_beds(person, inst):
    from institutions.selectors import occupied_bed_counts

    admission_admit(person=person, institution=inst, on=D(2024, 1, 1))
    assert occupied_bed_counts(institution_ids=[inst.pk], on=D(2024, 1, 1)) == {inst.pk: 1}
