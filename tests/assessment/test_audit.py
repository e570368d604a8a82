"""Audit history (SPEC 12): every state change of applications, assignments and conclusions keeps who and when."""

import datetime as dt

from django.contrib.auth import get_user_model

from assessment import services
from assessment.models import Assignment, Conclusion
from assessment.services.review import application_conclude, application_publish_notice
from tests.assessment.conftest import MODERATE, make_assessors, make_person

D = dt.date


def test_every_application_state_is_a_history_row_with_the_actor(agency):
    staff = get_user_model().objects.create_user("coord", is_staff=True)
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, []), ("孙评估", False, [])])
    app = services.application_submit(
        person=make_person(), applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1), actor=staff
    )
    services.application_accept(application=app, on=D(2025, 9, 2), actor=staff)
    pair = services.application_assign(application=app, agency=agency, seed=2, actor=staff)
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 9, 25))
    for assignment in pair:
        services.visit_confirm(assignment=assignment, actor=staff)
    application_publish_notice(application=app, on=D(2025, 9, 26), actor=staff)
    conclusion = application_conclude(application=app, on=D(2025, 10, 14), actor=staff)
    states = [h.state for h in app.history.order_by("history_id")]
    assert states == ["submitted", "accepted", "assigned", "assessed", "notice", "final"]
    moved = app.history.exclude(state="submitted")
    assert all(h.state_changed_by_id == staff.pk and h.history_change_reason for h in moved)
    assert [h.state for h in conclusion.history.order_by("history_id")] == ["draft", "notice", "final"]


def test_return_reason_is_in_the_same_history_row_as_the_return(agency):
    app = services.application_submit(
        person=make_person(), applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1)
    )
    services.application_return(application=app, reason="缺少诊断证明")
    last = app.history.order_by("-history_id").first()
    assert (last.state, last.return_reason) == ("returned", "缺少诊断证明")


def test_declines_cancellations_and_withdrawn_confirmations_are_recorded(agency):
    make_assessors(
        agency,
        [
            ("李医生", True, []),
            ("王医生", True, []),
            ("赵评估", False, []),
            ("孙评估", False, []),
            ("周医生", True, []),
            ("吴评估", False, []),
            ("郑评估", False, []),
        ],
    )
    app = services.application_submit(
        person=make_person(), applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1)
    )
    services.application_accept(application=app, on=D(2025, 9, 2))
    pair = services.application_assign(application=app, agency=agency, seed=4)
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 9, 25))
    services.visit_confirm(assignment=pair[0])
    services.visit_record(assignment=pair[1], items=MODERATE, visited_on=D(2025, 9, 25))  # corrected scores
    first = Assignment.objects.get(pk=pair[0].pk)
    assert [h.state for h in first.history.order_by("history_id")] == ["assigned", "confirmed", "assigned"]
    services.assignment_decline(assignment=pair[1], reason="回避")
    assert pair[1].history.order_by("-history_id").first().state == "declined"
    # An upheld objection starts a new round; open assignments of the old one are cancelled on record.
    from assessment.services.assignment import assign_pair

    assign_pair(application=app, agency=agency, seed=9)
    cancelled = Assignment.objects.filter(application=app, round=1, state="cancelled")
    assert cancelled.exists()
    assert all(a.history.order_by("-history_id").first().state == "cancelled" for a in cancelled)
    assert not Conclusion.objects.filter(application=app).exists()
