"""Texts from Python code (service refusals, admin actions and messages) follow the chosen language.

Chinese is the source language: by default every text stays the Chinese msgid; under English the catalog
gives the English text. PDFs stay Chinese whatever the language.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from enrollment.services.fund import validate_manual_income
from institutions import services
from institutions.errors import InstitutionError
from institutions.models import Institution, InsuranceNotice
from institutions.states import ACTIONS
from ltci.core.dates import display_date
from settlement.rules import codes_text, reason_text
from tests.institutions.helpers import PASSWORD, institution

pytestmark = pytest.mark.django_db


def refusal(call) -> str:
    with pytest.raises(InstitutionError) as exc:
        call()
    return exc.value.message


def test_institution_service_refusal_is_chinese_by_default_and_english_when_chosen():
    inst = institution()

    def reject():
        services.institution_reject(institution=inst, actor=None, reason="不符合条件")

    assert refusal(reject) == "只有申请中的机构可以不予准入；已签约机构请使用“解除协议”"
    with translation.override("en"):
        assert refusal(reject) == (
            "Only applying institutions can be refused admission; for institutions with "
            "an agreement use “Terminate agreement”"
        )


def test_service_error_with_placeholders_is_translated_with_its_values():
    inst = institution()

    def create(username, role):
        return lambda: services.institution_user_create(
            institution=inst, username=username, password=PASSWORD, role=role
        )

    with translation.override("en"):
        assert refusal(create("", "admin")) == "Please enter the username"
        assert refusal(create("u1", "boss")) == "Unknown role: boss"
    assert refusal(create("u1", "boss")) == "未知的角色：boss"


def test_transition_refusal_names_state_and_action_in_the_chosen_language():
    inst = Institution.objects.create(
        code="I18N1", name="语言测试机构", type="elderly_care", region_code="320302", credit_code=""
    )

    def reinstate():
        services.institution_reinstate(institution=inst, actor=None, reason="恢复")

    assert refusal(reinstate) == "机构I18N1当前状态为“已申请”，不能执行“恢复定点”（变更为“协议生效”）"
    with translation.override("en"):
        assert refusal(reinstate) == (
            "Institution I18N1 is “Applied”; “Reinstate designation” is not possible "
            "(change to “Agreement in force”)"
        )


def test_enrollment_fund_income_errors_follow_the_language():
    kwargs = {
        "source": "donation",
        "amount": Decimal("-1"),
        "booked_on": dt.date(2026, 1, 5),
        "donor": "",
        "purpose": "",
        "region_code": "",
    }
    assert validate_manual_income(**kwargs)["amount"] == "金额必须大于0"
    with translation.override("en"):
        errors = validate_manual_income(**kwargs)
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in errors.values()), errors


def test_admin_action_descriptions_follow_the_language():
    notice_admin = admin.site._registry[InsuranceNotice]
    description = notice_admin.get_actions(request=_staff_request())["acknowledge"][2]
    assert str(description) == "标记为已处理"
    with translation.override("en"):
        assert str(description) == "Mark as handled"
    institution_actions = admin.site._registry[Institution].get_actions(request=_staff_request())
    with translation.override("en"):
        assert str(institution_actions["lifecycle_reinstate"][2]) == "Reinstate designation"
        assert str(ACTIONS["submit_review"]) == "Submit for qualification review"


def test_admin_message_is_english_for_a_user_who_chose_english(client):
    user = get_user_model().objects.create_superuser("i18n-admin", password=PASSWORD)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("admin:institutions_insurancenotice_run_check"), follow=True)
    assert (
        "Daily check done: 0 institutions warned, 0 suspended, 0 agreements expired"
        in response.content.decode()
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(reverse("admin:institutions_insurancenotice_run_check"), follow=True)
    assert "每日检查完成：提醒0家，暂停0家，协议到期0份" in response.content.decode()


def test_settlement_reasons_follow_the_language_but_the_statement_pdf_text_stays_chinese():
    assert reason_text("HOSPITAL") == "当日住院"
    with translation.override("en"):
        assert str(reason_text("HOSPITAL")) == "In hospital on the day"
        assert codes_text(["HOSPITAL"]) == "HOSPITAL 当日住院"


def test_dates_in_messages_are_chinese_by_default_and_iso_in_english():
    assert display_date(dt.date(2026, 1, 5)) == "2026年01月05日"
    with translation.override("en"):
        assert display_date(dt.date(2026, 1, 5)) == "2026-01-05"


def _staff_request():
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get_or_create(
        username="i18n-staff", is_staff=True, is_superuser=True
    )[0]
    return request


def test_admin_lifecycle_buttons_and_refusals_are_english_for_a_user_who_chose_english(client):
    inst = Institution.objects.create(
        code="I18N2", name="语言测试机构2", type="elderly_care", region_code="320302", credit_code=""
    )
    client.force_login(get_user_model().objects.create_superuser("i18n-admin2", password=PASSWORD))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:institutions_institution_change", args=[inst.pk])).content.decode()
    assert "Submit for qualification review" in page
    assert "提交资格审核" not in page
    url = reverse("admin:institutions_institution_lifecycle", args=[inst.pk, "submit_review"])
    assert "Submit for qualification review: I18N2" in client.get(url).content.decode()
    response = client.post(url, {"reason": "材料齐全", "effective_on": "2026-01-05"}, follow=True)
    assert "I18N2 语言测试机构2: Submit for qualification review" in response.content.decode()


def test_settlement_appeal_refusal_follows_the_language():
    from settlement.models import SettlementLine
    from settlement.services.appeals import AppealRefused, appeal_create

    line = SettlementLine(institution_id=1)  # not the appealing institution's line: the first refusal
    for language, text in (
        ("zh-hans", "只能对本机构的结算明细提出申诉"),
        ("en", "You can only appeal settlement lines of your own institution."),
    ):
        with translation.override(language), pytest.raises(AppealRefused) as exc:
            appeal_create(institution=None, line=line, comment="理由", actor=None)
        assert str(exc.value) == text
