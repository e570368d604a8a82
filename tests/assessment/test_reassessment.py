"""An office-ordered spot reassessment that finds a lower grade: downgrade event for benefits, fee by the fund."""

import datetime as dt
from decimal import Decimal

from assessment import services
from assessment.models import AssessmentFee, Conclusion, ConclusionEvent
from assessment.selectors import conclusion_in_force
from assessment.services.review import application_conclude, application_publish_notice
from tests.assessment.conftest import MODERATE, make_assessors, make_person

D = dt.date


def test_spot_check_downgrade_publishes_events_and_the_fund_pays(agency):
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, []), ("孙评估", False, [])])
    person = make_person()
    old = Conclusion.objects.create(
        person=person,
        grade=5,
        concluded_on=D(2025, 1, 6),
        valid_until=D(2027, 1, 5),
        state="final",
        imported=True,
    )
    spot = services.spot_check_order(on=D(2025, 9, 1), size=5, seed=3)
    (app,) = spot.applications.all()
    assert (app.kind, app.state, app.person) == ("spot_check", "accepted", person)
    pair = services.application_assign(application=app, agency=agency, seed=1)
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 9, 10))
    for assignment in pair:
        services.visit_confirm(assignment=assignment)
    app.refresh_from_db()
    application_publish_notice(application=app, on=D(2025, 9, 11))
    new = application_conclude(application=app, on=D(2025, 9, 22))
    assert (new.grade, new.concluded_on, new.valid_until) == (2, D(2025, 9, 22), D(2027, 9, 21))
    events = {e.kind: e for e in ConclusionEvent.objects.filter(conclusion=new)}
    assert set(events) == {"final", "downgraded"}
    assert (events["downgraded"].effective_on, events["downgraded"].previous_grade) == (D(2025, 9, 22), 5)
    assert conclusion_in_force(person=person, on=D(2025, 9, 21)) == old
    assert conclusion_in_force(person=person, on=D(2025, 9, 22)) == new
    fee = AssessmentFee.objects.get(application=app)
    assert (fee.kind, fee.payer, fee.amount) == ("office_ordered", "fund", Decimal("200.00"))


def test_an_upgrade_publishes_no_downgrade(agency):
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, [])])
    person = make_person()
    Conclusion.objects.create(
        person=person, grade=1, concluded_on=D(2024, 1, 8), valid_until=D(2026, 1, 7), state="final"
    )
    app = services.application_submit(
        person=person, applied_on=D(2025, 9, 1), kind="reassessment", disability_since=D(2025, 1, 1)
    )
    services.application_accept(application=app, on=D(2025, 9, 2))
    pair = services.application_assign(application=app, agency=agency, seed=1)
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 9, 10))
    for assignment in pair:
        services.visit_confirm(assignment=assignment)
    application_publish_notice(application=app, on=D(2025, 9, 11))
    new = application_conclude(application=app, on=D(2025, 9, 22))
    assert list(ConclusionEvent.objects.filter(conclusion=new).values_list("kind", flat=True)) == ["final"]
    assert AssessmentFee.objects.get(application=app).kind == "first"
