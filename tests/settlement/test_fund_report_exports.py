"""The fund reports (issue 16): every month of the year in the charts and tables, each table as XLSX with
Chinese headers, amounts as numbers with two decimals, months as dates; only the fund staff may export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from enrollment.models import FundIncome
from ltci.core import roles
from settlement.models import FundBudget, HandlingFee
from settlement.report_tables import TABLES
from settlement.services import reports

from .conftest import D, staff

REPORTS = "/admin/settlement/settlementrun/reports/"


@pytest.fixture
def booked(world):
    """Income in 2023 (the opening balance), in January and March 2024; a handling fee in March 2024."""
    for key, year, day, amount in (
        ("t:o", 2023, D(2023, 12, 5), "1000.00"),
        ("t:a", 2024, D(2024, 1, 5), "114467.10"),
        ("t:b", 2024, D(2024, 3, 5), "200.00"),
    ):
        FundIncome.objects.create(
            year=year,
            source="fiscal",
            amount=Decimal(amount),
            booked_on=day,
            source_key=key,
            region_code="320302",
        )
    HandlingFee.objects.create(month=D(2024, 3, 1), amount=Decimal("30.50"))
    FundBudget.objects.create(year=2024, account="income_fiscal", amount=Decimal("200000.00"))
    return world


def test_every_month_of_the_year_with_zero_months_and_the_balance_carried(booked):
    months = reports.flows_of_year(year=2024)
    assert [m["month"] for m in months] == [dt.date(2024, n, 1) for n in range(1, 13)]
    february = months[1]
    assert (february["income"], february["expenditure"]) == (0, 0)
    assert february["balance"] == months[0]["balance"] == Decimal("115467.10")  # 1000.00 carried from 2023
    assert months[2]["balance"] == Decimal("115636.60")
    assert months[11]["balance"] == months[2]["balance"]
    before = reports.flows_of_year(year=2020)
    assert [m["balance"] for m in before] == [0] * 12


def test_the_page_draws_twelve_months_with_axes_and_legend(booked, client):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    page = client.get(f"{REPORTS}?year=2024").content.decode()
    assert page.count('class="chart chart-') == 3  # balance line, monthly bars, budget bars
    assert page.count('class="category"') == 12 * 3 - 12 + 1  # two monthly charts; one budget account
    assert all(f">{month}月</text>" in page for month in range(1, 13))
    assert 'class="legend-label"' in page and ">累计结余</text>" in page and ">1,000</text>" not in page
    assert "2024年2月" in page, "a month without entries is a row of the table"


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_the_monthly_table_as_xlsx(booked, client):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    sheet = _sheet(client.get(f"{REPORTS}?year=2024&format=xlsx&table=months"))
    assert [c.value for c in sheet[1]] == ["月份", "收入", "支出", "累计结余"]
    assert sheet.max_row == 13
    month, income = sheet["A2"], sheet["B2"]
    assert (
        month.is_date and month.value.date() == dt.date(2024, 1, 1) and month.number_format == 'yyyy"年"m"月"'
    )
    assert income.value == pytest.approx(114467.10) and income.number_format == '"¥"#,##0.00'
    assert sheet["B3"].value == 0 and sheet["C4"].value == pytest.approx(30.50)


def test_the_budget_table_as_xlsx_has_a_percentage(booked, client):
    client.force_login(staff("boss", roles.SUPERVISOR))
    sheet = _sheet(client.get(f"{REPORTS}?year=2024&format=xlsx&table=budget"))
    assert [c.value for c in sheet[1]] == ["科目", "预算", "实际", "差额", "执行率"]
    row = {c.column_letter: c for c in sheet[2]}
    assert row["A"].value and not row["A"].value.startswith("income_"), "the account's label, not its code"
    assert row["E"].number_format == "0.00%" and 0 < row["E"].value < 1


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_exports(booked, client, table):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    sheet = _sheet(client.get(f"{REPORTS}?year=2024&region=320302&format=xlsx&table={table}"))
    assert sheet.title == str(TABLES[table])[:31]
    assert all(c.value and not c.value.isascii() for c in sheet[1]), "Chinese headers"


@pytest.mark.parametrize(
    "query", ["format=xlsx", "format=xlsx&table=nope", "year=abc&format=xlsx&table=months", "format=csv"]
)
def test_a_bad_export_query_is_a_form_error(booked, client, query):
    client.force_login(staff("acc", roles.FUND_ACCOUNTANT))
    response = client.get(f"{REPORTS}?{query}")
    assert response.status_code == 400 and "errorlist" in response.content.decode()


@pytest.mark.parametrize("role", [roles.SETTLEMENT_OFFICER, roles.ENROLLMENT_CLERK, roles.BENEFIT_AUDITOR])
def test_the_export_is_refused_to_staff_without_the_fund_reports(booked, client, role):
    client.force_login(staff("someone", role))
    assert client.get(f"{REPORTS}?year=2024&format=xlsx&table=months").status_code == 403


def test_the_export_is_refused_to_anonymous(booked, client):
    response = client.get(f"{REPORTS}?year=2024&format=xlsx&table=months")
    assert response.status_code == 302 and "/login/" in response["Location"]
