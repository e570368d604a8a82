"""Bank accounts of payees and the payments that carry a final month's money to them (SPEC 7.2 "paid", 10).

A payee's bank account is never edited or deleted: a new account supersedes the current one, which keeps its
validity dates. A payment names the account it was sent to, so a bank file is re-issued identically. A failed
payment is re-issued at most once (a unique reference to it), under a newer account of its payee.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benefits.models import AgentLink
from enrollment.models import Person
from institutions.models import Institution
from ltci.core.fields import money_field

from .runs import Payout, SettlementRun, Statement


class BankAccount(models.Model):
    """A payee's account at a bank: a person's own or an agent's (holder named), or an institution's."""

    class Origin(models.TextChoices):
        STAFF = "staff", _("经办录入")
        IMPORT = "import", _("文件导入")
        MIGRATED = "migrated", _("机构资料迁移")

    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_accounts",
        verbose_name=_("参保人"),
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_accounts",
        verbose_name=_("机构"),
    )
    agent_link = models.ForeignKey(
        AgentLink,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代办/监护关系"),
        help_text=_("账户属于代办人或监护人时，据以收款的代办关系"),
    )
    bank_code = models.CharField(_("银行代码"), max_length=20)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_no = models.CharField(_("账号"), max_length=32)
    holder_name = models.CharField(_("户名"), max_length=100)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("被替换为"),
    )
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.STAFF)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("银行账户")
        verbose_name_plural = _("银行账户")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, institution__isnull=True)
                | Q(person__isnull=True, institution__isnull=False, agent_link__isnull=True),
                name="bank_account_one_owner",
            ),
            models.CheckConstraint(condition=Q(account_no__regex=r"^[0-9]+$"), name="bank_account_digits"),
            models.UniqueConstraint(
                fields=["person"], condition=Q(valid_to__isnull=True), name="bank_account_one_current_person"
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(valid_to__isnull=True),
                name="bank_account_one_current_institution",
            ),
        ]

    def __str__(self):
        return f"{self.bank_name} {self.masked_no} {self.holder_name}"

    @property
    def masked_no(self) -> str:
        return f"****{self.account_no[-4:]}"


class PaymentBatch(models.Model):
    """One bank file: the payments of a final month (the first batch) and the payments waiting to be re-sent."""

    number = models.CharField(_("批次号"), max_length=30, unique=True)
    run = models.ForeignKey(
        SettlementRun, on_delete=models.PROTECT, related_name="payment_batches", verbose_name=_("结算")
    )
    layout = models.CharField(_("文件格式"), max_length=30)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("生成人"),
    )
    exported_at = models.DateTimeField(_("首次导出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("支付批次")
        verbose_name_plural = _("支付批次")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number


class Payment(models.Model):
    """One transfer to one payee: an institution's statement (net payable) or a person's payout."""

    class State(models.TextChoices):
        HELD = "held", _("待登记账户")
        PENDING = "pending", _("已发送银行")
        PAID = "paid", _("已到账")
        FAILED = "failed", _("支付失败")

    reference = models.CharField(_("支付流水号"), max_length=40, unique=True, null=True, blank=True)
    run = models.ForeignKey(
        SettlementRun, on_delete=models.PROTECT, related_name="payments", verbose_name=_("结算")
    )
    batch = models.ForeignKey(
        PaymentBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("支付批次"),
    )
    statement = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("机构结算单"),
    )
    payout = models.ForeignKey(
        Payout,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("个人补助发放"),
    )
    # The payee, copied from the statement or payout (the pages read a payee's payments by it).
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("参保人"),
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("机构"),
    )
    account = models.ForeignKey(
        BankAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("收款账户"),
    )
    amount = money_field(_("金额"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    value_date = models.DateField(_("到账日期"), null=True, blank=True)
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)
    return_file = models.CharField(_("银行回单文件"), max_length=200, blank=True)
    returned_at = models.DateTimeField(_("回单导入时间"), null=True, blank=True)
    reissue_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissue",
        verbose_name=_("补发自"),
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["run", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(statement__isnull=False, payout__isnull=True)
                | Q(statement__isnull=True, payout__isnull=False),
                name="payment_one_source",
            ),
            models.CheckConstraint(
                condition=Q(statement__isnull=True) | Q(institution__isnull=False, person__isnull=True),
                name="payment_statement_pays_institution",
            ),
            models.CheckConstraint(
                condition=Q(payout__isnull=True) | Q(person__isnull=False, institution__isnull=True),
                name="payment_payout_pays_person",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(state="held") | Q(batch__isnull=False, account__isnull=False),
                name="payment_sent_with_account",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(value_date__isnull=False), name="payment_paid_has_value_date"
            ),
            # Money leaves once: at most one payment of a statement or payout that has not failed.
            models.UniqueConstraint(
                fields=["statement"], condition=~Q(state="failed"), name="payment_once_per_statement"
            ),
            models.UniqueConstraint(
                fields=["payout"], condition=~Q(state="failed"), name="payment_once_per_payout"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.amount} {self.get_state_display()}"
