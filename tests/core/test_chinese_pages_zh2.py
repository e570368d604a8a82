"""Issue 16, numbers and codes as an office reads them: the fund reports, the ledger, record audits, object pages
and simple-history's 历史 pages, documents and exports. Fast client tests beside the browser crawler
(tests/core/test_crawl_browser.py), reading the page text with the crawler's own checks (tests/crawler.py).
"""

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from simple_history.admin import SimpleHistoryAdmin

from ltci.core import formatting
from ltci.core.history_admin import HistoryAdmin, field_value
from settlement.models import FundBudget, LedgerEntry

from ..crawler import code_tokens, foreign_words
from .test_pdf_layout import DOCUMENTS

REPORTS = "/admin/settlement/settlementrun/reports/"
APPS = ("enrollment", "assessment", "benefits", "settlement", "institutions")
# zh1's pages (issue 16): the job record's name and progress (JobRun) show on its own pages and on the run's
SKIP = re.compile(r"^/admin/core/jobrun/|^/admin/settlement/settlementrun/\d+/change/")


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, head or hidden elements (as innerText)."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "area", "base", "embed"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        named = dict(attrs)
        hidden = tag in ("script", "style", "template", "head", "noscript") or "hidden" in named
        hidden = hidden or "display:none" in (named.get("style") or "").replace(" ", "")
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        self.parts.append(" ")

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def client_for(username: str, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = language
    return client


# --- numbers, months and labels ----------------------------------------------------------------------------


def test_report_cells_by_their_column_kind():
    with translation.override("zh-hans"):
        assert formatting.shown(Decimal("114467.1"), "money") == "¥114,467.10"
        assert formatting.shown(Decimal("0.7256"), "percent") == "72.56%"
        assert formatting.shown(dt.date(2026, 11, 1), "month") == "2026年11月"
        assert formatting.shown(12345, "int") == "12,345"
        assert formatting.shown(Decimal("-30.5")) == "-30.50"
        assert formatting.shown(None, "money") == "—"
        assert formatting.shown("鼓楼区（320302）") == "鼓楼区（320302）"
    with translation.override("en"):
        assert formatting.shown(dt.date(2026, 11, 1), "month") == "Nov 2026"


def test_a_user_is_shown_by_name_with_the_login(db):
    named = User.objects.create(username="assessor9", first_name="周评估")
    assert formatting.login(named) == "周评估（assessor9）"
    assert formatting.login(User.objects.create(username="nobody")) == "nobody"
    with translation.override("en"):
        assert formatting.login(named) == "周评估 (assessor9)"


def test_ledger_codes_are_labelled_when_shown():
    from settlement import labels

    with translation.override("zh-hans"):
        assert labels.source_label("contribution") == "个人缴费"
        assert labels.reference_label("contribution_tx:29") == "缴费交易 29"
        assert labels.reference_label("t:1") == "t:1"  # an unknown kind stays as written
        assert labels.memo_label("contribution", "account_transfer 2025") == "个人账户划转 2025"
        assert labels.memo_label("fund_income", "fiscal_city 2025") == "市级财政补助 2025"
        assert labels.memo_label("assessment", "评估费 first") == "评估费 首次评估"
        assert labels.memo_label("settlement", "补助 2026-09") == "补助 2026-09"
        details = {"parts": [{"days": 30, "class": "severe", "amount": "600.00", "carer_trained": True}]}
        assert labels.line_details(details) == "重度失能 30天 ¥600.00（护理人员经培训）"
        assert labels.line_details({"unpaid_days": {"ARREARS": 3}}) == (
            "当年度个人缴费未足额缴纳（欠费）（ARREARS） 3天"
        )


def test_reason_codes_are_shown_by_their_text_with_the_code():
    from settlement.rules import reasons_label

    with translation.override("zh-hans"):
        assert reasons_label(["OVER_LIMIT"]) == "超出月度（年度）限额部分（OVER_LIMIT）"
        assert reasons_label([]) == "—"


def test_history_values_by_their_labels(db):
    from settlement.models import ServiceRecord

    kind = ServiceRecord._meta.get_field("kind")
    charged = ServiceRecord._meta.get_field("charged_amount")
    received = ServiceRecord._meta.get_field("received_at")
    with translation.override("zh-hans"):
        assert field_value(kind, "bed_day") == "床日"
        assert field_value(charged, Decimal("114467.1")) == "¥114,467.10"
        assert field_value(received, None) == "—"
        assert field_value(received, dt.datetime(2026, 11, 30, 16, 5, tzinfo=dt.UTC)) == "2026-12-01 00:05"
        assert field_value(ServiceRecord._meta.get_field("confirmed"), True) == "是"


def test_every_history_admin_shows_values_by_their_labels():
    plain = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryAdmin)
    ]
    assert not plain, f"use ltci.core.history_admin.HistoryAdmin: {plain}"


# --- documents and exports ------------------------------------------------------------------------------------


def _document(name: str) -> str:
    with translation.override("zh-hans"):
        return page_text(render_to_string(f"documents/{name}", {**DOCUMENTS[name](), "office": {}}))


def test_the_statement_shows_money_and_the_month_as_an_office_reads_them():
    text = _document("settlement_statement.html")
    assert "¥123,456.78" in text and "¥86,419.75" in text and "¥1,000.10" in text
    assert "2024年5月" in text and "123456.78" not in text


def test_the_payment_list_and_the_disclosure_show_money_and_months():
    payments = _document("payment_list.html")
    assert "合计 ¥100.00" in payments and "¥199.50" in payments and "2024年5月" in payments
    disclosure = _document("fund_disclosure.html")
    assert "本年度基金收入 ¥12.00，支出 ¥0.00，期末累计结余 ¥12.00。" in disclosure
    assert "2024年1月" in disclosure and "2024年12月" in disclosure
    certificate = _document("contribution_certificate.html")
    assert "鼓楼区（320302）" in certificate and "100.00" in certificate


@pytest.fixture
def fund(db):
    """A year of the ledger (2024) with a budget: 114,467.10 of fiscal income against 157,750.00."""
    for n, (account, source, amount, day, memo) in enumerate(
        [
            ("income_fiscal", "fund_income", "114467.10", dt.date(2024, 1, 5), "fiscal_city 2024"),
            ("income_individual", "contribution", "1200.00", dt.date(2024, 3, 5), "account_transfer 2024"),
            ("expense_payout", "settlement", "-600.00", dt.date(2024, 11, 20), "补助 2024-10"),
        ]
    ):
        LedgerEntry.objects.create(
            booked_on=day,
            account=account,
            source=source,
            region_code="320302",
            amount=Decimal(amount),
            reference=f"{['fund_income', 'contribution_tx', 'payout'][n]}:{n + 1}",
            memo=memo,
        )
    FundBudget.objects.create(year=2024, account="income_fiscal", amount=Decimal("157750.00"))
    from django.contrib.auth.models import Group

    from ltci.core import roles

    user = User.objects.create(username="accountant9", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.FUND_ACCOUNTANT))
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_fund_reports_page_reads_as_an_office_reads_it(fund):
    text = page_text(fund.get(f"{REPORTS}?year=2024").content.decode())
    assert "2024年1月 ¥114,467.10 ¥0.00 ¥114,467.10" in text
    assert "2024年2月 ¥0.00 ¥0.00 ¥114,467.10" in text  # a month without entries
    assert "2024年11月 ¥0.00 ¥600.00 ¥115,067.10" in text
    assert "财政补助收入 ¥157,750.00 ¥114,467.10 -¥43,282.90 72.56%" in text
    assert "鼓楼区（320302） 个人补助支出 -¥600.00 1" in text
    assert "个人缴费 个人缴费收入 ¥1,200.00 1" in text, "the ledger source by its label"
    assert not foreign_words(text, data=["accountant9"]), foreign_words(text, data=["accountant9"])


def test_the_fund_reports_xlsx_keeps_numbers_with_the_yuan_format(fund):
    response = fund.get(f"{REPORTS}?year=2024&format=xlsx&table=budget")
    sheet = load_workbook(io.BytesIO(response.content)).active
    budget, rate = sheet["B2"], sheet["E2"]
    assert budget.value == pytest.approx(157750.00) and budget.number_format == '"¥"#,##0.00'
    assert rate.value == pytest.approx(0.7256) and rate.number_format == "0.00%"


def test_the_ledger_list_shows_sources_vouchers_and_memos_by_their_labels(fund):
    text = page_text(fund.get("/admin/settlement/ledgerentry/?o=1").content.decode())
    assert "财政补助收入 基金收入 鼓楼区（320302） ¥114,467.10 基金收入 1 市级财政补助 2024" in text
    assert "个人缴费收入 个人缴费 鼓楼区（320302） ¥1,200.00 缴费交易 2 个人账户划转 2024" in text
    assert not code_tokens(text, ["accountant9"])
    english = Client()
    english.force_login(User.objects.get(username="accountant9"))
    english.cookies["django_language"] = "en"
    assert not code_tokens(page_text(english.get("/admin/settlement/ledgerentry/").content.decode()))


def test_the_staff_list_xlsx_has_money_as_numbers_in_yuan(fund):
    response = fund.get("/admin/export/settlement/ledgerentry/xlsx/?o=1")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["记账日期", "科目", "来源"]
    assert sheet["C2"].value == "基金收入" and sheet["F2"].value == "基金收入 1"
    assert sheet["E2"].value == pytest.approx(114467.10) and sheet["E2"].number_format == '"¥"#,##0.00'


# --- the demo's pages, every role ------------------------------------------------------------------------------


def _pages():
    """Every object page and 历史 page (two objects a model) of the apps' admin, and the fund pages."""
    urls = [REPORTS, "/admin/settlement/ledgerentry/", "/admin/institutions/institutionuser/"]
    urls.append("/admin/benefits/agentlink/")
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in (*APPS, "core"):
            continue
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:2]:
            base = f"/admin/{meta.app_label}/{meta.model_name}/{pk}/"
            urls += [f"{base}history/"] + ([f"{base}change/"] if meta.app_label in APPS else [])
    return [url for url in urls if not SKIP.search(url)]


@pytest.mark.slow
def test_the_demo_pages_show_no_english_and_no_codes(xuzhou):
    call_command("seed_demo", persons=20, stdout=io.StringIO())
    data = list(User.objects.values_list("username", flat=True))
    problems, seen = [], 0
    for username in ("supervisor", "accountant", "coordinator", "clerk"):
        for language in ("zh-hans", "en"):
            client = client_for(username, language)
            for url in _pages():
                response = client.get(url)
                if response.status_code != 200:
                    continue
                seen += 1
                text = page_text(response.content.decode())
                words = foreign_words(text, data=data) if language != "en" else code_tokens(text, data)
                if words:
                    problems.append(f"{username} {language} {url}: {', '.join(words[:10])}")
    assert seen > 200, seen
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_record_audits_show_their_reasons_by_text_with_the_code(xuzhou):
    call_command("seed_demo", persons=20, stdout=io.StringIO())
    text = page_text(client_for("accountant").get("/admin/settlement/recordaudit/").content.decode())
    assert "重复记录（DUPLICATE）" in text
    # a reason code stands only after its text (the office's "label（code）"); the details the audit rules
    # write are Chinese
    assert not re.findall(r"(?<!（)\b[A-Z]{3,}(?:_[A-Z]+)*\b(?!）)", text.replace("LTCI", ""))
    assert "与先前一条记录的机构、参保人、类型、日期、服务内容和开始时间相同" in text
