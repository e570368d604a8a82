"""Objections to a conclusion on public notice (公示异议) and the timed reassessment (SPEC 4.3, issue 19):
the deadline in Chinese working days from the policy, settled by the new pair's visit or a dismissal, and
overdue ones on the coordinator's dashboard (复核超期)."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.models import Application, Conclusion, Objection
from assessment.services.conclusions import AssessmentError
from assessment.services.review import application_publish_notice
from ltci.core import workqueues
from ltci.core.models import PolicyRecord
from tests.assessment.conftest import NOTHING, coordinator_group, make_assessors
from tests.assessment.test_workflow import _assessed

D = dt.date


@pytest.fixture
def team(agency):
    return make_assessors(
        agency,
        [("李医生", True, []), ("王医生", True, []), ("赵评估", False, []), ("钱评估", False, [])],
    )


@pytest.fixture
def on_notice(person, agency, team):
    """An application whose draft is on notice from Sunday 2025-09-28 (swapped working day) to 2025-10-10."""
    app = _assessed(person, agency)
    application_publish_notice(application=app, on=D(2025, 9, 26))
    return app


def test_deadline_is_ten_working_days_across_national_day(on_notice):
    # Raised Monday 2025-09-29: 9-30, then after the holidays 10-01..10-08: 10-09, 10-10, the swapped
    # Saturday 10-11, 10-13..10-17, 10-20 = ten working days.
    objection = services.objection_raise(
        application=on_notice, raised_on=D(2025, 9, 29), raised_by="邻居", reason="不符"
    )
    assert objection.due_on == D(2025, 10, 20)
    assert (objection.outcome, objection.channel, objection.settled_on) == ("open", "counter", None)


def test_deadline_days_are_policy_data(on_notice):
    record = PolicyRecord.objects.get(kind="assessment", key="*")
    record.value = {**record.value, "objection_reassess_working_days": 3}
    record.save()
    objection = services.objection_raise(
        application=on_notice, raised_on=D(2025, 9, 29), raised_by="邻居", reason="不符"
    )
    assert objection.due_on == D(2025, 10, 10)  # 9-30, 10-09, 10-10


def test_objection_after_the_period_is_refused(on_notice):
    with pytest.raises(AssessmentError, match="公示期已于2025年10月10日结束，不能再提出异议"):
        services.objection_raise(
            application=on_notice, raised_on=D(2025, 10, 11), raised_by="本人", reason="x"
        )
    assert not Objection.objects.exists()


def test_own_objection_starts_the_reassessment_with_a_new_pair(on_notice):
    first_pair = set(on_notice.assignments.values_list("assessor_id", flat=True))
    objection = services.objection_raise(
        application=on_notice,
        raised_on=D(2025, 9, 29),
        raised_by="张三（本人）",
        reason="我的情况更重",
        channel=Application.Channel.ONLINE,
        reassess=True,
    )
    on_notice.refresh_from_db()
    second = set(on_notice.assignments.filter(round=2).values_list("assessor_id", flat=True))
    assert (objection.outcome, on_notice.state) == ("reassess", "assigned")
    assert len(second) == 2 and not second & first_pair
    assert on_notice.conclusions.get().state == "revoked"


def _overdue_queue():
    return next(q for q in workqueues.registered() if q.key == "assessment.objections_overdue")


def test_overdue_until_the_new_visit_settles_it(on_notice):
    objection = services.objection_raise(
        application=on_notice, raised_on=D(2025, 9, 29), raised_by="本人", reason="不服", reassess=True
    )
    queue = _overdue_queue()
    assert queue.count(D(2025, 10, 20)) == 0  # due that day
    assert queue.count(D(2025, 10, 21)) == 1
    pair = list(on_notice.assignments.filter(round=2))
    services.visit_record(assignment=pair[0], items=NOTHING, visited_on=D(2025, 10, 16))
    for assignment in pair:
        services.visit_confirm(assignment=assignment)
    objection.refresh_from_db()
    assert objection.settled_on == D(2025, 10, 16)
    assert queue.count(D(2025, 10, 21)) == 0
    draft = Conclusion.objects.get(application=on_notice, state="draft")
    assert draft.grade == 5


def test_dismissed_objection_is_settled_that_day(on_notice):
    objection = services.objection_raise(
        application=on_notice, raised_on=D(2025, 9, 29), raised_by="邻居", reason="不符"
    )
    services.objection_resolve(objection=objection, upheld=False, resolution="查无实据", on=D(2025, 9, 30))
    objection.refresh_from_db()
    assert objection.settled_on == D(2025, 9, 30)
    assert _overdue_queue().count(D(2026, 1, 1)) == 0


def test_overdue_reassessment_is_on_the_coordinators_dashboard_and_its_list(on_notice):
    services.objection_raise(application=on_notice, raised_on=D(2025, 9, 29), raised_by="邻居", reason="不符")
    coordinator = User.objects.create_user("obj-coord", is_staff=True)
    coordinator.groups.add(coordinator_group())
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("admin:index")).content.decode()
    today = timezone.localdate()
    assert today > D(2025, 10, 20)
    assert 'data-queue="assessment.objections_overdue" class="raised"' in page
    assert "复核超期" in page
    listing = client.get(_overdue_queue().url(today))
    assert listing.status_code == 200
    assert "邻居" in listing.content.decode()
    # Staff without the role see neither the queue nor the list.
    plain = User.objects.create_user("obj-plain", is_staff=True)
    client.force_login(plain)
    assert "assessment.objections_overdue" not in client.get(reverse("admin:index")).content.decode()
    assert client.get(_overdue_queue().url(today)).status_code == 403
