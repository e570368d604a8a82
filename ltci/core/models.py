"""Shared models: effective-dated policy records, job runs, import batches, API tokens; the dated
querysets every effective-dated model uses (Validity, DatedQuerySet)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .permissions import job_declared


class DateRangeFunc(Func):
    """daterange(valid_from, valid_to, '[]') with NULL valid_to meaning open-ended."""

    function = "daterange"
    output_field = models.DateField()  # only used inside the constraint expression

    def __init__(self, start, end):
        super().__init__(start, end, models.Value("[]"))


@dataclass(frozen=True)
class Validity:
    """The fields that date a model's rows: the first day, the last day (null = open-ended), and whether
    that last day is in force itself.

    SPEC 5.2 dates: coverage, decisions, conclusions, agreements and the other periods include both their
    first and last day; a stay (hospital, admission) ends on its discharge day, which is not a day of the
    stay, so its end is exclusive. A model declares ``validity = Validity(...)`` and uses
    ``DatedQuerySet.as_manager()``; every "in force on this day" read goes through ``in_force`` and
    ``overlapping`` (or ``in_force_q`` for a related model or a subquery).
    """

    start: str
    end: str
    end_inclusive: bool = True

    def date_range(self) -> Func:
        """The rows' daterange with the validity's bounds ('[]' or '[)'), for exclusion constraints."""
        if self.end_inclusive:
            return DateRangeFunc(self.start, self.end)
        return Func(
            self.start, self.end, models.Value("[)"), function="daterange", output_field=models.DateField()
        )


def _nullable(model, name: str) -> bool:
    return model._meta.get_field(name).null


def in_force_q(model, on, *, prefix: str = "") -> Q:
    """Q for the rows of ``model`` in force on the day ``on`` (a date or an expression such as OuterRef).

    ``prefix`` reaches the model through a relation (``"conclusion__"``).
    """
    return overlapping_q(model, on, on, prefix=prefix)


def overlapping_q(model, start, end, *, prefix: str = "") -> Q:
    """Q for the rows of ``model`` in force on at least one day of [start, end] (end None = open)."""
    validity: Validity = model.validity
    q = Q()
    if end is not None:
        q &= Q(**{f"{prefix}{validity.start}__lte": end})
        if _nullable(model, validity.start):
            q = Q(**{f"{prefix}{validity.start}__isnull": True}) | q
    last = "gte" if validity.end_inclusive else "gt"
    until = Q(**{f"{prefix}{validity.end}__{last}": start})
    if _nullable(model, validity.end):
        until = Q(**{f"{prefix}{validity.end}__isnull": True}) | until
    return q & until


def in_force_sql(model, alias: str, on: str) -> str:
    """The same condition as ``in_force`` in raw SQL, for the set-based jobs: row ``alias`` of ``model``'s
    table is in force on the day the SQL expression ``on`` gives (a column or a parameter placeholder)."""
    return overlapping_sql(model, alias, on, on)


def overlapping_sql(model, alias: str, start: str, end: str) -> str:
    """The same condition as ``overlapping`` in raw SQL: row ``alias`` of ``model``'s table (or of a table
    with its columns) is in force on at least one day from the SQL expression ``start`` to ``end``."""
    validity: Validity = model.validity
    first = f"{alias}.{model._meta.get_field(validity.start).column}"
    last = f"{alias}.{model._meta.get_field(validity.end).column}"
    since = f"{first} <= {end}"
    if _nullable(model, validity.start):
        since = f"({first} IS NULL OR {since})"
    until = f"{start} {'<=' if validity.end_inclusive else '<'} {last}"
    if _nullable(model, validity.end):
        until = f"({last} IS NULL OR {until})"
    return f"{since} AND {until}"


class DatedQuerySet(models.QuerySet):
    """QuerySet of a model that declares its ``validity`` (see Validity)."""

    def in_force(self, on):
        """The rows in force on the day ``on``."""
        return self.filter(in_force_q(self.model, on))

    def overlapping(self, start, end):
        """The rows in force on at least one day of [start, end], both days included (end None = open)."""
        return self.filter(overlapping_q(self.model, start, end))


class PolicyScheme(models.Model):
    """A policy pack loaded into the system (one municipality's rule set)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    source = models.TextField(_("依据文件"), blank=True)
    active = models.BooleanField(_("当前使用"), default=False)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策方案")
        verbose_name_plural = _("政策方案")
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_scheme")
        ]

    def __str__(self):
        from .formatting import coded

        return coded(self.code, self.name)


class PolicyRecord(models.Model):
    """One effective-dated policy value (SPEC 2): kind + key + validity, value as JSON.

    A value of null means the standard is part of the scheme but left for staff to enter:
    calculations that need it stop with an error naming it.
    """

    scheme = models.ForeignKey(
        PolicyScheme, on_delete=models.PROTECT, related_name="records", verbose_name=_("政策方案")
    )
    kind = models.CharField(_("类别"), max_length=60)
    key = models.CharField(_("键"), max_length=120, default="*")
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    value = models.JSONField(_("取值"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # SPEC 2: a value the seeds do not give and the pack chose (`default: true` in the pack file), shown to
    # staff to confirm; saving the record in the admin confirms it and clears the mark.
    is_default = models.BooleanField(_("默认值"), default=False)
    default_reason = models.TextField(_("默认值理由"), blank=True)
    history = HistoricalRecords()
    validity = Validity("valid_from", "valid_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["scheme", "kind", "key", "valid_from"]
        constraints = [
            ExclusionConstraint(
                name="policy_no_overlap",
                expressions=[
                    ("scheme", RangeOperators.EQUAL),
                    ("kind", RangeOperators.EQUAL),
                    ("key", RangeOperators.EQUAL),
                    (DateRangeFunc("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="policy_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return self.label()

    def label(self, key_label: str | None = None) -> str:
        """The record as staff read it; an app that knows what the key's codes mean passes the key's label
        (the contribution standard's insurance type, the assessment fee's kind)."""
        from .formatting import coded
        from .policy_schema import KINDS  # the kinds' Chinese titles, declared once

        declared = KINDS.get(self.kind)
        kind_title = gettext(declared.title) if declared else ""
        if key_label is None:
            # the kind's title, then its code and the record's key: 评估费（assessment_fee:first）
            return _("%(title)s %(start)s 至 %(end)s") % {
                "title": coded(f"{self.kind}:{self.key}", kind_title),
                "start": self.valid_from,
                "end": self.valid_to or _("今"),
            }
        return _("%(title)s %(key)s %(start)s 至 %(end)s") % {
            "title": coded(self.kind, kind_title),
            "key": key_label,
            "start": self.valid_from,
            "end": self.valid_to or _("今"),
        }


class JobRun(models.Model):
    """A run of a scheduled job (yearly contributions, monthly settlement...), for progress and locking."""

    class State(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    job = models.CharField(_("作业"), max_length=60)
    period = models.CharField(_("期间"), max_length=20)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.RUNNING)
    done = models.BigIntegerField(_("已完成"), default=0)
    total = models.BigIntegerField(_("总数"), default=0)
    message = models.TextField(_("信息"), blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("发起人")
    )
    # when the start task of a queued run was last sent again (ltci.core.fanout.fanout_redispatch)
    sent_at = models.DateTimeField(_("派发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("作业运行")
        verbose_name_plural = _("作业运行")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "period"])]

    def __str__(self):
        return f"{self.label} {self.period} {self.get_state_display()}"

    @property
    def message_shown(self) -> str:
        """The message in the viewer's language: a stored JobMessage (params "message": msgid and arguments,
        ltci.core.jobs) or a msgid stored as it is are translated; other text (an error's own message, written
        in the language of who started the job) shows as it was written."""
        stored = (self.params or {}).get("message")
        return (
            job_message_text(stored)
            if isinstance(stored, dict)
            else gettext(self.message)
            if self.message
            else ""
        )

    @property
    def percent(self) -> int | None:
        """Progress for the progress bar: 100 when done, else done/total (None while the total is unknown)."""
        if self.state == self.State.DONE:
            return 100
        if self.total > 0:
            return min(99, self.done * 100 // self.total)
        return None

    @property
    def label(self) -> str:
        declared = job_declared(self.job)
        return str(declared.label) if declared else self.job


def job_message_text(stored) -> str:
    """A stored job message (ltci.core.jobs.JobMessage) in the active language."""
    if isinstance(stored, list):
        return gettext("、").join(job_message_text(v) for v in stored)
    if not isinstance(stored, dict):
        return str(stored)
    if not stored.get("id"):
        return ""  # gettext("") is the catalog's header
    args = {k: job_message_text(v) for k, v in (stored.get("args") or {}).items()}
    text = gettext(stored["id"])
    return text % args if args else text


class JobChunk(models.Model):
    """One chunk of a run fanned out to the Celery workers (ltci.core.fanout): its part of the work
    (``params``: a person-id range, a list of persons), who took it last and whether its result is stored."""

    class State(models.TextChoices):
        PENDING = "pending", _("等待")
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")

    run = models.ForeignKey(
        JobRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("作业运行")
    )
    number = models.PositiveIntegerField(_("序号"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    worker = models.CharField(_("执行进程"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    done = models.BigIntegerField(_("已完成"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # when its task was last sent to the broker (at the start, then by each re-dispatch of a lost run)
    sent_at = models.DateTimeField(_("派发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("作业分块")
        verbose_name_plural = _("作业分块")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="jobchunk_run_number_unique")]

    def __str__(self):
        return f"{self.run_id}#{self.number} {self.state}"


# The imports' ImportBatch kinds (their command's name without ``import_``) and how the office names them.
IMPORT_KIND_LABELS = {
    "roster": _("参保人员名册"),
    "account_events": _("个人账户变动"),
    "payments": _("缴费记录"),
    "family_relations": _("亲属关系登记"),
    "wage_bases": _("缴费基数"),
    "employer_payments": _("单位缴费记录"),
    "sickbed_partners": _("家庭病床合作"),
    "conclusions": _("评估结论"),
    "institutions": _("协议机构"),
    "caregivers": _("护理人员"),
    "benefit_decisions": _("待遇核定"),
    "hospital_stays": _("住院记录"),
    "other_fund_benefits": _("其他基金护理待遇"),
    "service_records": _("服务记录"),
    "bank_accounts": _("银行账户"),
    "bank_return": _("银行回单"),
}


class ImportBatch(models.Model):
    """One file import (SPEC 11): counts and the downloadable error report."""

    kind = models.CharField(_("接口"), max_length=40)
    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    rows_total = models.IntegerField(_("行数"), default=0)
    rows_applied = models.IntegerField(_("已导入"), default=0)
    rows_unchanged = models.IntegerField(_("无变化"), default=0)
    rows_rejected = models.IntegerField(_("已拒绝"), default=0)
    error_report = models.TextField(_("错误报告(CSV)"), blank=True)
    # Rows stored but held for the office's confirmation (a service record's charge above its ceiling).
    rows_held = models.IntegerField(_("已保存待确认"), default=0)
    held_report = models.TextField(_("待确认清单(CSV)"), blank=True)
    file_error = models.TextField(_("文件错误"), blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("操作人")
    )

    class Meta:
        verbose_name = _("文件导入")
        verbose_name_plural = _("文件导入")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind_label} {self.filename} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        return str(IMPORT_KIND_LABELS.get(self.kind, self.kind))


class ApiToken(models.Model):
    """API token for an institution's systems; only the SHA-256 of the key is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最后使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.name})"


class CalendarDay(models.Model):
    """A day whose working status differs from Monday-Friday, as the State Council's yearly holiday
    schedule (节假日安排) sets it: public holidays (is_workday=False) and swapped weekend working days
    (is_workday=True). Staff enter a year when its schedule is published; years the bundled
    chinese-calendar package knows need no rows. Once a year has rows, they are that year's complete list of
    exceptions and the package is not consulted for it."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day.isoformat()} {_('上班') if self.is_workday else _('休息')} {self.note}"


class Channel(models.TextChoices):
    """How a notification reaches its recipient (issue 19)."""

    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("纸质信函")


class ContactDetails(models.Model):
    """Contact data of a recipient of notifications (issue 19): a person, an agent or an institution.

    Without a consent date the office writes letters only (SPEC 8: no SMS or e-mail without consent).
    """

    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postal_address = models.CharField(_("邮寄地址"), max_length=300, blank=True)
    consent_on = models.DateField(_("同意接收短信/邮件日期"), null=True, blank=True)
    preferred_channel = models.CharField(
        _("首选通知方式"), max_length=10, choices=Channel.choices, default=Channel.LETTER
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class LetterBatch(models.Model):
    """A printed batch of notification letters (one PDF, one letter a page) for the post room."""

    number = models.CharField(_("批次号"), max_length=40, unique=True)
    letters = models.PositiveIntegerField(_("信函数"), default=0)
    file = models.FileField(_("PDF 文件"), upload_to="letters/", blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知信函批次")
        verbose_name_plural = _("通知信函批次")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number


class Notification(models.Model):
    """One notice of one event to one recipient (issue 19), sent once: the (event, key, recipient) is unique,
    so an event raised twice or a task retried sends nothing more. The recipient is named by kind and id
    (a person, an agent account or an institution of the apps above) and by a copy of its name and code, since
    the core cannot refer to the apps' tables."""

    class State(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    class RecipientKind(models.TextChoices):
        PERSON = "person", _("参保人")
        AGENT = "agent", _("代办人/监护人")
        INSTITUTION = "institution", _("机构")

    event = models.CharField(_("事件"), max_length=40, db_index=True)
    event_key = models.CharField(_("事件标识"), max_length=120)
    recipient_kind = models.CharField(_("接收方类别"), max_length=12, choices=RecipientKind.choices)
    recipient_id = models.BigIntegerField(_("接收方编号"))
    recipient_name = models.CharField(_("接收方"), max_length=200)
    recipient_ref = models.CharField(_("身份证号/机构代码"), max_length=40, db_index=True)
    subject_ref = models.CharField(_("所涉参保人身份证号"), max_length=18, blank=True, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("发送地址"), max_length=300, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    letter_batch = models.ForeignKey(
        LetterBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("信函批次"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知记录")
        verbose_name_plural = _("通知记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "event_key", "recipient_kind", "recipient_id"], name="notification_once"
            )
        ]
        indexes = [models.Index(fields=["state", "channel"], name="notification_state_channel")]

    def __str__(self):
        return f"{self.recipient_name} {self.subject}"
