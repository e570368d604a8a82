"""Benefit decisions, residential admissions and hospital stays (SPEC 5)."""
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.models import Conclusion
from enrollment.models import Person
from institutions.models import Bed, CareForm, Institution
from ltci.core.models import DateRangeFunc


class BenefitClass(models.TextChoices):
    SEVERE = "severe", _("重度失能")
    MODERATE = "moderate", _("中度失能")
    MILD = "mild", _("轻度失能")


class BenefitDecision(models.Model):
    """待遇核定: one care form at a time per person, never overlapping (SPEC 5.4)."""

    class EndReason(models.TextChoices):
        DIED = "died", _("死亡")
        MOVED_OUT = "moved_out", _("转出")
        EXPIRED = "expired", _("评估结论到期")
        DOWNGRADED = "downgraded", _("评估等级下降")
        FORM_CHANGED = "form_changed", _("变更护理形式")
        REQUESTED = "requested", _("本人申请")
        IMPORTED = "imported", _("迁移导入")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="benefit_decisions",
                               verbose_name=_("参保人"))
    conclusion = models.ForeignKey(Conclusion, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="decisions", verbose_name=_("评估结论"))
    benefit_class = models.CharField(_("待遇类别"), max_length=10, choices=BenefitClass.choices, blank=True)
    care_form = models.CharField(_("护理形式"), max_length=24, choices=CareForm.choices)
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="benefit_decisions", verbose_name=_("服务机构"))
    carer_trained = models.BooleanField(_("亲情照护人员已培训"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=14, choices=EndReason.choices, blank=True)
    imported = models.BooleanField(_("迁移导入"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("待遇核定")
        verbose_name_plural = _("待遇核定")
        ordering = ["person", "-starts_on"]
        constraints = [
            ExclusionConstraint(
                name="decision_no_overlap",
                expressions=[("person", RangeOperators.EQUAL),
                             (DateRangeFunc("starts_on", "ends_on"), RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="decision_end_after_start"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.care_form} {self.starts_on}..{self.ends_on or ''}"


class Admission(models.Model):
    """A residential stay on a registered bed; admission day counts, discharge day does not."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="admissions",
                               verbose_name=_("参保人"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="admissions",
                                    verbose_name=_("机构"))
    bed = models.ForeignKey(Bed, null=True, blank=True, on_delete=models.PROTECT, related_name="admissions",
                            verbose_name=_("床位"))
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("出院/退住日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        constraints = [
            # [admitted_on, discharged_on): the discharge day is free for the next occupant.
            ExclusionConstraint(
                name="bed_single_occupant",
                expressions=[("bed", RangeOperators.EQUAL),
                             (models.Func("admitted_on", "discharged_on", models.Value("[)"),
                                          function="daterange", output_field=models.DateField()),
                              RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self):
        return f"{self.person_id}@{self.institution_id} {self.admitted_on}..{self.discharged_on or ''}"


class HospitalStay(models.Model):
    """Inpatient stay from the medical insurance system (SPEC 11.3); discharge day is payable again."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hospital_stays",
                               verbose_name=_("参保人"))
    admitted_on = models.DateField(_("入院日期"))
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    hospital = models.CharField(_("医院"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("住院记录")
        verbose_name_plural = _("住院记录")
        constraints = [models.UniqueConstraint(fields=["person", "admitted_on"], name="hospital_stay_once")]

    def __str__(self):
        return f"{self.person_id} {self.admitted_on}..{self.discharged_on or ''}"


class RemoteResidence(models.Model):
    """异地就医备案: the person lives outside the city (remote cash allowance)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="remote_residences",
                               verbose_name=_("参保人"))
    valid_from = models.DateField(_("备案开始"))
    valid_to = models.DateField(_("备案结束"), null=True, blank=True)
    place = models.CharField(_("居住地"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异地居住备案")
        verbose_name_plural = _("异地居住备案")

    def __str__(self):
        return f"{self.person_id} {self.place}"
