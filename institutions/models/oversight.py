"""Lifecycle events, suspensions, insurance notices, violations, appraisals, caregiver records (SPEC 6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ltci.core.fields import money_field
from ltci.core.models import DatedQuerySet, Validity

from .base import Agreement, Caregiver, Institution


class InstitutionEvent(models.Model):
    """An audited lifecycle transition: who moved which institution from what to what, when and why."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="events", verbose_name=_("机构")
    )
    agreement = models.ForeignKey(
        Agreement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("服务协议"),
    )
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("经办人")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构状态变更")
        verbose_name_plural = _("机构状态变更")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.from_label} → {self.to_label} {self.at:%Y-%m-%d}"

    @staticmethod
    def _label(status: str) -> str:
        return str(Institution.Status(status).label) if status in Institution.Status.values else status

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


class AgreementPause(models.Model):
    """A suspension of an agreement (暂停定点): its days are not agreement days."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("服务协议")
    )
    paused_from = models.DateField(_("暂停开始"))
    paused_to = models.DateField(_("暂停结束"), null=True, blank=True)
    reason = models.TextField(_("原因"))

    validity = Validity("paused_from", "paused_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("协议暂停期间")
        verbose_name_plural = _("协议暂停期间")
        ordering = ["agreement", "paused_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paused_to__isnull=True) | Q(paused_to__gte=models.F("paused_from")),
                name="pause_period_order",
            ),
        ]

    def __str__(self):
        return f"{self.agreement_id} {self.paused_from}..{self.paused_to or ''}"


class InsuranceNotice(models.Model):
    """A liability-insurance warning or suspension written by the daily check (one per kind and expiry)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("即将到期提醒")
        SUSPENDED = "suspended", _("到期暂停")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="insurance_notices", verbose_name=_("服务协议")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    expires_on = models.DateField(_("责任险到期日"))
    created_on = models.DateField(_("日期"))
    acknowledged = models.BooleanField(_("已处理"), default=False)

    class Meta:
        verbose_name = _("责任险提醒")
        verbose_name_plural = _("责任险提醒")
        ordering = ["-created_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "expires_on"], name="insurance_notice_once")
        ]

    def __str__(self):
        return f"{self.agreement_id} {self.get_kind_display()} {self.expires_on}"


def evidence_path(instance, filename: str) -> str:
    """Store evidence under an unguessable folder: it is served only through the staff download view."""
    import uuid

    from django.utils import timezone

    return f"violations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ViolationType(models.TextChoices):
    FALSE_RECORDS = "false_records", _("虚构服务记录")
    OVERCHARGE = "overcharge", _("超标准收费")
    UNQUALIFIED_STAFF = "unqualified_staff", _("人员资质不符")
    SERVICE_QUALITY = "service_quality", _("服务质量不达标")
    INELIGIBLE_PERSON = "ineligible_person", _("为不符合条件人员结算")
    OTHER = "other", _("其他")


class ViolationAction(models.TextChoices):
    RECTIFICATION = "rectification", _("责令整改")
    SUSPENSION = "suspension", _("暂停定点")
    TERMINATION = "termination", _("解除协议")
    REFERRAL = "referral", _("移交司法")


class Violation(models.Model):
    """A violation (违规): the action changes the agreement state; amounts are deducted by settlement."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="violations", verbose_name=_("机构")
    )
    type = models.CharField(_("违规类型"), max_length=24, choices=ViolationType.choices)
    description = models.TextField(_("违规情况"))
    found_on = models.DateField(_("查实日期"))
    amount_to_recover = money_field(_("追回金额"), default=0)
    penalty = money_field(_("违约金"), default=0)
    action = models.CharField(_("处理方式"), max_length=16, choices=ViolationAction.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    deducted_in = models.CharField(
        _("扣减结算期"), max_length=20, blank=True, help_text=_("结算扣减后填写（如 2026-05）")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("违规处理")
        verbose_name_plural = _("违规处理")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_to_recover__gte=0) & Q(penalty__gte=0),
                name="violation_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.get_type_display()} {self.found_on}"


class ViolationEvidence(models.Model):
    violation = models.ForeignKey(
        Violation, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("违规处理")
    )
    file = models.FileField(_("证据文件"), upload_to=evidence_path)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("违规证据")
        verbose_name_plural = _("违规证据")

    def __str__(self):
        return self.file.name


class Appraisal(models.Model):
    """Annual appraisal (年度考核): total 0-100 and the deposit release percentage of the policy table."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("机构")
    )
    year = models.PositiveIntegerField(_("考核年度"))
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, default=0)
    release_rate = models.DecimalField(_("保证金返还比例"), max_digits=5, decimal_places=4, default=0)
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    decided_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="appraisal_once_a_year"),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(total__lte=100), name="appraisal_total_range"
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} {self.year} {self.total}"


class AppraisalScore(models.Model):
    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.CASCADE, related_name="scores", verbose_name=_("年度考核")
    )
    indicator = models.CharField(_("考核指标"), max_length=100)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("考核指标得分")
        verbose_name_plural = _("考核指标得分")
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "indicator"], name="appraisal_indicator_once"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=models.F("max_points")),
                name="appraisal_points_range",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.points}/{self.max_points}"


class CaregiverCertificate(models.Model):
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("护理人员")
    )
    name = models.CharField(_("证书名称"), max_length=100)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    history = HistoricalRecords()

    validity = Validity("issued_on", "expires_on")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("护理人员证书")
        verbose_name_plural = _("护理人员证书")
        ordering = ["caregiver", "name"]

    def __str__(self):
        return f"{self.name} {self.number}"


class CaregiverTraining(models.Model):
    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("护理人员")
    )
    course = models.CharField(_("培训课程"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, default=0)
    completed_on = models.DateField(_("完成日期"))
    passed = models.BooleanField(_("考核合格"), default=True)

    class Meta:
        verbose_name = _("护理人员培训")
        verbose_name_plural = _("护理人员培训")
        ordering = ["caregiver", "-completed_on"]

    def __str__(self):
        return f"{self.course} {self.completed_on}"
