"""Isolation rules for the assessors' portal pages (tests/institutions/test_isolation.py runs them)."""

import datetime as dt

from tests.institutions.isolation import Rule

AGENCY = "assessment_agency"


def _world_task(world):
    """Give the agency's assessor login an Assessor record and a task of the agency; return the task."""
    from assessment.models import Application, Assessor, Assignment
    from enrollment.models import Person
    from ltci.core.idnumber import make_id_number, parse_id_number

    user = world.users[("agency", "assessor")]
    assessor, _ = Assessor.objects.get_or_create(
        national_id=make_id_number("320302", dt.date(1980, 1, 1), 771),
        defaults={
            "agency": world.agency,
            "name": "隔离测试评估员",
            "medical_professional": True,
            "user": user,
        },
    )
    partner, _ = Assessor.objects.get_or_create(
        national_id=make_id_number("320302", dt.date(1980, 1, 1), 773),
        defaults={"agency": world.agency, "name": "隔离测试搭档"},
    )
    number = make_id_number("320302", dt.date(1940, 1, 1), 775)
    info = parse_id_number(number)
    person, _ = Person.objects.get_or_create(
        national_id=number,
        defaults={
            "name": "隔离测试申请人",
            "birth_date": info.birth_date,
            "sex": info.sex,
            "insurance_type": "resident",
            "region_code": "320302",
        },
    )
    app, _ = Application.objects.get_or_create(
        person=person,
        defaults={"applied_on": dt.date(2025, 9, 1), "state": "assigned", "agency": world.agency},
    )
    task, _ = Assignment.objects.get_or_create(application=app, assessor=assessor, round=1)
    Assignment.objects.get_or_create(application=app, assessor=partner, round=1)
    return task


def _document(world):
    from django.core.files.base import ContentFile

    from assessment.models import ApplicationDocument, Visit, VisitPhoto

    task = _world_task(world)
    document = ApplicationDocument.objects.create(
        application=task.application, file=ContentFile(b"%PDF-1.4 iso", name="iso.pdf")
    )
    visit, _ = Visit.objects.get_or_create(
        application=task.application,
        round=1,
        defaults={
            "visited_on": dt.date(2025, 9, 5),
            "scale_version": "iso",
            "adl": 50,
            "cognition": 11,
            "perception": 11,
            "grade": 2,
        },
    )
    photo = VisitPhoto.objects.create(visit=visit, file=ContentFile(b"\x89PNG\r\n\x1a\niso", name="iso.png"))
    return document, photo


def _list(world):
    _world_task(world)
    return {}


def _task(world):
    return {"pk": _world_task(world).pk}


RULES = {
    "assessment_portal:tasks": Rule(roles={"assessor", "admin"}, owner_type=AGENCY, kwargs=_list),
    "assessment_portal:task": Rule(roles={"assessor"}, owner_type=AGENCY, kwargs=_task),
    "assessment_portal:task_confirm": Rule(
        roles={"assessor"}, owner_type=AGENCY, kwargs=_task, method="POST"
    ),
    "assessment_portal:task_decline": Rule(
        roles={"assessor"}, owner_type=AGENCY, kwargs=_task, method="POST"
    ),
    # Uploads: the agency's administrator and the assessors on the application (the applying care institution's
    # access is tested in tests/assessment/test_document_access.py).
    "assessment_portal:document": Rule(
        roles={"assessor", "admin", "clerk"},
        owner_type=AGENCY,
        kwargs=lambda world: {"pk": _document(world)[0].pk},
    ),
    "assessment_portal:photo": Rule(
        roles={"assessor", "admin"}, owner_type=AGENCY, kwargs=lambda world: {"pk": _document(world)[1].pk}
    ),
    # A care institution's own applications on behalf of persons (list + apply form; POST is the form).
    "assessment_portal:applications": Rule(roles={"admin", "clerk"}),
    "api-assessment-tasks": Rule(roles={"assessor"}, owner_type=AGENCY, kwargs=_list),
    "api-assessment-task-visit": Rule(roles={"assessor"}, owner_type=AGENCY, kwargs=_task, method="POST"),
    "api-assessment-task-confirm": Rule(roles={"assessor"}, owner_type=AGENCY, kwargs=_task, method="POST"),
    "api-assessment-task-decline": Rule(roles={"assessor"}, owner_type=AGENCY, kwargs=_task, method="POST"),
}
