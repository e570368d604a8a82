"""The workflow services: application, acceptance, assignment, visit, notice, conclusion, fees (SPEC 4.1-4.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import services
from assessment.models import Application, AssessmentFee, Assignment, Conclusion, ConclusionEvent
from assessment.services.conclusions import AssessmentError
from assessment.services.review import application_conclude, application_publish_notice
from assessment.states import TransitionError, application_transition
from settlement.models import LedgerEntry
from settlement.services.fund import reconcile
from tests.assessment.conftest import FULL, MODERATE, NOTHING, make_assessors, make_institution, make_person

D = dt.date
PDF = b"%PDF-1.4\n%fake\n"


def submit(person, **kw):
    kw.setdefault("applied_on", D(2025, 9, 1))
    kw.setdefault("disability_since", D(2025, 1, 1))
    return services.application_submit(person=person, **kw)


@pytest.fixture
def team(agency):
    care = make_institution("YL01", type_="elderly_care")
    people = make_assessors(
        agency,
        [
            ("李医生", True, []),
            ("王医生", True, [care]),
            ("赵评估", False, []),
            ("钱评估", False, [care]),
            ("孙评估", False, []),
        ],
    )
    return care, people


def test_submission_with_documents_is_stored(person):
    doc = SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf")
    app = submit(person, documents=[doc], applied_by="agent", agent_name="张小三")
    assert app.state == "submitted" and app.documents.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.exe", b"MZ", "文件“a.exe”类型不支持：只接受 PDF、JPG、PNG 文件。"),
        ("a.pdf", b"GIF89a", "文件“a.pdf”的内容与扩展名不符。"),
        ("a.png", b"", "文件“a.png”是空文件。"),
    ],
)
def test_bad_documents_are_refused_with_a_reason(person, name, content, message):
    with pytest.raises(AssessmentError) as exc:
        submit(person, documents=[SimpleUploadedFile(name, content)])
    assert str(exc.value) == message
    assert not Application.objects.exists()


def test_document_over_10_mb_is_refused(person):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(AssessmentError, match="超过 10 MB"):
        submit(person, documents=[big])


def test_not_insured_person_is_refused(xuzhou):
    p = make_person(insured_from=None, paid_years=())
    with pytest.raises(AssessmentError, match="未参加长期护理保险"):
        submit(p)


def test_person_in_arrears_is_refused(xuzhou):
    p = make_person(paid_years=(2024,), arrears_years=(2025,))
    with pytest.raises(AssessmentError, match="长期护理保险费欠缴"):
        submit(p)


def test_disability_shorter_than_six_months_is_refused(person):
    with pytest.raises(AssessmentError) as exc:
        submit(person, disability_since=D(2025, 3, 2))
    assert str(exc.value) == "失能状态须持续6个月以上方可申请（失能起始日期2025年03月02日）。"
    submit(person, disability_since=D(2025, 3, 1))  # exactly six months is enough


def test_second_open_application_is_refused(person):
    first = submit(person)
    with pytest.raises(AssessmentError, match=f"已有正在办理的评估申请（{first.number}，已提交）"):
        submit(person)


def test_return_needs_a_reason_and_frees_the_person(person):
    app = submit(person)
    with pytest.raises(AssessmentError, match="退回原因"):
        services.application_return(application=app, reason=" ")
    services.application_return(application=app, reason="缺少病历")
    assert Application.objects.get(pk=app.pk).return_reason == "缺少病历"
    submit(person)


def test_impossible_transition_is_refused(person):
    app = submit(person)
    with pytest.raises(TransitionError, match="不能变更为“已办结”"):
        application_transition(application=app, to="final")


def _accepted(person, care=None):
    app = submit(person, care_institution=care)
    return services.application_accept(application=app, on=D(2025, 9, 2))


def test_pair_has_a_medical_professional_no_conflict_and_is_reproducible(person, agency, team):
    care, people = team
    linked = {people[1].pk, people[3].pk}
    pairs = set()
    for seed in range(30):
        app = _accepted(make_person(), care)
        pair = services.application_assign(application=app, agency=agency, seed=seed)
        ids = {a.assessor_id for a in pair}
        assert len(ids) == 2 and not ids & linked
        assert any(a.assessor.medical_professional for a in pair)
        pairs.add(frozenset(ids))
        again = services.assignment.assign_pair  # same seed, same pair on a fresh application
        app2 = _accepted(make_person(), care)
        assert {a.assessor_id for a in again(application=app2, agency=agency, seed=seed)} == ids
    assert len(pairs) > 1  # random, not fixed


def test_agency_without_medical_professional_cannot_be_assigned(person, xuzhou):
    agency = make_institution("PG9")
    make_assessors(agency, [("甲", False, []), ("乙", False, [])])
    app = _accepted(person)
    with pytest.raises(AssessmentError, match="没有可派的医学专业评估人员"):
        services.application_assign(application=app, agency=agency)


def test_decline_brings_a_replacement_keeping_a_medical_professional(person, agency, team):
    app = _accepted(person)
    pair = services.application_assign(application=app, agency=agency, seed=1)
    medical = next(a for a in pair if a.assessor.medical_professional)
    other = next(a for a in pair if a is not medical)
    new = services.assignment_decline(assignment=medical, reason="回避")
    assert new.round == medical.round and new.assessor_id not in {medical.assessor_id, other.assessor_id}
    live = Assignment.objects.filter(application=app, state="assigned")
    assert live.count() == 2 and any(a.assessor.medical_professional for a in live)


VISITED = D(2025, 9, 25)


def _assessed(person, agency, items=MODERATE, visited=VISITED):
    app = _accepted(person)
    pair = services.application_assign(application=app, agency=agency, seed=3)
    services.visit_record(assignment=pair[0], items=items, visited_on=visited, notes="家中")
    services.visit_confirm(assignment=pair[0])
    assert Application.objects.get(pk=app.pk).state == "assigned"  # one confirmation is not enough
    services.visit_confirm(assignment=pair[1])
    return Application.objects.get(pk=app.pk)


def test_grade_is_computed_and_a_draft_conclusion_created(person, agency, team):
    app = _assessed(person, agency)
    draft = Conclusion.objects.get(application=app)
    assert (app.state, draft.state, draft.grade, draft.adl) == ("assessed", "draft", 2, 50)


def test_invalid_item_names_the_item_in_chinese(person, agency, team):
    app = _accepted(person)
    pair = services.application_assign(application=app, agency=agency, seed=3)
    with pytest.raises(AssessmentError, match="条目“进食”：item 'eating': 7 is not an allowed value"):
        services.visit_record(assignment=pair[0], items={**FULL, "eating": 7}, visited_on=D(2025, 9, 25))


def test_notice_spans_five_working_days_across_national_day(person, agency, team):
    app = _assessed(person, agency)
    # Published Friday 2025-09-26: working days 9-28 (swapped Sunday), 9-29, 9-30, then after the National
    # Day holidays 10-01..10-08: 10-09, 10-10. The swapped Saturday 10-11 is a working day to conclude on.
    conclusion = application_publish_notice(application=app, on=D(2025, 9, 26))
    assert (conclusion.notice_from, conclusion.notice_until) == (D(2025, 9, 28), D(2025, 10, 10))
    with pytest.raises(AssessmentError, match="公示期至2025年10月10日"):
        application_conclude(application=app, on=D(2025, 10, 10))
    final = application_conclude(application=app, on=D(2025, 10, 11))
    assert (final.state, final.concluded_on, final.valid_until) == ("final", D(2025, 10, 11), D(2027, 10, 10))
    assert final.review_deadline == D(2025, 10, 17)
    fee = AssessmentFee.objects.get(application=app)
    assert (fee.kind, fee.payer, fee.amount) == ("first", "fund", Decimal("200.00"))
    assert LedgerEntry.objects.get(reference=f"assessment_fee:{fee.pk}").amount == Decimal("-200.00")
    assert reconcile()[0] == []  # the fee reached the fund ledger in the conclusion's transaction
    assert ConclusionEvent.objects.get(conclusion=final).kind == "final"
    assert Application.objects.get(pk=app.pk).state == "final"


def test_open_objection_blocks_conclusion_and_upheld_one_sends_a_new_pair(person, agency, team):
    app = _assessed(person, agency)
    application_publish_notice(application=app, on=D(2025, 9, 26))
    objection = services.objection_raise(
        application=app, raised_on=D(2025, 9, 29), raised_by="邻居", reason="不符"
    )
    with pytest.raises(AssessmentError, match="未处理的异议"):
        application_conclude(application=app, on=D(2025, 10, 14))
    first_pair = set(app.assignments.values_list("assessor_id", flat=True))
    services.objection_resolve(objection=objection, upheld=True, resolution="重新评估", on=D(2025, 9, 30))
    app.refresh_from_db()
    second = set(app.assignments.filter(round=2).values_list("assessor_id", flat=True))
    assert app.state == "assigned" and len(second) == 2 and not second & first_pair
    assert app.conclusions.get().state == "revoked"


def test_missing_fee_standard_stops_conclusion_with_a_clear_message(person, agency, team):
    from ltci.core.models import PolicyRecord

    PolicyRecord.objects.filter(kind="assessment_fee", key="first").update(value=None)
    app = _assessed(person, agency)
    application_publish_notice(application=app, on=D(2025, 9, 26))
    with pytest.raises(AssessmentError, match=r"评估费标准（首次评估）尚未录入"):
        application_conclude(application=app, on=D(2025, 10, 14))
    assert Conclusion.objects.get(application=app).state == "notice"  # nothing half-written


def _final(person, agency, items=MODERATE):
    app = _assessed(person, agency, items=items)
    application_publish_notice(application=app, on=D(2025, 9, 26))
    return application_conclude(application=app, on=D(2025, 10, 14))


def test_review_confirming_the_grade_is_paid_by_the_applicant_and_uses_a_new_pair(person, agency, team):
    original = _final(person, agency)
    with pytest.raises(AssessmentError, match="复核申请期限已于2025年10月21日届满"):
        services.review_request(conclusion=original, requested_on=D(2025, 10, 22), reason="不服")
    review = services.review_request(conclusion=original, requested_on=D(2025, 10, 20), reason="不服")
    pair = services.application_assign(application=review, agency=agency, seed=8)
    first_ids = set(original.application.assignments.values_list("assessor_id", flat=True))
    assert not {a.assessor_id for a in pair} & first_ids
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 10, 27))
    for a in pair:
        services.visit_confirm(assignment=a)
    review.refresh_from_db()
    assert review.state == "final"
    fee = AssessmentFee.objects.get(application=review)
    assert (fee.kind, fee.payer) == ("review", "applicant")


def test_disputed_review_goes_to_the_committee_whose_grade_is_final(person, agency, team):
    original = _final(person, agency, items=NOTHING)  # grade 5
    review = services.review_request(conclusion=original, requested_on=D(2025, 10, 20), reason="不服")
    pair = services.application_assign(application=review, agency=agency, seed=8)
    services.visit_record(assignment=pair[0], items=MODERATE, visited_on=D(2025, 10, 27))
    for a in pair:
        services.visit_confirm(assignment=a)
    review.refresh_from_db()
    assert review.state == "committee"
    services.committee_decide(
        application=review, grade=3, decided_on=D(2025, 11, 3), members="专家甲、专家乙", reasoning="综合判断"
    )
    new = Conclusion.objects.get(application=review)
    assert (new.state, new.grade, new.concluded_on) == ("final", 3, D(2025, 11, 3))
    assert ConclusionEvent.objects.get(conclusion=new, kind="downgraded").previous_grade == 5
    assert AssessmentFee.objects.get(application=review).payer == "fund"


def test_reminders_and_expiry_are_created_once(person, agency, team):
    final = _final(person, agency)
    assert final.valid_until == D(2027, 10, 13)
    assert services.expiry_reminders_create(on=D(2027, 8, 13)) == 0  # 61 days before
    assert services.expiry_reminders_create(on=D(2027, 8, 14)) == 1  # 60 days before
    assert services.expiry_reminders_create(on=D(2027, 8, 15)) == 0
    final.refresh_from_db()
    assert final.reminder.remind_on == D(2027, 8, 14)
    assert services.conclusions_expire(on=D(2027, 10, 13)) == 0
    assert services.conclusions_expire(on=D(2027, 10, 14)) == 1
    assert services.conclusions_expire(on=D(2027, 10, 15)) == 0
    assert ConclusionEvent.objects.get(kind="expired").effective_on == D(2027, 10, 14)


def test_spot_check_sample_is_reproducible_by_seed(xuzhou):
    people = [make_person() for _ in range(8)]
    for p in people:
        Conclusion.objects.create(
            person=p, grade=3, concluded_on=D(2025, 1, 1), valid_until=D(2026, 12, 31), state="final"
        )
    spot = services.spot_check_order(on=D(2025, 6, 1), size=3, seed=42)
    chosen = sorted(spot.applications.values_list("person_id", flat=True))
    Application.objects.filter(spot_check=spot).update(state="withdrawn")
    again = services.spot_check_order(on=D(2025, 6, 1), size=3, seed=42)
    assert sorted(again.applications.values_list("person_id", flat=True)) == chosen
    assert {a.state for a in again.applications.all()} == {"accepted"}


def test_daily_task_is_safe_to_run_twice(xuzhou):
    from assessment.tasks import assessment_daily

    p = make_person()
    Conclusion.objects.create(
        person=p, grade=3, concluded_on=D(2023, 1, 1), valid_until=D(2024, 12, 31), state="final"
    )
    assert assessment_daily("2025-01-01") == {"reminders": 0, "expired": 1}
    assert assessment_daily("2025-01-01") == {"reminders": 0, "expired": 0}


def test_beat_migration_creates_the_daily_entry_once(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("assessment.migrations.0003_beat_schedule")
    migration.create(apps, None)  # a transactional test may have flushed the migrated row
    migration.create(apps, None)
    assert PeriodicTask.objects.filter(task="assessment.tasks.assessment_daily").count() == 1
