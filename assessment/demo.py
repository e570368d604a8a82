"""Demo data for assessment: agencies' assessors with portal logins, conclusions, applications in every state.

Idempotent: a second run finds the demo marker and changes nothing. Conclusions for about half of the
demo persons (grades weighted towards moderate and severe so benefits has cases to decide) arrive as an
import from an "earlier pilot"; a handful of persons go through the real workflow services to each state.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enrollment.models import Person
from institutions.models import Institution, InstitutionUser
from ltci.core.dates import CalendarMissing, add_working_days
from ltci.core.demo import DEMO_PASSWORD
from ltci.core.idnumber import make_id_number

from . import services
from .models import Application, Assessor, Conclusion
from .scales import get_scale
from .services.conclusions import AssessmentError, ImportedConclusion, conclusions_import_rows
from .services.review import application_conclude, application_publish_notice

MARKER = "[演示]"
GRADE_WEIGHTS = [(0, 4), (1, 8), (2, 30), (3, 26), (4, 17), (5, 15)]
ASSESSOR_NAMES = ["陈医生", "刘医生", "周评估", "吴评估", "郑评估", "冯医生", "褚评估", "卫评估"]
WORKFLOW_STATES = [
    "submitted",
    "returned",
    "accepted",
    "assigned",
    "assessed",
    "notice",
    "final",
    "committee",
    "withdrawn",
]
# Issue 19: conclusions whose public notice (公示) runs today, so the public list at /me/notice/ is not empty,
# and one objection by the person whose reassessment is overdue (复核超期 on the coordinator's dashboard).
NOTICE_TODAY, OBJECTION_OVERDUE = "on_notice", "objection"
EXTRA_TARGETS = [NOTICE_TODAY] * 4 + [OBJECTION_OVERDUE]


def _agencies() -> list[Institution]:
    agencies = list(Institution.objects.filter(type="assessment_agency").order_by("code")[:2])
    if not agencies:
        for code, name in (
            ("PG320300001", "徐州市长护失能评估中心"),
            ("PG320300002", "徐州康评评估服务有限公司"),
        ):
            agencies.append(
                Institution.objects.create(
                    code=code, name=name, type="assessment_agency", region_code="320302", status="active"
                )
            )
    return agencies


def _assessors(agencies, care_ids) -> None:
    User = get_user_model()
    serial = 900
    for a_index, agency in enumerate(agencies):
        for i, name in enumerate(ASSESSOR_NAMES):
            serial += 1
            national_id = make_id_number("320302", dt.date(1975 + i, 3, 1 + a_index), serial)
            assessor, created = Assessor.objects.get_or_create(
                national_id=national_id,
                defaults={"agency": agency, "name": name, "medical_professional": name.endswith("医生")},
            )
            if created and i == 4 and care_ids:
                assessor.linked_institutions.set(care_ids[:1])
            if i < 2:
                username = f"assessor{a_index + 1}{'ab'[i]}"
                user, made = User.objects.get_or_create(username=username, defaults={"first_name": name})
                if made:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                InstitutionUser.objects.get_or_create(
                    user=user, defaults={"institution": agency, "role": InstitutionUser.Role.ASSESSOR}
                )
                if assessor.user_id is None:
                    assessor.user = user
                    assessor.save()


def _items_for_grade(rng: random.Random, grade: int) -> dict:
    """Return random item scores that grade to ``grade`` (tries until one does)."""
    scale = get_scale()
    if grade == 0:
        return {key: max(item.allowed) for key, item in scale.items.items()}
    for _ in range(4000):
        level = rng.random()
        items = {}
        for key, item in scale.items.items():
            allowed = item.allowed
            items[key] = allowed[min(len(allowed) - 1, int(rng.random() * len(allowed) * (0.3 + level)))]
        if scale.grade(items).grade == grade:
            return items
    return {key: 0 for key in scale.items}


def _weighted_grade(rng: random.Random) -> int:
    total = sum(w for _, w in GRADE_WEIGHTS)
    pick = rng.uniform(0, total)
    for grade, weight in GRADE_WEIGHTS:
        pick -= weight
        if pick <= 0:
            return grade
    return 5


def _conclusions(persons, rng, today) -> int:
    rows = []
    for index, person in enumerate(persons):
        concluded = today - dt.timedelta(days=rng.randint(30, 600))
        rows.append(
            (
                index + 2,
                ImportedConclusion(
                    national_id=person.national_id,
                    grade=_weighted_grade(rng),
                    concluded_on=concluded,
                    valid_until=None,
                    agency_code="",
                ),
            )
        )
    applied, _unchanged, _errors = conclusions_import_rows(rows, today=today)
    return applied


def _walk(person, target, agency, care, rng, today) -> None:
    """Take one person's application through the services to ``target`` (AssessmentError if refused)."""
    applied_on = today - dt.timedelta(days=40)
    applied_by = rng.choice(["self", "agent", "staff", "institution"] if care else ["self", "agent", "staff"])
    by_institution = applied_by == "institution"
    app = services.application_submit(
        person=person,
        applied_on=applied_on,
        disability_since=applied_on - dt.timedelta(days=300),
        applied_by=applied_by,
        agent_name="家属" if applied_by == "agent" else "",
        care_institution=care,
        applying_institution=care if by_institution else None,
        channel="portal" if by_institution else "counter",
        reason=f"{MARKER} 长期卧床",
    )
    if target == "submitted":
        return
    if target == "returned":
        services.application_return(application=app, reason=f"{MARKER} 缺少二级以上医院诊断证明")
        return
    if target == "withdrawn":
        services.application_withdraw(application=app, reason="本人撤回")
        return
    services.application_accept(application=app, on=applied_on + dt.timedelta(days=1))
    if target == "accepted":
        return
    pair = services.application_assign(application=app, agency=agency)
    if target == "assigned":
        return
    grade = _weighted_grade(rng)
    services.visit_record(
        assignment=pair[0],
        items=_items_for_grade(rng, grade),
        visited_on=applied_on + dt.timedelta(days=8),
        notes="现场评估，家属在场",
        present="本人、家属",
    )
    for assignment in pair:
        services.visit_confirm(assignment=assignment)
    if target == "assessed":
        return
    if target == NOTICE_TODAY:
        # Published three days ago: the notice runs from the next working day for the policy's working days,
        # so it includes today on every weekday and weekend (not inside a week-long holiday).
        application_publish_notice(application=app, on=today - dt.timedelta(days=3))
        return
    conclusion = application_publish_notice(application=app, on=applied_on + dt.timedelta(days=10))
    if target == "notice":
        return
    if target == OBJECTION_OVERDUE:
        assert conclusion.notice_from is not None  # just published
        services.objection_raise(
            application=app,
            raised_on=conclusion.notice_from,
            raised_by=f"{person.name}（本人）",
            reason=f"{MARKER} 认为失能程度更重",
            channel=Application.Channel.ONLINE,
            reassess=True,
        )
        return
    conclusion = application_conclude(application=app, on=today - dt.timedelta(days=3))
    if target == "final":
        return
    review = services.review_request(
        conclusion=conclusion, requested_on=conclusion.concluded_on, reason=f"{MARKER} 对等级有异议"
    )
    review_pair = services.application_assign(application=review, agency=agency)
    other = (conclusion.grade + 1) % 6
    services.visit_record(
        assignment=review_pair[0], items=_items_for_grade(rng, other), visited_on=today - dt.timedelta(days=1)
    )
    for assignment in review_pair:
        services.visit_confirm(assignment=assignment)


def _walk_anchor(today: dt.date) -> dt.date:
    """The day the demo workflows end: today, unless their notice periods would run into a year whose holiday
    schedule is not known yet (late December before staff enter it); then 1 December of the last such year."""
    for back in range(4):
        anchor = today if back == 0 else dt.date(today.year - back, 12, 1)
        try:
            add_working_days(anchor, 15)
        except CalendarMissing:
            continue
        return anchor
    return today


def seed(*, persons, rng, stdout):
    if Application.objects.filter(reason__startswith=MARKER).exists():
        stdout.write("assessment: demo data already present")
        return
    today = timezone.localdate()
    local = random.Random(rng.randint(0, 10**9))
    with transaction.atomic():
        agencies = _agencies()
        care_ids = list(
            Institution.objects.exclude(type="assessment_agency").values_list("pk", flat=True)[:5]
        )
        _assessors(agencies, care_ids)
        people = list(Person.objects.filter(died_on__isnull=True).order_by("id")[: max(persons, 40)])
        half = people[: len(people) // 2]
        imported = _conclusions(half, local, today)
        walkers = [p for p in people[len(people) // 2 :] if not Conclusion.objects.filter(person=p).exists()]
        done = {}
        walk_day = _walk_anchor(today)
        care = Institution.objects.filter(pk__in=care_ids).first()
        for target in WORKFLOW_STATES + EXTRA_TARGETS + WORKFLOW_STATES:
            while walkers:
                person = walkers.pop()
                agency = agencies[len(done) % len(agencies)]
                try:
                    with transaction.atomic():
                        _walk(person, target, agency, care, local, walk_day)
                except AssessmentError:
                    continue
                done[target] = done.get(target, 0) + 1
                break
        services.expiry_reminders_create(on=today)
    stdout.write(f"assessment: {imported} conclusions, applications by state {done}")


def login_lines(base_url):
    return [
        f"评估员门户: {base_url}/portal/assessments/  assessor1a / assessor1b / assessor2a（密码 {DEMO_PASSWORD}）"
    ]
