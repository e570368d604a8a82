"""Every page of the insured person's site in real Chromium at phone widths (360 and 390 px), in Chinese and
English, normal and large text: axe-core (vendored, tests/insured/vendor) finds no serious or critical
violation, nothing scrolls sideways, every control is at least 44 px high, and codes read as words.
Screenshots are saved under .local/test-artifacts/insured/ for a person to look at."""

# ruff: noqa: S105, S106
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from assessment.models import Conclusion
from benefits.services.accounts import (
    account_activate,
    account_create,
    activation_code_issue,
    agent_link_create,
)

from .conftest import covered_classes_record, make_conclusion, make_institution, make_person

PASSWORD = "Phone-Journey-2026"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / ".local" / "test-artifacts" / "insured"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),  # keep the groups of data migrations
]

SMALL_CONTROLS = """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0; })
  .filter(e => e.getBoundingClientRect().height < 44)
  .map(e => e.outerHTML.slice(0, 80))"""


def _world():
    from django.core.management import call_command

    from benefits.services import decision_create
    from ltci.core.models import PolicyScheme
    from settlement.models import SettlementLine, SettlementRun

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    covered_classes_record(PolicyScheme.objects.get(code="xuzhou-2022"))
    me = make_person(name="钱多多", covered_from=dt.date(2020, 1, 1))
    institution = make_institution()
    make_conclusion(me, grade=3, concluded_on=dt.date(2024, 1, 1), valid_until=dt.date(2030, 12, 31))
    decision_create(
        person=me, care_form="home_visits", institution=institution, starts_on=dt.date(2024, 2, 1)
    )
    run = SettlementRun.objects.create(month=dt.date(2026, 10, 1), state="audited")
    SettlementLine.objects.create(
        run=run,
        institution=institution,
        person=me,
        care_form="home_visits",
        service_month=dt.date(2026, 10, 1),
        quantity=8,
        charged_amount=Decimal("640.00"),
        fund_amount=Decimal("600.00"),
        personal_amount=Decimal("0"),
        rejected_amount=Decimal("40.00"),
        reason_codes=["HOSPITAL", "OVER_LIMIT"],
    )
    account = account_create(national_id=me.national_id, name="钱多多", person=me)
    account_activate(
        national_id=me.national_id, code=activation_code_issue(account=account), password=PASSWORD
    )
    agent_link_create(account=account, principal=make_person(name="赵老太"), valid_from=dt.date(2024, 1, 1))
    # A conclusion on public notice today (公示, issue 19), for the public list.
    today = timezone.localdate()
    make_conclusion(
        make_person(name="孙小妹"), grade=4, concluded_on=today, valid_until=today, state="notice"
    )
    Conclusion.objects.filter(state="notice").update(
        notice_from=today, notice_until=today + dt.timedelta(days=7)
    )
    return me


def _check(page, name: str, width: int) -> None:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], "
        "runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    bad = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:100] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {json.dumps(bad, ensure_ascii=False, indent=1)}"
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: scrolls sideways ({scroll}px at {width}px)"
    assert page.evaluate(SMALL_CONTROLS) == [], f"{name}: controls under 44 px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_every_page_is_accessible_and_reads_well_on_a_phone(live_server, browser):
    me = _world()
    base = live_server.url
    for width in (360, 390):
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(f"{base}/me/login/")
        _check(page, f"login-{width}", width)
        page.goto(f"{base}/me/activate/")
        _check(page, f"activate-{width}", width)
        page.goto(f"{base}/me/notice/")
        assert "孙*妹" in page.inner_text("main") and "孙小妹" not in page.content()
        _check(page, f"notice-{width}", width)
        page.goto(f"{base}/me/login/")
        page.fill("#id_national_id", me.national_id)
        page.fill("#id_password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{base}/me/")
        services = page.inner_text("#services")
        assert (
            "当日住院" in services and "超出月度（年度）限额部分" in services and "HOSPITAL" not in services
        )
        _check(page, f"home-zh-{width}", width)
        page.click("button[name=large]")  # 适老化: large text, kept on the device
        page.wait_for_url(f"{base}/me/")
        page.goto(f"{base}/me/")
        assert page.evaluate("document.documentElement.classList.contains('large-text')")
        _check(page, f"home-zh-large-{width}", width)
        page.click("button[name=language][value=en]")
        page.wait_for_url(f"{base}/me/")
        english = page.inner_text("main")
        assert "Hospitalised" in english or "hospital" in english.lower()
        assert "级" not in english and "年" not in english, english[:400]
        _check(page, f"home-en-large-{width}", width)
        context.close()
