"""Assessment conclusions and the events benefits consume (SPEC 4.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models import Person
from institutions.models import Institution
from ltci.core.models import DatedQuerySet, Validity


class Conclusion(models.Model):
    """A disability grade for a person; only final conclusions count for benefits (SPEC 4.3)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        NOTICE = "notice", _("公示中")
        FINAL = "final", _("最终结论")
        REVOKED = "revoked", _("已撤销")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="conclusions", verbose_name=_("参保人")
    )
    grade = models.PositiveSmallIntegerField(_("失能等级"))
    concluded_on = models.DateField(_("结论日期"))
    valid_until = models.DateField(_("有效期至"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    agency = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conclusions",
        verbose_name=_("评估机构"),
    )
    scale_version = models.CharField(_("评估标准版本"), max_length=40, default="nhsa-2021")
    imported = models.BooleanField(_("迁移导入"), default=False)
    application = models.ForeignKey(
        "assessment.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conclusions",
        verbose_name=_("评估申请"),
    )
    adl = models.PositiveSmallIntegerField(_("日常生活活动能力得分"), null=True, blank=True)
    cognition = models.PositiveSmallIntegerField(_("认知能力得分"), null=True, blank=True)
    perception = models.PositiveSmallIntegerField(_("感知觉与沟通能力得分"), null=True, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_until = models.DateField(_("公示截止"), null=True, blank=True)
    review_deadline = models.DateField(_("复核申请截止"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    validity = Validity("concluded_on", "valid_until")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估结论")
        verbose_name_plural = _("评估结论")
        ordering = ["person", "-concluded_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__lte=5), name="conclusion_grade_range"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("concluded_on")),
                name="conclusion_valid_after_concluded",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "state", "concluded_on"]),
            # The public notice list (公示): conclusions on notice by their period, newest first.
            models.Index(
                fields=["-notice_from", "notice_until"],
                name="conclusion_on_notice",
                condition=models.Q(state="notice"),
            ),
        ]

    def __str__(self):
        return _("%(grade)s级 %(day)s（%(state)s）") % {
            "grade": self.grade,
            "day": self.concluded_on,
            "state": self.get_state_display(),
        }

    @property
    def document_no(self) -> str:
        """Return the notice number, stable for re-issues: PG-<year concluded>-<id, 6 digits>."""
        return f"PG-{self.concluded_on.year}-{self.pk:06d}"


class ConclusionEvent(models.Model):
    """A change of a person's grade that benefits must react to (SPEC 4.3, 5.4).

    ``final``: a conclusion became final (effective from ``effective_on``, its concluded_on);
    ``downgraded``: it is final and lower than the conclusion it replaces (benefits at the old grade stop
    from ``effective_on``); ``expired``: its validity ended and no later final conclusion replaced it
    (``effective_on`` is the first day without it); ``revoked``: it no longer counts; ``corrected``: an
    import changed its grade or validity (``previous_grade``). Consumers track the last id they processed.
    """

    class Kind(models.TextChoices):
        FINAL = "final", _("结论生效")
        DOWNGRADED = "downgraded", _("等级降低")
        EXPIRED = "expired", _("有效期届满")
        REVOKED = "revoked", _("结论撤销")
        CORRECTED = "corrected", _("结论更正")

    conclusion = models.ForeignKey(
        Conclusion, on_delete=models.PROTECT, related_name="events", verbose_name=_("评估结论")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="conclusion_events", verbose_name=_("参保人")
    )
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    effective_on = models.DateField(_("生效日期"))
    grade = models.PositiveSmallIntegerField(_("失能等级"))
    previous_grade = models.PositiveSmallIntegerField(_("原失能等级"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估结论事件")
        verbose_name_plural = _("评估结论事件")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conclusion", "kind"],
                name="one_event_per_conclusion_kind",
                condition=~models.Q(kind="corrected"),
            )
        ]
        indexes = [models.Index(fields=["person", "effective_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person_id} {self.effective_on}"


class ExpiryReminder(models.Model):
    """A reminder to reassess, created by the daily job N days before a conclusion expires (SPEC 4.3)."""

    conclusion = models.OneToOneField(
        Conclusion, on_delete=models.CASCADE, related_name="reminder", verbose_name=_("评估结论")
    )
    remind_on = models.DateField(_("提醒日期"))
    care_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("护理机构"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到期复评提醒")
        verbose_name_plural = _("到期复评提醒")

    def __str__(self):
        return f"{self.conclusion_id} {self.remind_on}"
