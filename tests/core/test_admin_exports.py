"""Every staff list as XLSX or CSV (issue 16, ltci.core.admin_exports): the list as filtered on its page, Chinese
headers, typed cells, a row limit for the web request, and only for staff who may view the list."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from settlement.models import LedgerEntry
from tests.core.test_permission_matrix import registered_admins, users  # noqa: F401 -- the role users fixture
from tests.institutions import helpers

LEDGER = "/admin/export/settlement/ledgerentry/{fmt}/"


@pytest.fixture
def ledger(db):
    for n, (account, amount, day) in enumerate(
        [
            ("income_fiscal", "114467.10", dt.date(2024, 1, 5)),
            ("income_fiscal", "200.00", dt.date(2024, 3, 5)),
            ("expense_handling", "-30.50", dt.date(2024, 3, 31)),
        ]
    ):
        LedgerEntry.objects.create(
            booked_on=day,
            account=account,
            source="fiscal" if account.startswith("income") else "handling",
            region_code="320302",
            amount=Decimal(amount),
            reference=f"t:{n}",
            memo="=cmd|' /C calc'!A0" if n == 2 else "",
        )


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(helpers.plain_user("export-root", is_staff=True, is_superuser=True))
    return client


def sheet_of(response):
    assert response.status_code == 200, response.content[:300]
    assert "filename*=" in response["Content-Disposition"] or "filename=" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


def test_the_xlsx_is_the_filtered_list_with_chinese_headers_and_typed_cells(ledger, root):
    sheet = sheet_of(root.get(LEDGER.format(fmt="xlsx") + "?account__exact=income_fiscal&o=1"))
    assert [c.value for c in sheet[1]] == ["记账日期", "科目", "来源", "地区", "金额", "凭证", "摘要"]
    assert sheet.max_row == 3, "only the rows the filter shows"
    first = {c.column_letter: c for c in sheet[2]}
    assert first["A"].is_date and first["A"].value.date() == dt.date(2024, 1, 5)
    assert first["A"].number_format == "yyyy-mm-dd"
    assert first["B"].value == str(LedgerEntry.Account("income_fiscal").label), "the label, not the code"
    assert first["E"].value == pytest.approx(114467.10) and first["E"].number_format == '"¥"#,##0.00'


def test_the_search_and_every_page_are_exported(ledger, root, settings):
    sheet = sheet_of(root.get(LEDGER.format(fmt="xlsx") + "?q=t:2&p=2"))
    assert sheet.max_row == 2 and sheet["E2"].value == pytest.approx(-30.50)
    assert sheet["G2"].value.startswith("'="), "a formula-like text is neutralised"


def test_the_csv_has_a_bom_chinese_headers_and_amounts_with_two_decimals(ledger, root):
    response = root.get(LEDGER.format(fmt="csv") + "?o=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:5] == ["记账日期", "科目", "来源", "地区", "金额"]
    assert rows[1][0] == "2024-01-05" and rows[1][4] == "114467.10"
    assert [r[4] for r in rows[1:]] == ["114467.10", "200.00", "-30.50"]


def test_a_list_over_the_limit_runs_as_a_job(ledger, root, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    response = root.get(LEDGER.format(fmt="xlsx") + "?region_code=320302")
    assert response.status_code == 302 and "/admin/core/jobrun/" in response["Location"]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "共 3 条记录，超过在线导出上限 2 条，已转为后台导出" in message
    assert root.get(LEDGER.format(fmt="xlsx") + "?account__exact=income_fiscal").status_code == 200


def test_bad_arguments(ledger, root):
    assert root.get("/admin/export/settlement/nosuchmodel/xlsx/").status_code == 404
    assert root.get("/admin/export/auth/permission/xlsx/").status_code == 404  # not in the admin
    assert root.get(LEDGER.format(fmt="pdf")).status_code == 404
    response = root.get(LEDGER.format(fmt="xlsx") + "?nosuchfield=1")
    assert response.status_code == 302 and "/admin/settlement/ledgerentry/" in response["Location"]


def test_the_list_page_links_its_exports_with_the_current_filters(ledger, root):
    page = root.get("/admin/settlement/ledgerentry/?account__exact=income_fiscal").content.decode()
    assert 'href="/admin/export/settlement/ledgerentry/xlsx/?account__exact=income_fiscal"' in page
    assert 'href="/admin/export/settlement/ledgerentry/csv/?account__exact=income_fiscal"' in page


def test_anonymous_is_sent_to_the_login(ledger):
    response = Client().get(LEDGER.format(fmt="xlsx"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_portal_user_is_not_staff(ledger):
    client = Client()
    client.force_login(helpers.plain_user("export-portal"))
    response = client.get(LEDGER.format(fmt="csv"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_list_exports_exactly_for_those_who_may_open_it(users):  # noqa: F811
    """For every admin list and every role: the export answers 200 where the list page does, 403 where the
    list page refuses."""
    failures = []
    for model, _admin in registered_admins():
        opts = model._meta
        page = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        export = reverse("admin_export", args=[opts.app_label, opts.model_name, "xlsx"])
        for label, user in users.items():
            client = Client()
            client.force_login(user)
            shown = client.get(page).status_code
            got = client.get(export).status_code
            if shown == 200 and got != 200 or shown == 403 and got != 403 or shown not in (200, 403):
                failures.append(f"{opts.label} as {label}: list {shown}, export {got}")
    assert not failures, "\n".join(failures)
