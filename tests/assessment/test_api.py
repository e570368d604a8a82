"""Assessors' API: the same work as the portal, scoped to the assessor's own tasks."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from assessment import services
from assessment.models import Application
from institutions.models import InstitutionUser
from tests.assessment.conftest import FULL, MODERATE, make_assessors, make_institution, make_person

D = dt.date
User = get_user_model()


@pytest.fixture
def task(agency):
    make_assessors(agency, [("李医生", True, []), ("赵评估", False, []), ("孙评估", False, [])])
    app = services.application_submit(
        person=make_person(), applied_on=D(2025, 9, 1), disability_since=D(2025, 1, 1)
    )
    services.application_accept(application=app, on=D(2025, 9, 2))
    return services.application_assign(application=app, agency=agency, seed=2)


def client_for(assessor, institution):
    user = User.objects.create_user(f"api-{assessor.pk}")
    InstitutionUser.objects.create(user=user, institution=institution, role="assessor")
    assessor.user = user
    assessor.save()
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_assessor_lists_records_and_confirms(agency, task):
    first, second = task
    api = client_for(first.assessor, agency)
    listed = api.get("/api/v1/assessment-tasks/").json()
    assert [t["id"] for t in listed["results"]] == [first.pk]
    response = api.post(
        f"/api/v1/assessment-tasks/{first.pk}/visit/",
        {"visited_on": "2025-09-25", "items": MODERATE},
        format="json",
    )
    assert response.status_code == 200 and response.json()["grade"] == 2
    assert api.post(f"/api/v1/assessment-tasks/{first.pk}/confirm/").json()["state"] == "confirmed"
    client_for(second.assessor, agency).post(f"/api/v1/assessment-tasks/{second.pk}/confirm/")
    assert Application.objects.get(pk=first.application_id).state == "assessed"


def test_grade_in_the_input_is_not_accepted_and_bad_item_is_named(agency, task):
    api = client_for(task[0].assessor, agency)
    response = api.post(
        f"/api/v1/assessment-tasks/{task[0].pk}/visit/",
        {"visited_on": "2025-09-25", "items": {**FULL, "grade": 5}},
        format="json",
    )
    assert response.status_code == 400
    assert "unknown item 'grade'" in response.json()["errors"]["non_field_errors"][0]


def test_other_assessors_and_agencies_get_404(agency, task):
    first, _ = task
    outsider = next(
        a for a in first.application.agency.assessors.all() if a.pk not in {t.assessor_id for t in task}
    )
    assert client_for(outsider, agency).get(f"/api/v1/assessment-tasks/{first.pk}/visit/").status_code == 404
    other = make_institution("PG8")
    (stranger,) = make_assessors(other, [("外", True, [])])
    api = client_for(stranger, other)
    assert api.post(f"/api/v1/assessment-tasks/{first.pk}/confirm/").status_code == 404
    assert api.get("/api/v1/assessment-tasks/").json()["results"] == []


def test_anonymous_and_staff_are_refused(task):
    assert APIClient().get("/api/v1/assessment-tasks/").status_code in (401, 403)
    staff = APIClient()
    staff.force_authenticate(User.objects.create_user("staff", is_staff=True))
    assert staff.get("/api/v1/assessment-tasks/").status_code == 403
