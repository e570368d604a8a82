"""The assessment workflow: applications, assessors, visits, objections, committee, fees (SPEC 4.1-4.3)."""

import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models import Person
from institutions.models import Institution
from ltci.core.fields import money_field
from ltci.core.formatting import amount

from ..validators import validate_upload


def _random_name(folder: str, instance, filename: str) -> str:
    """Store an upload under a random name (the person's name is often in the file's); keep the original in
    ``original_name`` for display and download. The extension stays (checked: pdf, jpg, jpeg, png)."""
    if not instance.original_name:
        instance.original_name = PurePath(filename).name[:255]
    ext = PurePath(filename).suffix.lower()
    ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


def document_path(instance, filename: str) -> str:
    return _random_name("assessment/documents", instance, filename)


def photo_path(instance, filename: str) -> str:
    return _random_name("assessment/photos", instance, filename)


class StoredUpload(models.Model):
    """An uploaded file served only by views that check access (never by a media URL)."""

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.original_name or PurePath(self.file.name).name


class Application(models.Model):
    """An application for (re)assessment and its way through the workflow (states.py holds the moves)."""

    class Kind(models.TextChoices):
        FIRST = "first", _("首次评估")
        REASSESSMENT = "reassessment", _("状况变化复评")
        EXPIRY = "expiry", _("到期复评")
        SPOT_CHECK = "spot_check", _("经办机构抽查复评")
        REVIEW = "review", _("申请复核")

    class AppliedBy(models.TextChoices):
        SELF = "self", _("本人")
        AGENT = "agent", _("代办人/监护人")
        INSTITUTION = "institution", _("护理机构代为申请")
        STAFF = "staff", _("经办人员录入")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        PORTAL = "portal", _("机构门户")
        COUNTER = "counter", _("窗口")
        OFFICE = "office", _("经办机构指派")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已受理")
        ASSIGNED = "assigned", _("已派员")
        ASSESSED = "assessed", _("已评估（结论草拟）")
        NOTICE = "notice", _("公示中")
        COMMITTEE = "committee", _("专家委员会评定")
        FINAL = "final", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="assessment_applications", verbose_name=_("申请人")
    )
    kind = models.CharField(_("评估类型"), max_length=14, choices=Kind.choices, default=Kind.FIRST)
    applied_by = models.CharField(
        _("申请方式"), max_length=12, choices=AppliedBy.choices, default=AppliedBy.SELF
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    agent_name = models.CharField(_("代办人姓名"), max_length=100, blank=True)
    agent_phone = models.CharField(_("代办人电话"), max_length=40, blank=True)
    applying_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代为申请机构"),
    )
    care_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("当前护理机构"),
    )
    applied_on = models.DateField(_("申请日期"))
    disability_since = models.DateField(_("失能起始日期"), null=True, blank=True)
    reason = models.TextField(_("申请理由"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    return_reason = models.TextField(_("退回原因"), blank=True)
    agency = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_tasks",
        verbose_name=_("评估机构"),
    )
    reviewed_conclusion = models.ForeignKey(
        "assessment.Conclusion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("被复核结论"),
    )
    spot_check = models.ForeignKey(
        "assessment.SpotCheck",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("抽查批次"),
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("状态变更人"),
    )
    state_note = models.TextField(_("状态变更说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估申请")
        verbose_name_plural = _("评估申请")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["state", "agency"]), models.Index(fields=["person", "state"])]
        constraints = [
            # At most one open application per person (SPEC 4.1); the review of a conclusion and an
            # office-ordered spot check are also open applications.
            models.UniqueConstraint(
                fields=["person"],
                name="one_open_application_per_person",
                condition=~Q(state__in=["returned", "final", "withdrawn"]),
            ),
        ]

    def __str__(self):
        return _("%(number)s（%(kind)s，%(state)s）") % {
            "number": self.number,
            "kind": self.get_kind_display(),
            "state": self.get_state_display(),
        }

    @property
    def number(self) -> str:
        return f"SQ-{self.applied_on.year}-{self.pk:06d}"


class ApplicationDocument(StoredUpload):
    """A supporting document (medical records, diagnosis): PDF/JPG/PNG up to 10 MB."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="documents", verbose_name=_("评估申请")
    )
    file = models.FileField(_("文件"), upload_to=document_path, validators=[validate_upload])
    # After ``file``: its upload_to fills this in when a file is saved without it (admin inline).
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")


class Assessor(models.Model):
    """An assessor of an assessment agency; ``linked_institutions`` are conflicts of interest."""

    agency = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="assessors",
        verbose_name=_("评估机构"),
        limit_choices_to={"type": "assessment_agency"},
    )
    name = models.CharField(_("姓名"), max_length=100)
    national_id = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    medical_professional = models.BooleanField(_("医学专业人员"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessor",
        verbose_name=_("门户账号"),
    )
    linked_institutions = models.ManyToManyField(
        Institution, blank=True, related_name="linked_assessors", verbose_name=_("关联机构（回避）")
    )
    active = models.BooleanField(_("在岗"), default=True)
    history = HistoricalRecords(m2m_fields=[linked_institutions])

    class Meta:
        verbose_name = _("评估人员")
        verbose_name_plural = _("评估人员")
        ordering = ["agency", "name"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """One assessor on one round of an application; a round has two active assignments."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("已派")
        DECLINED = "declined", _("已拒绝")
        CONFIRMED = "confirmed", _("已确认")
        CANCELLED = "cancelled", _("已取消")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("评估申请")
    )
    assessor = models.ForeignKey(
        Assessor, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("评估人员")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ASSIGNED)
    decline_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("派员时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估派员")
        verbose_name_plural = _("评估派员")
        ordering = ["application", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor", "round"], name="assessor_once_per_round"
            )
        ]

    def __str__(self):
        return f"{self.application_id}/{self.round} {self.assessor_id} {self.get_state_display()}"


class Visit(models.Model):
    """The on-site assessment of one round: item scores and the computed grade (never typed)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="visits", verbose_name=_("评估申请")
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    visited_on = models.DateField(_("评估日期"))
    scale_version = models.CharField(_("评估标准版本"), max_length=40)
    items = models.JSONField(_("条目得分"), default=dict)
    adl = models.PositiveSmallIntegerField(_("日常生活活动能力得分"))
    cognition = models.PositiveSmallIntegerField(_("认知能力得分"))
    perception = models.PositiveSmallIntegerField(_("感知觉与沟通能力得分"))
    grade = models.PositiveSmallIntegerField(_("失能等级"))
    notes = models.TextField(_("现场记录"), blank=True)
    present = models.CharField(_("在场人员"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        Assessor, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("录入人")
    )
    completed_at = models.DateTimeField(_("双方确认时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("现场评估")
        verbose_name_plural = _("现场评估")
        constraints = [models.UniqueConstraint(fields=["application", "round"], name="one_visit_per_round")]

    def __str__(self):
        return _("%(application)s/%(round)s %(grade)s级") % {
            "application": self.application_id,
            "round": self.round,
            "grade": self.grade,
        }


class VisitPhoto(StoredUpload):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("现场评估")
    )
    file = models.FileField(_("照片"), upload_to=photo_path, validators=[validate_upload])
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)  # after file (see above)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")


class Objection(models.Model):
    """An objection raised during the public notice (公示异议)."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("成立，重新评估")
        DISMISSED = "dismissed", _("不成立")
        REASSESS = "reassess", _("本人异议，重新评估")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections", verbose_name=_("评估申请")
    )
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.CharField(_("提出人"), max_length=100)
    reason = models.TextField(_("异议内容"))
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolution = models.TextField(_("处理说明"), blank=True)
    channel = models.CharField(
        _("提出渠道"), max_length=10, choices=Application.Channel.choices, default=Application.Channel.COUNTER
    )
    # The reassessment deadline: raised_on + the policy's objection_reassess_working_days (SPEC 4.3); settled
    # when the objection is dismissed or the new pair's visit gives a new draft conclusion.
    due_on = models.DateField(_("重新评估期限"), null=True, blank=True)
    settled_on = models.DateField(_("办结日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        indexes = [
            models.Index(
                fields=["due_on"], name="objection_unsettled_due", condition=Q(settled_on__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.application_id} {self.get_outcome_display()}"


class CommitteeDecision(models.Model):
    """The expert committee's final decision on a disputed review (失能评定专家委员会)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="committee_decision", verbose_name=_("评估申请")
    )
    grade = models.PositiveSmallIntegerField(_("评定等级"))
    decided_on = models.DateField(_("评定日期"))
    members = models.CharField(_("参加专家"), max_length=300)
    reasoning = models.TextField(_("评定意见"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专家委员会评定")
        verbose_name_plural = _("专家委员会评定")
        constraints = [models.CheckConstraint(condition=Q(grade__lte=5), name="committee_grade_range")]

    def __str__(self):
        return f"{self.application_id} grade {self.grade}"


class SpotCheck(models.Model):
    """An office-ordered sample of final conclusions to reassess (抽查复评), reproducible by its seed."""

    ordered_on = models.DateField(_("抽查日期"))
    size = models.PositiveIntegerField(_("抽样数量"))
    seed = models.BigIntegerField(_("随机种子"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("下达人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽查复评")
        verbose_name_plural = _("抽查复评")

    def __str__(self):
        return f"{self.ordered_on} n={self.size} seed={self.seed}"


class AssessmentFee(models.Model):
    """An assessment fee owed to the agency (SPEC 4.3) and who bears it.

    The settlement fund ledger reads rows with ``payer == "fund"`` as expenditure (kind ``assessment_fee``)
    on ``incurred_on`` in ``region_code``; ``payer == "applicant"`` rows are owed by the person, not the fund.
    One row per application (unique), so recording twice changes nothing.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("首次评估")
        OFFICE_ORDERED = "office_ordered", _("经办机构组织的评估")
        REVIEW = "review", _("申请复核")

    class Payer(models.TextChoices):
        FUND = "fund", _("长护险基金")
        APPLICANT = "applicant", _("申请人")

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="fee", verbose_name=_("评估申请")
    )
    agency = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="assessment_fees", verbose_name=_("评估机构")
    )
    kind = models.CharField(_("费用类型"), max_length=16, choices=Kind.choices)
    payer = models.CharField(_("承担方"), max_length=10, choices=Payer.choices)
    amount = money_field(_("金额"))
    incurred_on = models.DateField(_("发生日期"))
    region_code = models.CharField(_("参保地"), max_length=6)
    policy_record = models.ForeignKey(
        "core.PolicyRecord", null=True, on_delete=models.PROTECT, verbose_name=_("适用标准")
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估费用")
        verbose_name_plural = _("评估费用")
        indexes = [models.Index(fields=["payer", "incurred_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="assessment_fee_not_negative")]

    def __str__(self):
        return f"{self.application_id} {self.get_kind_display()} {self.get_payer_display()} {amount(self.amount)}"
