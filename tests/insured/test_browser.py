"""Journey in real Chromium at a phone viewport: activation, login, reading the status, applying."""

# ruff: noqa: S105, S106
import datetime as dt

import pytest

from benefits.services.accounts import account_create, activation_code_issue

from .conftest import covered_classes_record, make_person

PASSWORD = "Phone-Journey-2026"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # keep the groups of data migrations
]


def test_insured_person_activates_logs_in_reads_status_and_applies(live_server, browser, tmp_path):
    from django.core.management import call_command

    from assessment.models import Application
    from ltci.core.models import PolicyScheme

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    covered_classes_record(PolicyScheme.objects.get(code="xuzhou-2022"))
    person = make_person(name="钱多多", covered_from=dt.date(2020, 1, 1))
    code = activation_code_issue(account=account_create(national_id=person.national_id))
    base = live_server.url

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{base}/me/")
    page.wait_for_url(f"{base}/me/login/?next=/me/")
    page.click("text=首次使用？用激活码激活账户")
    page.fill("#id_national_id", person.national_id)
    page.fill("#id_code", code)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("#activate-form button[type=submit]")
    page.wait_for_url(f"{base}/me/")
    assert "钱多多" in page.inner_text("#person")
    page.click("#logout")
    page.wait_for_url(f"{base}/me/login/")

    page.fill("#id_national_id", person.national_id)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/me/")
    assert person.national_id not in page.content()
    assert "已缴足" in page.inner_text("#contributions")
    assert "无等待期" in page.inner_text("#payable-from")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"

    page.click("text=网上申请失能评估")
    page.fill("#id_disability_since", "2020-01-01")
    page.fill("#id_reason", "卧床两年")
    diagnosis = tmp_path / "诊断证明.pdf"
    diagnosis.write_bytes(b"%PDF-1.4 diagnosis")
    page.set_input_files("#id_documents", str(diagnosis))
    page.click("#apply-form button[type=submit]")
    page.wait_for_url(f"{base}/me/")
    assert "评估申请已提交" in page.content()
    assert Application.objects.get(person=person).channel == "online"
