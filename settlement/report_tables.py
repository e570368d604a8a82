"""The fund reports page as tables and charts (issue 16): every table of the page is also an XLSX download with
the same Chinese headers, amounts as numbers with two decimals, ratios as percentages and months as months; the
monthly flows and the budget are drawn as SVG charts (ltci.core.charts) with every month of the year."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from benefits.models import BenefitClass
from enrollment.regions import region_label
from institutions.models import CareForm
from ltci.core.charts import Series, bar_chart, line_chart
from ltci.core.exports import MONEY, MONTH, PERCENT, Column

from .labels import source_label
from .models import LedgerEntry


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list]

    @property
    def typed_rows(self) -> list[list[tuple]]:
        """Each row as (value, its column's kind) pairs, for the page to show as the XLSX does."""
        return [
            [(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def _account(code: str) -> str:
    return str(dict(LedgerEntry.Account.choices).get(code, code))


def _care_form(code: str) -> str:
    return str(dict(CareForm.choices).get(code, code))


def _classes(codes: str) -> str:
    """The benefit classes of a group ("moderate,severe") by their labels."""
    labels = dict(BenefitClass.choices)
    return "、".join(str(labels.get(code, code)) for code in codes.split(","))


def _region(code: str) -> str:
    return region_label(code) if code else str(_("全市"))


TABLES = {
    "months": gettext_lazy("按月收支与结余"),
    "budget": gettext_lazy("预算执行"),
    "beneficiaries": gettext_lazy("享受待遇人数（按类别）"),
    "by_grade": gettext_lazy("享受待遇人数（按失能等级）"),
    "by_region": gettext_lazy("按地区"),
    "by_source": gettext_lazy("按来源"),
}


def tables(context: dict) -> dict[str, Table]:
    """The page's tables from the context the reports view computed."""
    people = [Column(_("人数"), "int"), Column(_("基金支付"), MONEY)]
    ledger = [Column(_("科目")), Column(_("金额"), MONEY), Column(_("笔数"), "int")]
    return {
        "months": Table(
            str(TABLES["months"]),
            [
                Column(_("月份"), MONTH),
                Column(_("收入"), MONEY),
                Column(_("支出"), MONEY),
                Column(_("累计结余"), MONEY),
            ],
            [[m["month"], m["income"], m["expenditure"], m["balance"]] for m in context["months"]],
        ),
        "budget": Table(
            str(TABLES["budget"]),
            [
                Column(_("科目")),
                Column(_("预算"), MONEY),
                Column(_("实际"), MONEY),
                Column(_("差额"), MONEY),
                Column(_("执行率"), PERCENT),
            ],
            [
                [str(b["label"]), b["budget"], b["actual"], b["difference"], b["rate"]]
                for b in context["budget"]
            ],
        ),
        "beneficiaries": Table(
            str(TABLES["beneficiaries"]),
            [Column(_("类别")), Column(_("护理形式")), *people],
            [
                [_classes(b["benefit_class"]), _care_form(b["care_form"]), b["persons"], b["fund"]]
                for b in context["beneficiaries"]
            ],
        ),
        "by_grade": Table(
            str(TABLES["by_grade"]),
            [Column(_("失能等级")), Column(_("护理形式")), *people],
            [
                [
                    b["grade"] if b["grade"] is not None else "—",
                    _care_form(b["care_form"]),
                    b["persons"],
                    b["fund"],
                ]
                for b in context["by_grade"]
            ],
        ),
        "by_region": Table(
            str(TABLES["by_region"]),
            [Column(_("地区")), *ledger],
            [
                [_region(r["region_code"]), _account(r["account"]), r["total"], r["n"]]
                for r in context["by_region"]
            ],
        ),
        "by_source": Table(
            str(TABLES["by_source"]),
            [Column(_("来源")), *ledger],
            [
                [source_label(r["source"]), _account(r["account"]), r["total"], r["n"]]
                for r in context["by_source"]
            ],
        ),
    }


def charts(context: dict) -> dict:
    """The monthly flows (line and bars, January to December) and the budget against the actual (bars)."""
    months = context["months"]
    labels = [_("%(month)s月") % {"month": m["month"].month} for m in months]
    year = context["year"]
    flows = {"income": _("收入"), "expenditure": _("支出"), "balance": _("累计结余")}

    def monthly(*keys):
        return [Series(flows[key], [m[key] for m in months]) for key in keys]

    result = {
        "balance": line_chart(
            title=_("%(year)s年基金收支与累计结余") % {"year": year},
            categories=labels,
            series=monthly("income", "expenditure", "balance"),
            unit=_("元"),
        ),
        "flows": bar_chart(
            title=_("%(year)s年按月收入与支出") % {"year": year},
            categories=labels,
            series=monthly("income", "expenditure"),
            unit=_("元"),
        ),
    }
    budget = [b for b in context["budget"] if b["budget"] is not None]
    if budget:
        result["budget"] = bar_chart(
            title=_("%(year)s年预算执行") % {"year": year},
            categories=[str(b["label"]) for b in budget],
            series=[
                Series(_("预算"), [b["budget"] for b in budget]),
                Series(_("实际"), [b["actual"] for b in budget]),
            ],
            unit=_("元"),
        )
    return result
