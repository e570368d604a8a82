"""Daily housekeeping (SPEC 9): end benefit decisions on death, move-out, expiry or downgrade.

Each cause is found set-based; ending a decision is idempotent (an end never moves later), so the job
is safe to run twice. Conclusion events are consumed after a cursor (EventCursor 'conclusion_events').
"""

import contextlib
import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from benefits.models import BenefitDecision, EventCursor

from .decisions import DecisionError, decision_create, decision_end

ONE_DAY = dt.timedelta(days=1)
CURSOR = "conclusion_events"
R = BenefitDecision.EndReason


def _running_past(qs, day):
    """The decisions of ``qs`` in force on ``day`` and still running on the day after it."""
    return qs.in_force(day).overlapping(day + ONE_DAY, None)


def end_on_death(*, actor=None) -> int:
    """End decisions running past the person's death on the day of death."""
    count = 0
    rows = BenefitDecision.objects.filter(person__died_on__isnull=False).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=F("person__died_on"))
    )
    for decision in rows.select_related("person"):
        assert decision.person.died_on is not None  # the filter above
        decision_end(decision=decision, ends_on=decision.person.died_on, reason=R.DIED, actor=actor)
        count += 1
    return count


def end_on_coverage_end(*, actor=None) -> int:
    """End decisions running past the end of the person's last coverage period (move-out or stop)."""
    from enrollment.models import CoveragePeriod

    later_open = CoveragePeriod.objects.filter(person=OuterRef("person_id")).filter(
        Q(end__isnull=True) | Q(end__gt=OuterRef("end"))
    )
    ended = (
        CoveragePeriod.objects.filter(end__isnull=False)
        .exclude(end_reason="died")
        .annotate(has_later=Exists(later_open))
        .filter(has_later=False)
    )
    count = 0
    for period in ended.iterator():
        assert period.end is not None  # the filter above
        reason = R.MOVED_OUT if period.end_reason == "moved_out" else R.COVERAGE_ENDED
        for decision in _running_past(BenefitDecision.objects.filter(person_id=period.person_id), period.end):
            decision_end(decision=decision, ends_on=period.end, reason=reason, actor=actor)
            count += 1
    return count


def consume_conclusion_events(*, actor=None, limit: int = 10000) -> Counter:
    """End (and for a covered lower class, continue) decisions after expired/downgraded/revoked conclusions."""
    from assessment.models import ConclusionEvent

    done: Counter = Counter()
    with transaction.atomic():
        cursor, _ = EventCursor.objects.select_for_update().get_or_create(name=CURSOR)
        events = list(ConclusionEvent.objects.filter(id__gt=cursor.last_id).order_by("id")[:limit])
        for event in events:
            done[_apply_event(event, actor)] += 1
            cursor.last_id = event.id
        cursor.save()
    return done


def _apply_event(event, actor) -> str:
    if event.kind == "final":
        return "ignored"
    live = list(
        BenefitDecision.objects.in_force(event.effective_on)
        .filter(person_id=event.person_id)
        .select_related("person", "institution")
    )
    later = BenefitDecision.objects.filter(person_id=event.person_id, starts_on__gte=event.effective_on)
    if event.kind in ("expired", "revoked"):
        live += [d for d in later if d.ends_on is None]
        for decision in live:
            decision_end(
                decision=decision, ends_on=event.effective_on - ONE_DAY, reason=R.EXPIRED, actor=actor
            )
        return event.kind if live else "no_decision"
    if event.kind == "downgraded":
        for decision in live:
            decision_end(
                decision=decision, ends_on=event.effective_on - ONE_DAY, reason=R.DOWNGRADED, actor=actor
            )
            if decision.ends_on is None or decision.ends_on >= event.effective_on:
                # The lower class may still be covered: continue the same form at that class.
                with contextlib.suppress(DecisionError):
                    decision_create(
                        person=decision.person,
                        care_form=decision.care_form,
                        starts_on=event.effective_on,
                        institution=decision.institution,
                        carer_trained=decision.carer_trained,
                        actor=actor,
                        strict=False,
                        ends_on=decision.ends_on,
                        note="等级降低后按新等级继续",
                    )
        return "downgraded" if live else "no_decision"
    return "ignored"


def end_decisions_daily(*, on: dt.date | None = None, actor=None) -> dict[str, int]:
    """Run every cause; return counts per cause."""
    result = {"died": end_on_death(actor=actor), "coverage_ended": end_on_coverage_end(actor=actor)}
    for kind, count in consume_conclusion_events(actor=actor).items():
        result[f"event_{kind}"] = count
    return result
