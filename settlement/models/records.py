"""Service records and monthly claims (SPEC 7.1, 11.4)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models import Person
from institutions.models import Institution
from ltci.core.fields import money_field


class RecordKind(models.TextChoices):
    BED_DAY = "bed_day", _("床日")
    HOME_VISIT = "home_visit", _("上门服务")
    DEVICE = "device", _("辅具租售")


class ExclusionCode(models.TextChoices):
    """SPEC 5.3: costs the fund does not pay (set on a record by staff)."""

    OTHER_FUND = "EXCLUDED_OTHER_FUND", _("应由其他社会保险基金支付")
    THIRD_PARTY = "EXCLUDED_THIRD_PARTY", _("依法应由第三人承担")
    PUBLIC_HEALTH = "EXCLUDED_PUBLIC_HEALTH", _("应由公共卫生负担")
    ABROAD = "EXCLUDED_ABROAD", _("在境外发生")
    LAW = "EXCLUDED_LAW", _("法律法规规定不予支付")


class HeldReason(models.TextChoices):
    """SPEC 7.1: why a record passed the checks at submission but waits for the office's confirmation."""

    CHARGE_ABOVE_CEILING = "CHARGE_ABOVE_CEILING", _("收费金额超过政策上限，待经办机构确认")


class HoldDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认收费")
    REJECTED = "rejected", _("已驳回")


# A charge held above the ceiling that staff have not yet confirmed or rejected (SPEC 7.1): the office's queue.
HELD_WAITING = ~Q(held_reason="") & Q(hold_decision="")


class ServiceRecord(models.Model):
    """One service an institution claims: a bed-day, a home visit or a device (SPEC 7.1).

    ``source_key`` makes every channel idempotent: a file row is ``file:<sha256>:<row>``, an API record
    ``api:<institution>:<client_key>``, a generated bed-day ``gen:<admission>:<date>:<component>``. Two
    records with the same natural key from different sources are both stored; the run rejects the later
    one as DUPLICATE (SPEC 7.2).
    """

    class Origin(models.TextChoices):
        FILE = "file", _("文件导入")
        API = "api", _("接口")
        PORTAL = "portal", _("门户录入")
        GENERATED = "generated", _("入住生成")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("机构")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("参保人")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=RecordKind.choices)
    service_date = models.DateField(_("服务日期"))
    component = models.CharField(
        _("服务内容"), max_length=8, blank=True, choices=[("life", _("生活照料")), ("medical", _("医疗护理"))]
    )
    charged_amount = money_field(_("收费金额"))
    caregiver_national_id = models.CharField(_("护理人员身份号码"), max_length=18, blank=True)
    started_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    items = ArrayField(models.CharField(max_length=20), default=list, blank=True, verbose_name=_("服务项目"))
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.FILE)
    # Unique across all months through ServiceRecordKey (the table is partitioned by service month).
    source_key = models.CharField(_("来源标识"), max_length=120)
    client_key = models.CharField(_("客户端标识"), max_length=80, blank=True)
    batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("导入批次"),
    )
    confirmed = models.BooleanField(
        _("机构已确认"), default=True, help_text=_("由入住记录生成的床日须经机构确认后才参加结算")
    )
    excluded_code = models.CharField(
        _("不予支付原因"), max_length=24, choices=ExclusionCode.choices, blank=True
    )
    excluded_note = models.CharField(_("不予支付说明"), max_length=200, blank=True)
    # A charge above the kind's ceiling (record_checks) is stored but held: the run takes it only once staff
    # confirm it; a rejected one is never paid (SPEC 7.1, settlement.services.holds).
    held_reason = models.CharField(
        _("待确认原因"), max_length=24, choices=HeldReason.choices, blank=True, editable=False
    )
    hold_decision = models.CharField(
        _("确认结果"), max_length=10, choices=HoldDecision.choices, blank=True, editable=False
    )
    hold_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("确认人"),
    )
    hold_decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-service_date", "id"]
        indexes = [
            models.Index(fields=["service_date"]),
            models.Index(fields=["person", "service_date"]),
            models.Index(fields=["institution", "service_date"]),
            models.Index(
                fields=["institution", "person", "kind", "service_date", "component"],
                name="servicerecord_natural_key",
            ),
            models.Index(fields=["caregiver_national_id", "service_date"]),
            models.Index(fields=["received_at"]),  # late records of months already run
            models.Index(  # the office's queue of charges awaiting confirmation (settlement.queues)
                fields=["service_date"],
                condition=HELD_WAITING,
                name="servicerecord_held_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(charged_amount__gte=0), name="record_charge_not_negative"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="record_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(hold_decision="") | ~Q(held_reason=""), name="record_decision_only_if_held"
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.person_id} {self.get_kind_display()} {self.service_date}"


class ServiceRecordKey(models.Model):
    """The keys of a service record that must be unique across all months (docs/operations.md "Partitions").

    ``settlement_servicerecord`` is partitioned by service month, and PostgreSQL cannot declare a unique key
    across partitions that lacks the service date: ``source_key`` (every channel's idempotency) and the API's
    client key per institution are unique here instead. Rows are written by the database itself, in the
    statement that inserts, updates or deletes the records (triggers of settlement 0024), so every path
    (imports, API, portal, generated bed-days, bulk loads, fixtures) keeps them. Never written by the code.
    """

    record = models.OneToOneField(
        ServiceRecord,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database's trigger deletes it with the record (settlement 0024)
        db_constraint=False,
        related_name="key",
        verbose_name=_("服务记录"),
    )
    service_date = models.DateField(_("服务日期"))
    source_key = models.CharField(_("来源标识"), max_length=120)
    institution_id = models.BigIntegerField(_("机构"))
    client_key = models.CharField(_("客户端标识"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("服务记录唯一标识")
        verbose_name_plural = _("服务记录唯一标识")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["source_key"], name="record_source_key_once"),
            models.UniqueConstraint(
                fields=["institution_id", "client_key"],
                condition=~Q(client_key=""),
                name="record_client_key_once",
            ),
        ]

    def __str__(self):
        return self.source_key


class Claim(models.Model):
    """An institution's claim for a month, submitted by the deadline (SPEC 7.1)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="claims", verbose_name=_("机构")
    )
    month = models.DateField(_("结算月份"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提交人"),
    )
    deadline = models.DateField(_("申报截止日"))
    late = models.BooleanField(_("逾期申报"), default=False)
    record_count = models.IntegerField(_("记录数"), default=0)
    charged_total = money_field(_("申报金额"), default=0)

    class Meta:
        verbose_name = _("月度申报")
        verbose_name_plural = _("月度申报")
        ordering = ["-month", "institution"]
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="claim_once_a_month")]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m}"


class ClaimReminder(models.Model):
    """A reminder sent to an institution about its monthly claim (SPEC 7.1): once per month and kind."""

    class Kind(models.TextChoices):
        DUE = "due", _("申报即将截止")
        OVERDUE = "overdue", _("已逾期未申报")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="claim_reminders", verbose_name=_("机构")
    )
    month = models.DateField(_("结算月份"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    deadline = models.DateField(_("申报截止日"))
    sent_on = models.DateField(_("发送日期"))
    recipients = models.IntegerField(_("收件人数"), default=0)

    class Meta:
        verbose_name = _("申报提醒")
        verbose_name_plural = _("申报提醒")
        ordering = ["-month", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month", "kind"], name="claim_reminder_once")
        ]

    def __str__(self):
        return f"{self.institution_id} {self.month:%Y-%m} {self.get_kind_display()}"
