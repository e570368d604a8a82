import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from institutions import selectors, services
from institutions.errors import InstitutionError
from institutions.models import Agreement, Institution, InstitutionEvent, InsuranceNotice, Violation
from institutions.states import TransitionError
from institutions.tasks import agreement_daily_check

from . import helpers

D0 = dt.date


@pytest.fixture
def staff(db):
    return helpers.plain_user("officer", is_staff=True)


def test_full_pipeline_writes_an_audited_event_per_step(db, staff, xuzhou):
    inst = Institution.objects.create(code="XZ0100", name="甲", type="elderly_care", region_code="320302")
    services.institution_submit_review(institution=inst, actor=staff, reason="材料齐全")
    services.institution_pass_review(institution=inst, actor=staff, reason="资格符合")
    agreement = services.agreement_sign(
        institution=inst,
        valid_from=D0(2026, 1, 1),
        valid_to=D0(2027, 12, 31),
        care_forms=["residential"],
        insurance_expires_on=D0(2026, 12, 31),
        price_life=D("58.00"),
        actor=staff,
        reason="现场评估合格",
        on=D0(2026, 1, 1),
    )
    inst.refresh_from_db()
    assert inst.status == "active" and agreement.state == "active"
    events = list(
        InstitutionEvent.objects.filter(institution=inst)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "reason", "actor__username")
    )
    assert events == [
        ("submit_review", "applied", "qualification_review", "材料齐全", "officer"),
        ("pass_review", "qualification_review", "onsite_evaluation", "资格符合", "officer"),
        ("sign", "onsite_evaluation", "active", "现场评估合格", "officer"),
    ]


def test_impossible_transitions_are_refused_with_a_clear_message(db, staff):
    inst = helpers.institution(active=False)
    with pytest.raises(TransitionError) as exc:
        services.institution_suspend(institution=inst, actor=staff, reason="x")
    assert str(exc.value) == f"机构{inst.code}当前状态为“已申请”，不能执行“暂停定点”（变更为“暂停定点”）"
    with pytest.raises(TransitionError, match="不能执行“签订服务协议”"):
        services.agreement_sign(
            institution=inst,
            valid_from=D0(2026, 1, 1),
            valid_to=D0(2026, 12, 31),
            care_forms=[],
            insurance_expires_on=D0(2026, 12, 31),
            actor=staff,
            reason="x",
            on=D0(2026, 1, 1),
        )
    assert not Agreement.objects.filter(institution=inst).exists()
    with pytest.raises(TransitionError, match="请填写变更原因"):
        services.institution_submit_review(institution=inst, actor=staff, reason=" ")


def test_agreement_cannot_be_signed_with_expired_insurance_or_price_above_standard(db, staff, xuzhou):
    inst = helpers.institution(active=False)
    services.institution_submit_review(institution=inst, actor=staff, reason="a")
    services.institution_pass_review(institution=inst, actor=staff, reason="b")
    with pytest.raises(InstitutionError) as exc:
        services.agreement_sign(
            institution=inst,
            valid_from=D0(2026, 1, 1),
            valid_to=D0(2026, 12, 31),
            care_forms=["residential"],
            insurance_expires_on=D0(2026, 2, 28),
            actor=staff,
            reason="c",
            on=D0(2026, 3, 1),
        )
    assert exc.value.message == "第三方责任保险已于2026-02-28到期，不能签订或恢复协议"
    assert exc.value.field == "insurance_expires_on"
    with pytest.raises(InstitutionError, match="超过现行支付标准60.00元"):
        services.agreement_sign(
            institution=inst,
            valid_from=D0(2026, 1, 1),
            valid_to=D0(2026, 12, 31),
            care_forms=["residential"],
            insurance_expires_on=D0(2026, 12, 31),
            price_life=D("61.00"),
            actor=staff,
            reason="c",
            on=D0(2026, 1, 1),
        )
    inst.refresh_from_db()
    assert inst.status == "onsite_evaluation" and not inst.agreements.exists()


def test_suspension_and_reinstatement_cut_agreement_days(db, staff):
    inst = helpers.institution(valid_from=D0(2026, 1, 1))
    services.institution_suspend(institution=inst, actor=staff, reason="检查", on=D0(2026, 3, 10))
    assert selectors.active_agreement(institution=inst, on=D0(2026, 3, 10)) is None
    assert selectors.active_agreement(institution=inst, on=D0(2026, 3, 9)) is not None
    services.institution_reinstate(institution=inst, actor=staff, reason="整改完成", on=D0(2026, 3, 20))
    days = selectors.agreement_days(institution_ids=[inst.pk], start=D0(2026, 3, 1), end=D0(2026, 3, 31))
    assert [(a, b) for a, b, _ in days[inst.pk]] == [
        (D0(2026, 3, 1), D0(2026, 3, 9)),
        (D0(2026, 3, 20), D0(2026, 3, 31)),
    ]
    services.institution_terminate(institution=inst, actor=staff, reason="严重违规", on=D0(2026, 4, 15))
    days = selectors.agreement_days(institution_ids=[inst.pk], start=D0(2026, 4, 1), end=D0(2026, 4, 30))
    assert [(a, b) for a, b, _ in days[inst.pk]] == [(D0(2026, 4, 1), D0(2026, 4, 14))]
    inst.refresh_from_db()
    assert inst.status == "terminated"
    with pytest.raises(TransitionError):
        services.institution_reinstate(institution=inst, actor=staff, reason="x")


def test_renewal_starts_the_day_after_and_keeps_prices(db, staff, xuzhou):
    inst = helpers.institution(
        valid_from=D0(2025, 1, 1),
        valid_to=D0(2025, 12, 31),
        insurance=D0(2026, 12, 31),
        price_life=D("55.00"),
    )
    old = inst.agreements.get()
    new = services.agreement_renew(
        agreement=old,
        valid_to=D0(2027, 12, 31),
        insurance_expires_on=D0(2027, 12, 31),
        actor=staff,
        reason="续签",
        on=D0(2025, 12, 1),
    )
    assert (new.valid_from, new.price_life, new.renews) == (D0(2026, 1, 1), D("55.00"), old)
    assert selectors.active_agreement(institution=inst, on=D0(2026, 6, 1)) == new
    assert selectors.active_agreement(institution=inst, on=D0(2025, 6, 1)) == old


def test_insurance_check_warns_30_days_ahead_then_suspends_and_is_safe_to_rerun(db):
    inst = helpers.institution(valid_from=D0(2026, 1, 1), insurance=D0(2026, 6, 30))
    assert services.insurance_check(on=D0(2026, 5, 30)) == {"warned": 0, "suspended": 0}
    assert services.insurance_check(on=D0(2026, 5, 31)) == {"warned": 1, "suspended": 0}
    assert services.insurance_check(on=D0(2026, 6, 1)) == {"warned": 0, "suspended": 0}
    assert selectors.active_agreement(institution=inst, on=D0(2026, 6, 30)) is not None
    assert agreement_daily_check("2026-07-01") == {"warned": 0, "suspended": 1, "expired": 0}
    assert agreement_daily_check("2026-07-01") == {"warned": 0, "suspended": 0, "expired": 0}
    inst.refresh_from_db()
    assert inst.status == "suspended"
    assert list(InsuranceNotice.objects.values_list("kind", flat=True).order_by("kind")) == [
        "suspended",
        "warning",
    ]
    assert selectors.active_agreement(institution=inst, on=D0(2026, 7, 1)) is None
    with pytest.raises(InstitutionError, match="请先登记续保再恢复定点"):
        services.institution_reinstate(institution=inst, actor=None, reason="x", on=D0(2026, 7, 2))
    services.agreement_set_insurance(agreement=inst.agreements.get(), expires_on=D0(2027, 6, 30), actor=None)
    services.institution_reinstate(institution=inst, actor=None, reason="已续保", on=D0(2026, 7, 5))
    days = selectors.agreement_days(institution_ids=[inst.pk], start=D0(2026, 6, 28), end=D0(2026, 7, 6))
    assert [(a, b) for a, b, _ in days[inst.pk]] == [
        (D0(2026, 6, 28), D0(2026, 6, 30)),
        (D0(2026, 7, 5), D0(2026, 7, 6)),
    ]


def test_violation_with_suspension_suspends_and_amounts_are_recoverable_until_deducted(db, staff):
    inst = helpers.institution()
    other = helpers.institution()
    pdf = SimpleUploadedFile("record.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    services.violation_record(
        institution=inst,
        type="false_records",
        description="虚构服务记录3条",
        found_on=D0(2026, 5, 10),
        action="suspension",
        amount_to_recover=D("1200.00"),
        penalty=D("300.00"),
        actor=staff,
        evidence=[pdf],
    )
    services.violation_record(
        institution=other,
        type="service_quality",
        description="整改",
        found_on=D0(2026, 5, 12),
        action="rectification",
        amount_to_recover=D("10.00"),
        actor=staff,
    )
    inst.refresh_from_db()
    assert inst.status == "suspended"
    assert Violation.objects.get(institution=inst).evidence.count() == 1
    assert selectors.recoverable_amounts(institution_ids=[inst.pk, other.pk], until=D0(2026, 5, 31)) == {
        inst.pk: D("1500.00"),
        other.pk: D("10.00"),
    }
    assert selectors.recoverable_amounts(institution_ids=[inst.pk], until=D0(2026, 5, 9)) == {}
    services.violations_mark_deducted(institution_ids=[inst.pk], until=D0(2026, 5, 31), period="2026-05")
    assert selectors.recoverable_amounts(institution_ids=[inst.pk], until=D0(2026, 6, 30)) == {}


def test_violation_with_bad_evidence_or_negative_amount_writes_nothing(db, staff):
    inst = helpers.institution()
    exe = SimpleUploadedFile("x.exe", b"MZ....", content_type="application/octet-stream")
    with pytest.raises(InstitutionError, match="类型不支持"):
        services.violation_record(
            institution=inst,
            type="other",
            description="d",
            found_on=D0(2026, 5, 1),
            action="termination",
            actor=staff,
            evidence=[exe],
        )
    with pytest.raises(InstitutionError, match="违约金不能为负数"):
        services.violation_record(
            institution=inst,
            type="other",
            description="d",
            found_on=D0(2026, 5, 1),
            action="termination",
            penalty=D("-1"),
            actor=staff,
        )
    inst.refresh_from_db()
    assert inst.status == "active" and not Violation.objects.exists()


def test_violation_with_termination_terminates(db, staff):
    inst = helpers.institution()
    services.violation_record(
        institution=inst,
        type="other",
        description="d",
        found_on=D0(2026, 5, 1),
        action="termination",
        actor=staff,
    )
    inst.refresh_from_db()
    assert inst.status == "terminated" and inst.agreements.get().terminated_on == D0(2026, 5, 1)


def test_appraisal_total_gives_release_rate_from_policy_table(db, staff, xuzhou):
    inst = helpers.institution()
    appraisal = services.appraisal_record(
        institution=inst,
        year=2025,
        actor=staff,
        scores=[("服务质量", D(40), D("35.5")), ("管理规范", D(30), D(25)), ("满意度", D(30), D(24))],
    )
    assert (appraisal.total, appraisal.release_rate) == (D("84.50"), D("0.80"))
    again = services.appraisal_record(
        institution=inst, year=2025, actor=staff, scores=[("服务质量", D(100), D(59))]
    )
    assert (again.pk, again.total, again.release_rate, again.scores.count()) == (appraisal.pk, D(59), D(0), 1)
    with pytest.raises(InstitutionError, match="超出该指标分值范围"):
        services.appraisal_record(institution=inst, year=2024, actor=staff, scores=[("a", D(10), D(11))])


def test_bed_end_refused_below_occupied_and_capacity_is_per_day(db):
    inst = helpers.institution(beds=2, valid_from=D0(2026, 1, 1))
    bed = inst.beds.order_by("label").last()

    residents = helpers.occupy(inst, since=D0(2026, 1, 1))
    with pytest.raises(InstitutionError, match="少于2026-03-01在住人数2人"):
        services.bed_end(bed=bed, registered_to=D0(2026, 2, 28))
    residents.filter(bed=bed).update(end=D0(2026, 3, 2))  # 03-01 is still a bed-day of this stay
    with pytest.raises(InstitutionError, match="少于2026-03-01在住人数2人"):
        services.bed_end(bed=bed, registered_to=D0(2026, 2, 28))
    residents.filter(bed=bed).update(end=D0(2026, 3, 1))  # the discharge day is free
    services.bed_end(bed=bed, registered_to=D0(2026, 2, 28))
    assert selectors.registered_bed_count(institution=inst, on=D0(2026, 2, 28)) == 2
    assert selectors.registered_bed_count(institution=inst, on=D0(2026, 3, 1)) == 1


def test_agreed_price_none_means_the_standard(db, xuzhou):
    inst = helpers.institution(price_medical=D("45.00"))  # a price needs the policy's ceiling (issue 14)
    agreement = inst.agreements.get()
    assert selectors.agreed_price(agreement, "life") is None
    assert selectors.agreed_price(agreement, "medical") == D("45.00")
    with pytest.raises(ValueError):
        selectors.agreed_price(agreement, "food")
