"""Insured persons, coverage, contributions and their transactions (SPEC 3)."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ltci.core.fields import money_field
from ltci.core.formatting import amount
from ltci.core.models import ContactDetails, DatedQuerySet, DateRangeFunc, Validity


class InsuranceType(models.TextChoices):
    EMPLOYEE = "employee", _("职工医保")
    RESIDENT = "resident", _("居民医保")
    # Seed 003 二(一): 本级管理的离休干部、一至六级残疾军人 insured in LTCI without basic medical insurance.
    SPECIAL = "special", _("离休干部、一至六级残疾军人（未参加基本医保）")


class Category(models.TextChoices):
    """Person categories (SPEC 11.10)."""

    MEDICAL_AID = "medical_aid", _("医疗救助对象")
    DISABLED_SEVERE = "disabled_severe", _("一级/二级重度残疾人")
    FAMILY_PLANNING_RURAL = "family_planning_rural", _("农村计划生育家庭奖励扶助对象")
    RETIRED_CADRE = "retired_cadre", _("离休干部")
    DISABLED_VETERAN = "disabled_veteran", _("一至六级残疾军人")
    PUPIL = "pupil", _("中小学生")
    PRESCHOOL = "preschool", _("学龄前儿童")
    UNIVERSITY_STUDENT = "university_student", _("大学生")
    LOW_INCOME = "low_income", _("低保对象")
    EXTREME_POVERTY = "extreme_poverty", _("特困人员")
    FAMILY_PLANNING_SPECIAL = "family_planning_special", _("计生特殊家庭")


# How an individual contribution was paid (ContributionTransaction.channel; the imports also accept others).
PAYMENT_CHANNELS = [
    ("personal_account", _("个人账户划转")),
    ("account_credit", _("账户划入额抵扣")),
    ("fiscal", _("财政")),
    ("resident_premium", _("随居民医保费缴纳")),
    ("large_medical", _("随大额医疗费用补助缴纳")),
    ("cash", _("现金")),
    ("family_account", _("家庭共济（亲属个人账户）")),
]


def subsidy_category_label(code: str) -> str:
    """The label of a fiscal-subsidy category: a person category, or the age rule's ``resident_age_<N>``."""
    if not code:
        return ""
    if code in Category.values:
        return str(Category(code).label)
    if code.startswith("resident_age_") and code.removeprefix("resident_age_").isdigit():
        return str(_("%(age)s周岁以上城乡居民") % {"age": code.removeprefix("resident_age_")})
    return code


class EndReason(models.TextChoices):
    DIED = "died", _("死亡")
    MOVED_OUT = "moved_out", _("转出")
    STOPPED = "stopped", _("停保")


class Person(models.Model):
    """One LTCI record for life per resident ID number (SPEC 3.1)."""

    national_id = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    insurance_type = models.CharField(_("险种"), max_length=10, choices=InsuranceType.choices)
    region_code = models.CharField(_("参保地"), max_length=6, db_index=True)
    categories = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name=_("人员类别")
    )
    has_personal_account = models.BooleanField(_("有个人账户"), default=False)
    village_code = models.CharField(_("村/社区"), max_length=20, blank=True)
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    first_applied_on = models.DateField(
        _("首次申请长护险待遇日期"),
        null=True,
        blank=True,
        help_text=_("最早一次失能评估申请的日期（评估申请或迁移导入的结论记录），用于等待期豁免"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参保人")
        verbose_name_plural = _("参保人")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["insurance_type", "region_code"]),
            GinIndex(fields=["categories"]),
        ]

    def __str__(self):
        from ltci.core.idnumber import mask_id

        return f"{self.name} {mask_id(self.national_id)}"

    @property
    def region_label(self) -> str:
        from .regions import region_label

        return region_label(self.region_code)


class CoveragePeriod(models.Model):
    """A period in which the person is insured; inclusive of both ends (SPEC 5.2 dates)."""

    class StartReason(models.TextChoices):
        ENROLLED = "enrolled", _("参保")
        MOVED_IN = "moved_in", _("转入")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="coverage", verbose_name=_("参保人")
    )
    insurance_type = models.CharField(_("险种"), max_length=10, choices=InsuranceType.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    start_reason = models.CharField(
        _("开始原因"), max_length=10, choices=StartReason.choices, default=StartReason.ENROLLED
    )
    end_reason = models.CharField(_("结束原因"), max_length=10, choices=EndReason.choices, blank=True)
    history = HistoricalRecords()

    validity = Validity("start", "end")
    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参保期间")
        verbose_name_plural = _("参保期间")
        ordering = ["person", "start"]
        constraints = [
            ExclusionConstraint(
                name="coverage_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRangeFunc("start", "end"), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="coverage_end_after_start"
            ),
        ]

    def __str__(self):
        return _("参保期间 %(start)s 至 %(end)s") % {"start": self.start, "end": self.end or _("今")}


class Contribution(models.Model):
    """One record per person per year with its source split and status (SPEC 3.3)."""

    class Status(models.TextChoices):
        DUE = "due", _("应缴")
        PAID = "paid", _("已缴足")
        PARTLY_PAID = "partly_paid", _("部分缴纳")
        ARREARS = "arrears", _("欠费")
        WAIVED = "waived", _("全额补助")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("参保人")
    )
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    insurance_type = models.CharField(_("险种"), max_length=10, choices=InsuranceType.choices)
    region_code = models.CharField(_("参保地"), max_length=6)
    total_amount = money_field(_("年筹资标准"))
    individual_amount = money_field(_("个人缴费"))
    pooled_fund_amount = money_field(_("医保统筹基金划转"), default=0)
    fiscal_amount = money_field(_("财政补助"), default=0)
    employer_amount = money_field(_("单位缴费"), default=0)
    subsidised = models.BooleanField(_("个人部分由财政全额补助"), default=False)
    subsidy_category = models.CharField(_("补助类别"), max_length=40, blank=True)
    individual_paid = money_field(_("个人部分已缴"), default=0)
    status = models.CharField(_("缴费状态"), max_length=12, choices=Status.choices, default=Status.DUE)
    due_by = models.DateField(_("缴费期限"))
    fully_paid_on = models.DateField(_("缴足日期"), null=True, blank=True)
    booked_on = models.DateField(
        _("年度批处理记账日期"),
        null=True,
        blank=True,
        help_text=_("个人账户划转的记账日期；此后的账户划入额用于抵扣欠费"),
    )
    policy_record = models.ForeignKey(
        "core.PolicyRecord", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("适用标准")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度缴费")
        verbose_name_plural = _("年度缴费")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_contribution_per_person_year"),
            models.CheckConstraint(
                condition=Q(individual_paid__gte=0), name="contribution_paid_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["year", "region_code"]),
            # The arrears work queue of the staff dashboard counts these (few rows among millions).
            models.Index(fields=["year"], condition=Q(status="arrears"), name="contribution_arrears"),
        ]

    def __str__(self):
        return _("%(year)s年度缴费（%(status)s）") % {"year": self.year, "status": self.get_status_display()}

    def get_subsidy_category_display(self) -> str:
        return subsidy_category_label(self.subsidy_category)

    @property
    def outstanding(self):
        return max(self.individual_amount - self.individual_paid, 0) if not self.subsidised else 0


class ContributionTransaction(models.Model):
    """An immutable money movement on a contribution (transfer, payment, recovery, subsidy)."""

    class Kind(models.TextChoices):
        ACCOUNT_TRANSFER = "account_transfer", _("个人账户划转")
        ARREARS_RECOVERY = "arrears_recovery", _("账户划入额抵扣欠费")
        PAYMENT = "payment", _("缴费")
        FISCAL_SUBSIDY = "fiscal_subsidy", _("财政全额补助")

    # Not a database constraint: contributions are partitioned by year and PostgreSQL cannot refer to them by id
    # alone; check triggers (ltci.core.partitions.reference_check_sql) refuse a dangling id instead.
    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("年度缴费"),
        db_constraint=False,
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    amount = money_field(_("金额"))
    occurred_on = models.DateField(_("发生日期"))
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    payer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paid_for",
        verbose_name=_("付款人"),
    )
    account_event = models.ForeignKey(
        "AccountEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recoveries",
        verbose_name=_("抵扣来源账户划入"),
    )
    source_key = models.CharField(_("来源标识"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("缴费交易")
        verbose_name_plural = _("缴费交易")
        indexes = [models.Index(fields=["occurred_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {amount(self.amount)} {self.occurred_on}"

    def get_channel_display(self) -> str:
        return str(dict(PAYMENT_CHANNELS).get(self.channel, self.channel))


class AccountEvent(models.Model):
    """Personal medical account balance snapshots and credits from the medical insurance system (SPEC 11.2)."""

    class Event(models.TextChoices):
        BALANCE = "balance", _("余额")
        CREDIT = "credit", _("划入")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="account_events", verbose_name=_("参保人")
    )
    event = models.CharField(_("事件"), max_length=10, choices=Event.choices)
    amount = money_field(_("金额"))
    occurred_on = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人账户事件")
        verbose_name_plural = _("个人账户事件")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "event", "occurred_on", "amount"], name="account_event_once"
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} {amount(self.amount)} {self.occurred_on}"


class FundIncome(models.Model):
    """Income booked by the yearly run and donations: by source and region (SPEC 3.2, 3.3, 7.3)."""

    class Source(models.TextChoices):
        POOLED_FUND = "pooled_fund", _("医保统筹基金划转")
        FISCAL = "fiscal", _("财政补助")
        FISCAL_CITY = "fiscal_city", _("市级财政补助")
        FISCAL_DISTRICT = "fiscal_district", _("区级财政补助")
        FISCAL_SUBSIDY = "fiscal_subsidy", _("财政代缴个人部分")
        EMPLOYER = "employer", _("单位缴费")
        COLLECTIVE_CITY = "collective_city", _("市级集体补助")
        COLLECTIVE_TOWN = "collective_town", _("镇级集体补助")
        DONATION = "donation", _("社会捐助")
        INTEREST = "interest", _("利息")

    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    region_code = models.CharField(_("地区"), max_length=20, blank=True)
    headcount = models.IntegerField(_("人数"), default=0)
    amount = money_field(_("金额"))
    booked_on = models.DateField(_("入账日期"))
    donor = models.CharField(_("捐助方"), max_length=200, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    source_key = models.CharField(_("来源标识"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("基金收入")
        verbose_name_plural = _("基金收入")
        indexes = [models.Index(fields=["year", "source", "region_code"])]

    def __str__(self):
        return f"{self.year} {self.get_source_display()} {self.region_code or ''} {amount(self.amount)}"


class CollectiveSubsidy(models.Model):
    """Subsidies paid to a village/community collective (村/社区集体) per insured resident head (Jinjiang, SPEC
    3.2): not fund income; they reach the fund only as the individual parts the collective pays."""

    class Payer(models.TextChoices):
        CITY = "city", _("市级财政")
        TOWN = "town", _("镇（街道）")

    year = models.PositiveSmallIntegerField(_("年度"))
    payer = models.CharField(_("补助方"), max_length=10, choices=Payer.choices)
    region_code = models.CharField(_("地区"), max_length=20)
    village_code = models.CharField(_("村/社区"), max_length=20, blank=True)
    headcount = models.IntegerField(_("人数"), default=0)
    amount = money_field(_("金额"))
    booked_on = models.DateField(_("记账日期"))
    source_key = models.CharField(_("来源标识"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("村集体补助")
        verbose_name_plural = _("村集体补助")
        indexes = [models.Index(fields=["year", "region_code", "village_code"])]

    def __str__(self):
        return f"{self.year} {self.payer} {self.region_code} {self.village_code} {amount(self.amount)}"


class FamilyRelation(models.Model):
    """The relations register of the roster system: whose employee account may pay for whom (seed 000 三(三):
    职工医保个人账户可为其父母、配偶、子女缴纳长护险费用). ``relation`` is what ``person`` is to ``payer``."""

    class Relation(models.TextChoices):
        PARENT = "parent", _("父母")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")

    payer = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relatives", verbose_name=_("账户持有人")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="family_payers", verbose_name=_("参保人")
    )
    relation = models.CharField(_("亲属关系"), max_length=10, choices=Relation.choices)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("亲属关系")
        verbose_name_plural = _("亲属关系")
        constraints = [
            models.UniqueConstraint(fields=["payer", "person"], name="one_family_relation_per_pair"),
            models.CheckConstraint(condition=~Q(payer=models.F("person")), name="family_relation_not_self"),
        ]

    def __str__(self):
        return f"{self.payer} → {self.person}（{self.get_relation_display()}）"


class PersonContact(ContactDetails):
    """How the office reaches an insured person (issue 19): mobile, e-mail, postal address, consent, channel."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="contact", verbose_name=_("参保人")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self):
        return str(self.person)


class WageBase(models.Model):
    """A person's yearly wage base (seed 004 五: 个人缴费基数为本人工资收入) with the employer that pays the wage
    (单位缴费基数为职工工资总额: the sum over its employees), imported from the payroll system
    (`import_wage_bases`). Read by a rate standard with ``base_from: wage_base``."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="wage_bases", verbose_name=_("参保人")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    employer_code = models.CharField(_("用人单位统一社会信用代码"), max_length=18, db_index=True)
    amount = money_field(_("年缴费基数"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("缴费基数")
        verbose_name_plural = _("缴费基数")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_wage_base_per_person_year"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="wage_base_positive"),
        ]

    def __str__(self):
        return f"{self.year} {self.person} {amount(self.amount)}"


class EmployerPayment(models.Model):
    """An employer's payment of its part (seed 004 五: 单位缴费), from the collection system's payment records
    (`import_employer_payments`); the fund's employer income is booked from these, not from the contributions'
    employer parts (which say what is due)."""

    employer_code = models.CharField(_("用人单位统一社会信用代码"), max_length=18, db_index=True)
    region_code = models.CharField(_("地区"), max_length=6)
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    amount = money_field(_("金额"))
    paid_on = models.DateField(_("缴费日期"))
    reference = models.CharField(_("缴费凭证号"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("单位缴费记录")
        verbose_name_plural = _("单位缴费记录")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="employer_payment_positive")]

    def __str__(self):
        return f"{self.employer_code} {self.year} {amount(self.amount)}"
