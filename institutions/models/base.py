"""Agreement institutions, agreements, beds, caregivers (SPEC 6)."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ltci.core.fields import money_field
from ltci.core.formatting import login
from ltci.core.models import ContactDetails, DatedQuerySet, DateRangeFunc, Validity


class InstitutionType(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("养老机构")
    MEDICAL = "medical", _("医疗机构")
    COMMUNITY = "community", _("社区养老服务机构")
    HOME_CARE = "home_care", _("居家上门服务企业")
    ASSESSMENT_AGENCY = "assessment_agency", _("评估机构")
    DEVICE_PROVIDER = "device_provider", _("辅具服务机构")


class CareForm(models.TextChoices):
    """Care-form codes (SPEC 5.2)."""

    RESIDENTIAL = "residential", _("入住协议机构")
    HOME_VISITS = "home_visits", _("居家上门服务")
    HOME_FAMILY = "home_family", _("亲情照护+上门服务")
    REMOTE_CASH = "remote_cash", _("异地居住现金补助")
    HOME_PACKAGE_COPAY = "home_package_copay", _("居家服务包")
    DAILY_ALLOWANCE = "daily_allowance", _("居家护理日补助")
    COMMUNITY = "community", _("社区护理")
    DEVICE = "device", _("辅助器具")
    PREVENTION = "prevention", _("失能预防")
    RELIEF = "relief", _("困难失能对象临时救助（一事一议）")

    @classmethod
    def agreement_choices(cls) -> list[tuple[str, str]]:
        """The forms an agreement may cover: every form but relief (一事一议), which the office decides and pays
        to a person itself, never care by an institution."""
        return [(code, label) for code, label in cls.choices if code != cls.RELIEF]


class Institution(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        QUALIFICATION_REVIEW = "qualification_review", _("资格审核")
        ONSITE_EVALUATION = "onsite_evaluation", _("现场评估")
        ACTIVE = "active", _("协议生效")
        SUSPENDED = "suspended", _("暂停定点")
        TERMINATED = "terminated", _("解除协议")

    code = models.CharField(_("机构编码"), max_length=30, unique=True)
    name = models.CharField(_("机构名称"), max_length=200)
    type = models.CharField(_("机构类型"), max_length=20, choices=InstitutionType.choices)
    region_code = models.CharField(_("所在地区"), max_length=6)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("结算账号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.APPLIED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协议机构")
        verbose_name_plural = _("协议机构")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Agreement(models.Model):
    """A service agreement: term, care forms, agreed prices, insurance (SPEC 6)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        ACTIVE = "active", _("生效")
        SUSPENDED = "suspended", _("暂停")
        TERMINATED = "terminated", _("解除")
        EXPIRED = "expired", _("到期")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("机构")
    )
    valid_from = models.DateField(_("协议开始"))
    valid_to = models.DateField(_("协议结束"))
    care_forms = ArrayField(
        models.CharField(max_length=24, choices=CareForm.choices), default=list, verbose_name=_("服务形式")
    )
    price_life = money_field(_("生活照料约定日价"), null=True, blank=True)
    price_medical = money_field(_("医疗护理约定日价"), null=True, blank=True)
    insurance_expires_on = models.DateField(_("责任险到期日"), null=True, blank=True)
    deposit_rate = models.DecimalField(
        _("质量保证金比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    terminated_on = models.DateField(_("解除日期"), null=True, blank=True)
    renews = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        verbose_name=_("续签自"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    validity = Validity("valid_from", "valid_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务协议")
        verbose_name_plural = _("服务协议")
        ordering = ["institution", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="agreement_term_order"
            ),
            # Two agreements of one institution in force (or suspended) never overlap.
            ExclusionConstraint(
                name="agreement_no_overlap",
                expressions=[
                    ("institution", RangeOperators.EQUAL),
                    (DateRangeFunc("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
                condition=Q(state__in=["active", "suspended"]),
            ),
        ]

    def __str__(self):
        return _("服务协议 %(start)s 至 %(end)s（%(state)s）") % {
            "start": self.valid_from,
            "end": self.valid_to,
            "state": self.get_state_display(),
        }

    @property
    def care_form_labels(self) -> list[str]:
        return [str(CareForm(c).label) if c in CareForm.values else c for c in self.care_forms]


class Bed(models.Model):
    """A registered bed (床位备案), identified by its label within the institution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="beds", verbose_name=_("机构")
    )
    label = models.CharField(_("床位号"), max_length=30)
    registered_from = models.DateField(_("备案日期"))
    registered_to = models.DateField(_("撤销日期"), null=True, blank=True)
    history = HistoricalRecords()

    validity = Validity("registered_from", "registered_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案床位")
        verbose_name_plural = _("备案床位")
        ordering = ["institution", "label"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "label"], name="bed_label_unique"),
            models.CheckConstraint(
                condition=Q(registered_to__isnull=True) | Q(registered_to__gte=models.F("registered_from")),
                name="bed_period_order",
            ),
        ]

    def __str__(self):
        return f"{self.institution_id}/{self.label}"


class BedUse(models.Model):
    """A stay on a registered bed, kept by the database: PostgreSQL triggers on the admissions table (created
    by the app that records admissions, benefits migration 0009) write one row per admission with a bed, so
    institutions counts the residents on its beds from its own table. Never written by Python code.

    Like the admission it mirrors, a use occupies its bed from ``start`` until the day before ``end``.
    """

    source_id = models.BigIntegerField(_("入住记录号"), primary_key=True)
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="uses", verbose_name=_("床位"))
    person_id = models.BigIntegerField(_("参保人编号"))
    start = models.DateField(_("入住日期"))
    end = models.DateField(_("出院/退住日期"), null=True, blank=True)

    validity = Validity("start", "end", end_inclusive=False)
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("床位使用")
        verbose_name_plural = _("床位使用")
        indexes = [models.Index(fields=["bed", "start"], name="beduse_bed_start")]

    def __str__(self):
        return f"{self.bed_id} {self.start}–{self.end or ''}"


class Caregiver(models.Model):
    national_id = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    qualification = models.CharField(_("资质"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("护理人员")
        verbose_name_plural = _("护理人员")

    def __str__(self):
        return self.name


class Employment(models.Model):
    """A caregiver's employment with an institution over time."""

    caregiver = models.ForeignKey(
        Caregiver, on_delete=models.CASCADE, related_name="employments", verbose_name=_("护理人员")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="employments", verbose_name=_("机构")
    )
    employed_from = models.DateField(_("入职日期"))
    employed_to = models.DateField(_("离职日期"), null=True, blank=True)
    history = HistoricalRecords()
    validity = Validity("employed_from", "employed_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("护理人员任职")
        verbose_name_plural = _("护理人员任职")
        constraints = [
            ExclusionConstraint(
                name="employment_no_overlap",
                expressions=[
                    ("caregiver", RangeOperators.EQUAL),
                    ("institution", RangeOperators.EQUAL),
                    (DateRangeFunc("employed_from", "employed_to"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(employed_to__isnull=True) | Q(employed_to__gte=models.F("employed_from")),
                name="employment_period_order",
            ),
        ]

    def __str__(self):
        return f"{self.caregiver_id}@{self.institution_id}"


class InstitutionUser(models.Model):
    """Links a login to one institution with a portal role."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")
        CLERK = "clerk", _("经办员")
        CAREGIVER = "caregiver", _("护理员")
        ASSESSOR = "assessor", _("评估员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="institution_link",
        verbose_name=_("登录用户"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="users", verbose_name=_("机构")
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("机构用户")
        verbose_name_plural = _("机构用户")

    def __str__(self):
        return f"{login(self.user)} {self.get_role_display()}"


class InstitutionContact(ContactDetails):
    """How the office reaches an institution (issue 19): its notices go to this mobile, e-mail or address."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="contact", verbose_name=_("机构")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("机构联系方式")
        verbose_name_plural = _("机构联系方式")

    def __str__(self):
        return str(self.institution)


class SickbedPartner(models.Model):
    """Home sickbeds (家庭病床, seed 001 五(三)1(1): "具备家庭病床服务资格的医疗机构可以与协议养老机构合作，在协议养老
    机构内为入住重度失能（失智）人员建立家庭病床"): a medical institution billing the medical bed-day of residents
    of a partner elderly-care institution, over the partnership's validity (both days inclusive)."""

    medical = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="sickbed_partners", verbose_name=_("医疗机构")
    )
    elderly_care = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="sickbed_providers",
        verbose_name=_("合作养老机构"),
    )
    valid_from = models.DateField(_("合作起始日期"))
    valid_to = models.DateField(_("合作终止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    validity = Validity("valid_from", "valid_to")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭病床合作")
        verbose_name_plural = _("家庭病床合作")
        constraints = [
            ExclusionConstraint(
                name="sickbed_partner_no_overlap",
                expressions=[
                    ("medical", RangeOperators.EQUAL),
                    ("elderly_care", RangeOperators.EQUAL),
                    (DateRangeFunc("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="sickbed_partner_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.medical} → {self.elderly_care}"
