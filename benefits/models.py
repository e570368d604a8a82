"""Benefit decisions, residential admissions and hospital stays (SPEC 5)."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.models import Conclusion
from enrollment.models import Person
from institutions.models import Bed, CareForm, Institution
from ltci.core.models import ContactDetails, DatedQuerySet, DateRangeFunc, Validity


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
        COVERAGE_ENDED = "coverage_ended", _("停保")
        IMPORTED = "imported", _("迁移导入")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="benefit_decisions", verbose_name=_("参保人")
    )
    conclusion = models.ForeignKey(
        Conclusion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("评估结论"),
    )
    benefit_class = models.CharField(_("待遇类别"), max_length=10, choices=BenefitClass.choices, blank=True)
    care_form = models.CharField(_("护理形式"), max_length=24, choices=CareForm.choices)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefit_decisions",
        verbose_name=_("服务机构"),
    )
    carer_trained = models.BooleanField(_("亲情照护人员已培训"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=14, choices=EndReason.choices, blank=True)
    imported = models.BooleanField(_("迁移导入"), default=False)
    policy_scheme = models.ForeignKey(
        "core.PolicyScheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("政策方案"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("核定人"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    validity = Validity("starts_on", "ends_on")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("待遇核定")
        verbose_name_plural = _("待遇核定")
        ordering = ["person", "-starts_on"]
        indexes = [models.Index(fields=["institution", "starts_on"]), models.Index(fields=["ends_on"])]
        constraints = [
            ExclusionConstraint(
                name="decision_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRangeFunc("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="decision_end_after_start",
            ),
        ]

    def __str__(self):
        return _("%(form)s %(start)s 至 %(end)s") % {
            "form": self.get_care_form_display(),
            "start": self.starts_on,
            "end": self.ends_on or _("今"),
        }


# A stay (residential admission, hospital stay) from its first day up to, not including, the day it ends: the
# discharge day is free for the next occupant and payable again (SPEC 5.2 dates).
STAY = Validity("admitted_on", "discharged_on", end_inclusive=False)


class Admission(models.Model):
    """A residential stay on a registered bed; admission day counts, discharge day does not."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("参保人")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("机构")
    )
    bed = models.ForeignKey(
        Bed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="admissions",
        verbose_name=_("床位"),
    )
    admitted_on = models.DateField(_("入住日期"))
    discharged_on = models.DateField(_("出院/退住日期"), null=True, blank=True)
    history = HistoricalRecords()

    validity = STAY
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("入住记录")
        verbose_name_plural = _("入住记录")
        constraints = [
            # [admitted_on, discharged_on): the discharge day is free for the next occupant.
            ExclusionConstraint(
                name="bed_single_occupant",
                expressions=[
                    ("bed", RangeOperators.EQUAL),
                    (STAY.date_range(), RangeOperators.OVERLAPS),
                ],
            ),
            ExclusionConstraint(
                name="admission_one_place_per_person",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (STAY.date_range(), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=models.F("admitted_on")),
                name="admission_discharge_after_admission",
            ),
        ]
        indexes = [models.Index(fields=["institution", "admitted_on"])]

    def __str__(self):
        return f"{self.person_id}@{self.institution_id} {self.admitted_on}..{self.discharged_on or ''}"


class HospitalStay(models.Model):
    """Inpatient stay from the medical insurance system (SPEC 11.3); discharge day is payable again."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="hospital_stays", verbose_name=_("参保人")
    )
    admitted_on = models.DateField(_("入院日期"))
    discharged_on = models.DateField(_("出院日期"), null=True, blank=True)
    hospital = models.CharField(_("医院"), max_length=200)
    history = HistoricalRecords()

    validity = STAY
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("住院记录")
        verbose_name_plural = _("住院记录")
        constraints = [
            models.UniqueConstraint(fields=["person", "admitted_on"], name="hospital_stay_once"),
            # [admitted_on, discharged_on): a readmission on the discharge day does not overlap.
            ExclusionConstraint(
                name="hospital_stay_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (STAY.date_range(), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=models.F("admitted_on")),
                name="hospital_stay_discharge_after_admission",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.admitted_on}..{self.discharged_on or ''}"


class OtherFundBenefit(models.Model):
    """Care paid by the work-injury or the maternity insurance (SPEC 5.1 condition 5: not receiving those
    benefits for the same care). From the social insurance system (import_other_fund_benefits); on its days
    the long-term care fund pays none of the person's care (EXCLUDED_OTHER_FUND). Both dates are included."""

    class Fund(models.TextChoices):
        WORK_INJURY = "work_injury", _("工伤保险")
        MATERNITY = "maternity", _("生育保险")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="other_fund_benefits", verbose_name=_("参保人")
    )
    fund = models.CharField(_("支付险种"), max_length=16, choices=Fund.choices)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    reference = models.CharField(_("业务编号"), max_length=64, blank=True)
    history = HistoricalRecords()

    validity = Validity("starts_on", "ends_on")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工伤生育待遇")
        verbose_name_plural = _("工伤生育待遇")
        constraints = [
            models.UniqueConstraint(fields=["person", "fund", "starts_on"], name="other_fund_once"),
            ExclusionConstraint(
                name="other_fund_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    ("fund", RangeOperators.EQUAL),
                    (DateRangeFunc("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="other_fund_ends_after_start",
            ),
        ]

    def __str__(self):
        return _("%(fund)s %(start)s 至 %(end)s") % {
            "fund": self.get_fund_display(),
            "start": self.starts_on,
            "end": self.ends_on or _("今"),
        }


class RemoteResidence(models.Model):
    """异地就医备案: the person lives outside the city (remote cash allowance)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="remote_residences", verbose_name=_("参保人")
    )
    valid_from = models.DateField(_("备案开始"))
    valid_to = models.DateField(_("备案结束"), null=True, blank=True)
    place = models.CharField(_("居住地"), max_length=200, blank=True)
    history = HistoricalRecords()

    validity = Validity("valid_from", "valid_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("异地居住备案")
        verbose_name_plural = _("异地居住备案")

    def __str__(self):
        return f"{self.person_id} {self.place}"


class EventCursor(models.Model):
    """The last event id a consumer has processed (ConclusionEvent for the daily housekeeping)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    last_id = models.BigIntegerField(_("最后处理的事件"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("事件处理进度")
        verbose_name_plural = _("事件处理进度")

    def __str__(self):
        return f"{self.name} {self.last_id}"


class InsuredAccount(models.Model):
    """Login of an insured person or an agent on the status page (SPEC 8): national ID + password.

    The first activation (and a password reset through staff) uses a one-time code issued by staff;
    only its hash is stored. ``person`` is empty for an agent or guardian who is not insured here.
    """

    national_id = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    person = models.OneToOneField(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insured_account",
        verbose_name=_("参保人"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="insured_account",
        verbose_name=_("登录用户"),
    )
    activation_code_hash = models.CharField(_("激活码（哈希）"), max_length=128, blank=True)
    code_issued_at = models.DateTimeField(_("激活码签发时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["activation_code_hash"])

    class Meta:
        verbose_name = _("参保人网上账户")
        verbose_name_plural = _("参保人网上账户")

    def __str__(self):
        from ltci.core.idnumber import mask_id

        return f"{self.name} {mask_id(self.national_id)}"


class AgentLink(models.Model):
    """An agent (代办人) or guardian (监护人) linked by staff to act for a principal on the status page."""

    class Relation(models.TextChoices):
        AGENT = "agent", _("代办人")
        GUARDIAN = "guardian", _("监护人")

    account = models.ForeignKey(
        InsuredAccount, on_delete=models.CASCADE, related_name="agent_links", verbose_name=_("代办人账户")
    )
    principal = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="agent_links", verbose_name=_("被代办参保人")
    )
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices, default=Relation.AGENT)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    history = HistoricalRecords()

    validity = Validity("valid_from", "valid_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("代办/监护关系")
        verbose_name_plural = _("代办/监护关系")
        constraints = [
            models.UniqueConstraint(fields=["account", "principal", "valid_from"], name="agent_link_once")
        ]

    def __str__(self):
        return f"{self.account_id} → {self.principal_id}（{self.get_relation_display()}）"


class ReliefGrant(models.Model):
    """Relief for a person of a poor family decided case by case (一事一议, Jinjiang seed 003 (六)): the approved
    measures and amount, paid to the person by the settlement of ``month`` (a line of form ``relief``)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relief_grants", verbose_name=_("参保人")
    )
    month = models.DateField(_("支付月份"), help_text=_("该月结算时支付（填该月任一日）"))
    amount = models.DecimalField(_("救助金额"), max_digits=12, decimal_places=2)
    measures = models.TextField(_("救助措施（待遇内容范围）"))
    approval_no = models.CharField(_("审批文号"), max_length=60, unique=True)
    approved_on = models.DateField(_("审批日期"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("临时救助（一事一议）")
        verbose_name_plural = _("临时救助（一事一议）")
        ordering = ["-month", "person_id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="relief_amount_positive")]

    def __str__(self):
        return f"{self.approval_no} {self.person} ¥{self.amount}"


class ServicePackage(models.Model):
    """The personal service package (服务包: items and standards) an institution files for one resident within
    the payment standard, kept on record by the office (备案, Xuzhou seed 001 五(二)1). A new filing for the
    same decision supersedes the earlier one; filings are never changed."""

    decision = models.ForeignKey(
        BenefitDecision, on_delete=models.PROTECT, related_name="service_packages", verbose_name=_("待遇核定")
    )
    filed_on = models.DateField(_("备案日期"))
    items = models.TextField(_("服务项目"), help_text=_("每行一项，或以分号分隔"))
    daily_amount = models.DecimalField(_("服务包标准（元/天）"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("个人服务包备案")
        verbose_name_plural = _("个人服务包备案")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(daily_amount__gt=0), name="package_amount_positive")
        ]

    def __str__(self):
        return f"{self.decision} {self.filed_on:%Y-%m-%d} ¥{self.daily_amount}"

    def item_list(self) -> list[str]:
        return [i.strip() for i in self.items.replace("；", ";").replace("\n", ";").split(";") if i.strip()]


class AgentContact(ContactDetails):
    """How the office reaches an agent or guardian with an online account (issue 19): they are told of the
    decisions and payouts of the persons they act for."""

    account = models.OneToOneField(
        InsuredAccount, on_delete=models.CASCADE, related_name="contact", verbose_name=_("代办人账户")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代办人联系方式")
        verbose_name_plural = _("代办人联系方式")

    def __str__(self):
        return str(self.account)
