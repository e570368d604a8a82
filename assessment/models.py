"""Assessment conclusions (SPEC 4). The application workflow models extend this module."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enrollment.models import Person
from institutions.models import Institution


class Conclusion(models.Model):
    """A disability grade for a person; only final conclusions count for benefits (SPEC 4.3)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        NOTICE = "notice", _("公示中")
        FINAL = "final", _("最终结论")
        REVOKED = "revoked", _("已撤销")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conclusions",
                               verbose_name=_("参保人"))
    grade = models.PositiveSmallIntegerField(_("失能等级"))
    concluded_on = models.DateField(_("结论日期"))
    valid_until = models.DateField(_("有效期至"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    agency = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="conclusions", verbose_name=_("评估机构"))
    scale_version = models.CharField(_("评估标准版本"), max_length=40, default="nhsa-2021")
    imported = models.BooleanField(_("迁移导入"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评估结论")
        verbose_name_plural = _("评估结论")
        ordering = ["person", "-concluded_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__lte=5), name="conclusion_grade_range"),
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("concluded_on")),
                                   name="conclusion_valid_after_concluded"),
        ]
        indexes = [models.Index(fields=["person", "state", "concluded_on"])]

    def __str__(self):
        return f"{self.person_id} grade {self.grade} {self.concluded_on} {self.state}"
