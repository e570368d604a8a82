"""The fund's append-only ledger and what feeds it (SPEC 7.3)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution
from ltci.core.fields import money_field
from ltci.core.formatting import amount


class LedgerEntry(models.Model):
    """One posting of the LTCI fund (单独建账): income positive, expenditure negative.

    Append-only: a database trigger refuses UPDATE and DELETE. ``reference`` names the source record
    (``fund_income:<id>``, ``contribution_tx:<id>``, ``line:<id>``, ``assessment_fee:<id>``,
    ``handling_fee:<id>``, ``deposit_release:<id>``) and is unique, so posting twice changes nothing.
    """

    class Account(models.TextChoices):
        INCOME_INDIVIDUAL = "income_individual", _("个人缴费收入")
        INCOME_POOLED_FUND = "income_pooled_fund", _("医保统筹基金划转收入")
        INCOME_FISCAL = "income_fiscal", _("财政补助收入")
        INCOME_EMPLOYER = "income_employer", _("单位缴费收入")
        INCOME_COLLECTIVE = "income_collective", _("集体补助收入")
        INCOME_DONATION = "income_donation", _("捐助收入")
        INCOME_INTEREST = "income_interest", _("利息收入")
        INCOME_RECOVERY = "income_recovery", _("追回违规资金")
        EXPENSE_INSTITUTION = "expense_institution", _("机构护理待遇支出")
        EXPENSE_PAYOUT = "expense_payout", _("个人补助支出")
        EXPENSE_ASSESSMENT = "expense_assessment", _("评估费用支出")
        EXPENSE_HANDLING = "expense_handling", _("经办服务费支出")
        EXPENSE_PUBLICITY = "expense_publicity", _("宣传费用支出")
        EXPENSE_LEGAL = "expense_legal", _("法律顾问服务费用支出")
        RESERVE_DRAWN = "reserve_drawn", _("提取市级财政调剂金")
        DEPOSIT_RELEASE = "deposit_release", _("质量保证金返还")
        INCOME_DEPOSIT_KEPT = "income_deposit_kept", _("扣留质量保证金（不予返还）")

    booked_on = models.DateField(_("记账日期"))
    account = models.CharField(_("科目"), max_length=24, choices=Account.choices)
    source = models.CharField(_("来源"), max_length=24)
    region_code = models.CharField(_("地区"), max_length=20, blank=True)
    amount = money_field(_("金额"))
    reference = models.CharField(_("凭证"), max_length=120, unique=True)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("基金台账")
        verbose_name_plural = _("基金台账")
        ordering = ["booked_on", "id"]
        indexes = [
            models.Index(fields=["booked_on", "account"]),
            models.Index(fields=["region_code", "booked_on"]),
        ]

    def __str__(self):
        return f"{self.booked_on} {self.get_account_display()} {amount(self.amount)}"


class HandlingFee(models.Model):
    """An operating cost paid from the fund (其他业务费用): the commercial insurer's handling fee (商保经办),
    publicity, legal counsel (seed 003 三(四)); each kind is booked to its own ledger account."""

    class Kind(models.TextChoices):
        HANDLING = "handling", _("经办服务费用")
        PUBLICITY = "publicity", _("宣传费用")
        LEGAL = "legal", _("法律顾问服务费用")

    month = models.DateField(_("月份"))
    kind = models.CharField(_("费用类别"), max_length=12, choices=Kind.choices, default=Kind.HANDLING)
    region_code = models.CharField(_("地区"), max_length=20, blank=True)
    amount = money_field(_("金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("经办及其他业务费用")
        verbose_name_plural = _("经办及其他业务费用")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.amount}"


class DepositRelease(models.Model):
    """Year-end release of withheld quality deposits according to the appraisal (SPEC 6)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="deposit_releases", verbose_name=_("机构")
    )
    year = models.PositiveIntegerField(_("年度"))
    withheld = money_field(_("预留合计"))
    release_rate = models.DecimalField(_("返还比例"), max_digits=5, decimal_places=4)
    released = money_field(_("返还金额"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保证金返还")
        verbose_name_plural = _("保证金返还")
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="deposit_release_once")]

    def __str__(self):
        return f"{self.institution_id} {self.year} {self.released}"


class FundWarning(models.Model):
    """An early warning (预警) raised by the daily check (SPEC 7.3); one per kind and day."""

    kind = models.CharField(_("类型"), max_length=30)
    raised_on = models.DateField(_("日期"))
    message = models.TextField(_("内容"))
    acknowledged = models.BooleanField(_("已处理"), default=False)

    class Meta:
        verbose_name = _("基金预警")
        verbose_name_plural = _("基金预警")
        ordering = ["-raised_on"]
        constraints = [models.UniqueConstraint(fields=["kind", "raised_on"], name="fund_warning_once_a_day")]

    def __str__(self):
        return f"{self.raised_on} {self.kind}"


class FundBudget(models.Model):
    """The year's budget (预算) of one ledger account, city-wide (empty region) or for one region (SPEC 7.3).

    Amounts are positive for income and expenditure alike; the report compares them with the ledger.
    """

    year = models.PositiveIntegerField(_("年度"))
    account = models.CharField(_("科目"), max_length=24, choices=LedgerEntry.Account.choices)
    region_code = models.CharField(_("地区"), max_length=20, blank=True)
    amount = money_field(_("预算金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("基金预算")
        verbose_name_plural = _("基金预算")
        ordering = ["-year", "account", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "account", "region_code"], name="fund_budget_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fund_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_account_display()} {self.region_code or '全市'} {self.amount}"


class ReserveAllocation(models.Model):
    """Jinjiang's city fiscal reserve (调剂金, seed 003 三(四)) drawn from one year's surplus, booked once a year
    on 31 December as an outflow of the fund."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    income = money_field(_("当年收入"))
    expenditure = money_field(_("当年支出"))
    fiscal_share = models.DecimalField(_("市级财政投入比例"), max_digits=7, decimal_places=6)
    amount = money_field(_("提取金额"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("调剂金提取")
        verbose_name_plural = _("调剂金提取")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.amount}"
