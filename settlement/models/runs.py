"""Monthly settlement runs and their results (SPEC 7.2): lines, per-record audits, statements, payouts."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Person
from institutions.models import CareForm, Institution
from ltci.core.fields import money_field

from .records import ServiceRecord


class SettlementRun(models.Model):
    """One version of a month's settlement; the month's latest version is the one that counts."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AUDITED = "audited", _("已审核")
        APPROVED = "approved", _("已批准")
        PAID = "paid", _("已支付")

    month = models.DateField(_("结算月份"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    started_at = models.DateTimeField(_("运行时间"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("运行人"),
    )
    audited_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("批准人"),
    )
    bank_file_at = models.DateTimeField(_("银行文件导出时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("支付确认时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("支付确认人"),
    )
    job = models.ForeignKey(
        "core.JobRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("作业"),
    )
    record_count = models.IntegerField(_("记录数"), default=0)
    line_count = models.IntegerField(_("明细数"), default=0)
    fund_total = money_field(_("基金支付合计"), default=0)

    class Meta:
        verbose_name = _("月度结算")
        verbose_name_plural = _("月度结算")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="run_month_version_once"),
            # A month is paid once: at most one approved or paid version (the run's write and the state
            # transitions also check it under the month's lock, with a readable refusal).
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(state__in=["approved", "paid"]),
                name="run_one_final_version_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} v{self.version} {self.get_state_display()}"

    @property
    def is_final(self) -> bool:
        return self.state in (self.State.APPROVED, self.State.PAID)


class SettlementLine(models.Model):
    """Per run, institution (empty for payouts to persons), person, care form and lateness (SPEC 7.2).

    charged = fund + personal + rejected on every line (database check).
    """

    run = models.ForeignKey(
        SettlementRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("结算")
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settlement_lines",
        verbose_name=_("机构"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="settlement_lines", verbose_name=_("参保人")
    )
    care_form = models.CharField(_("护理形式"), max_length=24, choices=CareForm.choices)
    service_month = models.DateField(_("服务月份"))
    quantity = models.IntegerField(_("数量"))
    charged_amount = money_field(_("申报金额"))
    fund_amount = money_field(_("基金支付"))
    personal_amount = money_field(_("个人负担"))
    rejected_amount = money_field(_("拒付金额"))
    reason_codes = ArrayField(
        models.CharField(max_length=24), default=list, blank=True, verbose_name=_("原因代码")
    )
    is_late = models.BooleanField(_("逾期记录"), default=False)
    is_adjustment = models.BooleanField(_("调整"), default=False)
    # References to lines and audits are not database constraints: both tables are partitioned by service month
    # and PostgreSQL cannot refer to them by id alone; check triggers stand in (ltci.core.partitions).
    adjusts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("调整对象"),
        db_constraint=False,
    )
    details = models.JSONField(_("明细"), default=dict, blank=True)

    class Meta:
        verbose_name = _("结算明细")
        verbose_name_plural = _("结算明细")
        indexes = [
            models.Index(fields=["run", "institution"]),
            models.Index(fields=["person", "service_month"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    charged_amount=models.F("fund_amount")
                    + models.F("personal_amount")
                    + models.F("rejected_amount")
                ),
                name="line_charged_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.run_id} {self.institution_id or '-'} {self.person_id} {self.get_care_form_display()}"


class RecordAudit(models.Model):
    """The result of one service record in one run: codes and amounts (the portal's line-by-line view).

    One row per record and run (millions a month), written only by the run in the transaction that
    creates its run and lines from ids it has just read: the foreign keys are not database constraints,
    because PostgreSQL would check each of them row by row at commit (docs/decisions.md).
    Django still enforces PROTECT/CASCADE on deletes through the ORM. Indexes: (run, record) unique,
    record (the foreign key's own), line; no duplicates, as each costs 1.5 million inserts a month.
    """

    run = models.ForeignKey(
        SettlementRun,
        on_delete=models.CASCADE,
        related_name="audits",
        verbose_name=_("结算"),
        db_constraint=False,
        db_index=False,
    )  # (run, record) unique index leads with run
    record = models.ForeignKey(
        ServiceRecord,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("服务记录"),
        db_constraint=False,
    )
    line = models.ForeignKey(
        SettlementLine,
        null=True,
        on_delete=models.CASCADE,
        related_name="audits",
        verbose_name=_("结算明细"),
        db_constraint=False,
    )
    codes = ArrayField(models.CharField(max_length=24), default=list, blank=True, verbose_name=_("原因代码"))
    charged_amount = money_field(_("申报金额"))
    base_amount = money_field(_("纳入基金支付范围"))
    rejected_amount = money_field(_("拒付金额"))
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    # the record's service month: the partition key of this table (written by the run, settlement.services.write)
    service_month = models.DateField(_("服务月份"), editable=False)

    class Meta:
        verbose_name = _("记录审核结果")
        verbose_name_plural = _("记录审核结果")
        # the record fixes the service month: unique per (run, record) as before, with the partition key
        constraints = [
            models.UniqueConstraint(fields=["run", "record", "service_month"], name="audit_once_per_run")
        ]

    def __str__(self):
        from ..rules import reasons_label

        return f"{self.run_id} {self.record_id} {reasons_label(self.codes) if self.codes else ''}".strip()


class Statement(models.Model):
    """结算单: what the fund owes an institution for a run (SPEC 7.2)."""

    run = models.ForeignKey(
        SettlementRun, on_delete=models.CASCADE, related_name="statements", verbose_name=_("结算")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="statements", verbose_name=_("机构")
    )
    charged_total = money_field(_("申报金额"), default=0)
    fund_payable = money_field(_("基金应付"), default=0)
    deposit_rate = models.DecimalField(_("质量保证金比例"), max_digits=5, decimal_places=4, default=0)
    deposit_withheld = money_field(_("预留质量保证金"), default=0)
    recovered = money_field(_("追回违规金额"), default=0)
    adjustments = money_field(_("调整金额"), default=0)
    carried = money_field(
        _("上期结转"), default=0, help_text=_("以前月份实付金额为负（追回多于应付）结转本期扣减")
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("结转自")
    )
    net_payable = money_field(_("实付金额"), default=0)
    violation_ids = ArrayField(models.IntegerField(), default=list, blank=True, verbose_name=_("扣减违规"))

    class Meta:
        verbose_name = _("机构结算单")
        verbose_name_plural = _("机构结算单")
        ordering = ["run", "institution"]
        constraints = [models.UniqueConstraint(fields=["run", "institution"], name="statement_once_per_run")]

    def __str__(self):
        return f"{self.document_no}"

    @property
    def document_no(self) -> str:
        return f"JS-{self.run.month:%Y%m}-{self.institution.code}-v{self.run.version}"


class Payout(models.Model):
    """Money paid to a person for a run (allowances; SPEC 5.2, 7.2)."""

    run = models.ForeignKey(
        SettlementRun, on_delete=models.CASCADE, related_name="payouts", verbose_name=_("结算")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("参保人")
    )
    amount = money_field(_("金额"))

    class Meta:
        verbose_name = _("个人补助发放")
        verbose_name_plural = _("个人补助发放")
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="payout_once_per_run")]

    def __str__(self):
        return f"{self.run_id} {self.person_id} {self.amount}"


class Appeal(models.Model):
    """An institution's appeal against a rejected record or line; upheld appeals become adjustments."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        DISMISSED = "dismissed", _("申诉不成立")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("机构")
    )
    line = models.ForeignKey(
        SettlementLine,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("结算明细"),
        db_constraint=False,
    )
    audit = models.ForeignKey(
        RecordAudit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("记录审核结果"),
        db_constraint=False,
    )
    comment = models.TextField(_("申诉理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交人"),
    )
    decision_note = models.TextField(_("处理意见"), blank=True)
    amount = money_field(_("调整金额"), default=0)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )
    settled_in = models.ForeignKey(
        SettlementRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("调整结算"),
    )

    class Meta:
        verbose_name = _("结算申诉")
        verbose_name_plural = _("结算申诉")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.institution_id} {self.line_id} {self.state}"


class Correction(models.Model):
    """A staff correction of a line of an approved or paid month (更正): settled as an adjustment line in
    the next run of a later month, since approved months never change (SPEC 7.2). Positive amounts pay
    the institution or person more, negative ones take money back."""

    line = models.ForeignKey(
        SettlementLine,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("结算明细"),
        db_constraint=False,
    )
    amount = money_field(_("调整金额"))
    reason = models.TextField(_("更正原因"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    settled_in = models.ForeignKey(
        SettlementRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("调整结算"),
    )

    class Meta:
        verbose_name = _("结算更正")
        verbose_name_plural = _("结算更正")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="correction_not_zero")]

    def __str__(self):
        return f"{self.line_id} {self.amount}"
