"""assessment.demo.seed: applications in every state, conclusions spread over grades, idempotent."""

import io
import random

from django.utils import timezone

from assessment import demo
from assessment.models import Application, Conclusion, Objection
from assessment.selectors import conclusions_on_notice, objections_overdue_lookups
from tests.assessment.conftest import make_person


def test_demo_seeds_every_state_and_is_idempotent(xuzhou):
    for _ in range(60):
        make_person()
    out = io.StringIO()
    demo.seed(persons=60, rng=random.Random(1), stdout=out)
    states = set(Application.objects.values_list("state", flat=True))
    assert set(demo.WORKFLOW_STATES) <= states, out.getvalue()
    # Issue 19: some conclusions are on public notice today, and one objection's reassessment is overdue.
    today = timezone.localdate()
    assert conclusions_on_notice(on=today).count() >= 3, out.getvalue()
    assert Objection.objects.filter(**objections_overdue_lookups(today)).count() == 1
    grades = set(Conclusion.objects.filter(state="final").values_list("grade", flat=True))
    assert {2, 3, 4, 5} <= grades
    counts = (Application.objects.count(), Conclusion.objects.count())
    demo.seed(persons=60, rng=random.Random(1), stdout=out)
    assert (Application.objects.count(), Conclusion.objects.count()) == counts
    assert "already present" in out.getvalue()
