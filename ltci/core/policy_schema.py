"""The declared schema of every policy kind (SPEC 2): fields, types, ranges and Chinese titles, once.

One pydantic model per kind (``payment_standard`` one per care form, ``contribution_standard`` one per form).
The same declaration checks pack files (``load_policy``), the admin form per kind, and every value a
calculation reads (``ltci.core.policy.policy_in_force``). A field typed ``X | None`` without a default is
required but may be null: a number left for staff to enter (the calculation that needs it stops naming it).
A field with a default in the model is optional in a pack file and its default is part of the schema.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

CENT = Decimal("0.01")
INSURANCE_TYPES = ("employee", "resident", "special")
# SPEC 11.10 person categories (the roster's `categories` codes)
CATEGORIES = (
    "medical_aid",
    "disabled_severe",
    "family_planning_rural",
    "retired_cadre",
    "disabled_veteran",
    "pupil",
    "preschool",
    "university_student",
    "low_income",
    "extreme_poverty",
    "family_planning_special",
)
BENEFIT_CLASSES = ("severe", "moderate", "mild")
INSTITUTION_TYPES = (
    "elderly_care",
    "medical",
    "community",
    "home_care",
    "assessment_agency",
    "device_provider",
)

Amount = Annotated[
    Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False), AfterValidator(lambda v: v.quantize(CENT))
]
Ratio = Annotated[Decimal, Field(ge=0, le=1, decimal_places=4, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, strict=False)]
if TYPE_CHECKING:  # at run time the literals' members are the tuples above; the checker sees strings
    Category = str
    BenefitClass = str
    InstitutionType = str
else:
    Category = Literal[CATEGORIES]
    BenefitClass = Literal[BENEFIT_CLASSES]
    InstitutionType = Literal[INSTITUTION_TYPES]


class Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parts_add_up(model, parts: tuple[str, ...], total: str):
    values = [getattr(model, p) for p in parts]
    if getattr(model, total) is not None and None not in values and sum(values) != getattr(model, total):
        raise ValueError(
            gettext("各部分之和 %(sum)s 不等于 %(total)s %(value)s")
            % {"sum": sum(values), "total": total, "value": getattr(model, total)}
        )
    return model


class Coverage(Value):
    covered: bool = Field(title=_("参保"))


class FixedContribution(Value):
    form: Literal["fixed"] = Field(title=_("筹资方式"))
    total: Amount | None = Field(title=_("筹资标准（元/人·年）"))
    individual: Amount | None = Field(title=_("个人缴费（元）"))
    pooled_fund: Amount = Field(Decimal("0.00"), title=_("医保统筹基金划转（元）"))
    fiscal: Amount = Field(Decimal("0.00"), title=_("财政补助（元）"))
    employer: Amount = Field(Decimal("0.00"), title=_("单位缴费（元）"))
    collective: bool = Field(False, title=_("以村（社区）为单位集体缴费"))

    @model_validator(mode="after")
    def _sum(self):
        return _parts_add_up(self, ("individual", "pooled_fund", "fiscal", "employer"), "total")


class RateContribution(Value):
    """Seed 004 (五): rates on a wage base, employer and individual "原则上按同比例分担". ``base_from``: one
    ``base`` for everyone (``fixed``) or each person's imported yearly wage base (``wage_base``,
    enrollment.WageBase: 本人工资收入; the employer's 职工工资总额 is the sum over its employees)."""

    form: Literal["rate"] = Field(title=_("筹资方式"))
    base: Amount | None = Field(title=_("缴费基数（元/年）"))
    individual_rate: Ratio | None = Field(title=_("个人费率"))
    employer_rate: Ratio | None = Field(title=_("单位费率"))
    base_from: Literal["fixed", "wage_base"] = Field("fixed", title=_("缴费基数来源"))


class FiscalSplit(Value):
    city: Ratio = Field(title=_("市级财政分担比例"))
    district: Ratio = Field(title=_("区级财政分担比例"))

    @model_validator(mode="after")
    def _sum(self):
        if self.city + self.district != 1:
            raise ValueError(
                gettext("市、区分担比例之和须为 1（现为 %(sum)s）") % {"sum": self.city + self.district}
            )
        return self


class SubsidisedCategories(Value):
    categories: list[Category] = Field(title=_("个人缴费由财政全额补助的人员类别"))
    resident_age_min: Annotated[int, Field(ge=0, le=150)] | None = Field(None, title=_("补助的居民最低年龄"))


class Collection(Value):
    deadline: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")] = Field(
        title=_("缴费截止日（月-日）")
    )
    run_month: Annotated[int, Field(ge=1, le=12)] = Field(title=_("年度筹资作业月份"))


class WaitingPeriod(Value):
    months: Annotated[int, Field(ge=0, le=60)] = Field(title=_("等待期（月）"))


class PartialYear(Value):
    first: Literal["full", "prorated"] = Field(title=_("制度首年不足一年的筹资"))
    last: Literal["full", "prorated"] = Field(title=_("制度末年不足一年的筹资"))


class WaitingExemption(Value):
    enrolled_before: dt.date = Field(title=_("在此日期前参保、且在本记录有效期内首次申请待遇者免等待期"))


class CollectiveSubsidy(Value):
    city: Amount | None = Field(title=_("市级补助（元/人）"))
    town: Amount | None = Field(title=_("镇级补助（元/人）"))


class FamilyPayment(Value):
    relations: list[Literal["parent", "spouse", "child"]] = Field(title=_("个人账户可代缴的亲属"))


class Assessment(Value):
    validity_months: Annotated[int, Field(ge=1, le=120)] = Field(title=_("评估结论有效期（月）"))
    notice_working_days: Count = Field(title=_("公示期（工作日）"))
    objection_reassess_working_days: Count = Field(title=_("异议重新评估期限（工作日）"))
    review_request_working_days: Count = Field(title=_("申请复核期限（工作日）"))
    reminder_days: Count = Field(title=_("到期提醒提前天数"))
    min_disability_months: Count = Field(title=_("申请前失能最短月数"))
    benefit_start: Literal["conclusion_date"] = Field(title=_("待遇起始"))


class AssessmentFee(Value):
    amount: Amount | None = Field(title=_("评估费（元）"))


class QualityDeposit(Value):
    rate: Ratio = Field(title=_("质量保证金预留比例"))


class Band(Value):
    min: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Field(title=_("考核分数下限"))
    rate: Ratio = Field(title=_("返还比例"))


class DepositRelease(Value):
    bands: list[Band] = Field(min_length=1, title=_("考核返还档次"))


class CoveredClasses(Value):
    classes: list[BenefitClass] = Field(min_length=1, title=_("享受待遇的失能等级"))


class HomeSickbed(Value):
    """Home sickbeds (家庭病床, seed 001 五(三)1(1)): the benefit classes whose residents of an elderly-care institution
    may have the medical bed-day billed by a partner medical institution (institutions.SickbedPartner), priced
    by the class's `residential:<class>:medical` standard."""

    classes: list[BenefitClass] = Field(min_length=1, title=_("可建家庭病床的失能等级"))


class FundRatioBonus(Value):
    points: Ratio = Field(title=_("基金支付比例提高"))
    categories: list[Category] = Field(title=_("适用人员类别"))


class Relief(Value):
    categories: list[Category] = Field(min_length=1, title=_("可申请临时救助的困难人员类别"))


class PreventionBudget(Value):
    yearly: Amount | None = Field(title=_("失能预防干预年度预算（元）"))


class ClaimDeadline(Value):
    day_of_next_month: Annotated[int, Field(ge=1, le=28)] = Field(title=_("申报截止日（次月几日）"))


class FundWarning(Value):
    months: Annotated[int, Field(ge=1, le=60)] = Field(title=_("结余预警月数"))
    admin_cost_ratio: Ratio | None = Field(
        None, title=_("经办及其他业务费用占筹资上限")
    )  # none: no such rule
    growth_threshold: Ratio = Field(title=_("月支出环比增长预警线"))
    reserve_from_surplus: bool = Field(False, title=_("从结余提取调剂金"))


class RecordChecks(Value):
    """Bounds a service record must keep when it is submitted (SPEC 7.1, issue 14)."""

    visit_min_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(title=_("上门服务最短时长（分钟）"))
    visit_max_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(title=_("上门服务最长时长（分钟）"))
    max_charge_visit: Amount = Field(title=_("每次上门服务收费上限（元）"))
    max_charge_bed_day: Amount = Field(title=_("每个床日收费上限（元）"))
    max_charge_device: Amount = Field(title=_("每条辅具记录收费上限（元）"))

    @model_validator(mode="after")
    def _min_below_max(self):
        if self.visit_min_minutes > self.visit_max_minutes:
            raise ValueError(gettext("最短时长不能大于最长时长"))
        return self


class AgreementChecks(Value):
    """Bounds an agreement's terms must keep when they are entered (SPEC 6, issue 14)."""

    max_daily_price: Amount = Field(title=_("约定日价上限（元）"))


# payment_standard: one model per care form (the key's first part)
class Residential(Value):
    daily: Amount | None = Field(title=_("床日费标准（元）"))
    fund_ratio: Ratio | None = Field(title=_("基金支付比例"))
    institution_types: list[InstitutionType] = Field(min_length=1, title=_("支付的机构类型"))


class MonthlyLimit(Value):
    monthly_limit: Amount | None = Field(title=_("月度限额（元）"))
    fund_ratio: Ratio | None = Field(title=_("基金支付比例"))


class HomeFamily(Value):
    daily_allowance: Amount | None = Field(title=_("亲情照护补贴（元/天）"))
    visits_monthly_limit: Amount | None = Field(title=_("机构上门照护月度标准（元）"))
    untrained_ratio: Ratio | None = Field(title=_("未通过培训的补贴比例"))
    fund_ratio: Ratio | None = Field(title=_("基金支付比例"))


class Daily(Value):
    daily: Amount | None = Field(title=_("每天标准（元）"))


class DailyWithRatio(Value):
    daily: Amount | None = Field(title=_("每天标准（元）"))
    fund_ratio: Ratio | None = Field(title=_("基金支付比例"))


class HomePackageCopay(Value):
    monthly_limit: Amount | None = Field(title=_("月度限额（元）"))
    visits_per_week: Annotated[int, Field(ge=0, le=21)] | None = Field(title=_("每周服务次数"))
    copay_per_visit: Amount | None = Field(title=_("个人自付（元/次）"))


class Device(Value):
    yearly_limit: Amount | None = Field(title=_("年度限额（元）"))
    fund_ratio: Ratio | None = Field(title=_("基金支付比例"))
    # Jinjiang (seed 003): 长期护理保险资金、慈善基金、个人三方按比例分担; the charity's share is part of what the
    # fund does not pay (the line's personal amount), shown apart in the line's details
    charity_ratio: Ratio = Field(Decimal("0"), title=_("慈善基金分担比例"))

    @model_validator(mode="after")
    def _shares(self):
        if self.fund_ratio is not None and self.fund_ratio + self.charity_ratio > 1:
            raise ValueError(gettext("基金与慈善基金分担比例之和不能大于 1"))
        return self


CARE_FORMS: dict[str, type[Value]] = {
    "residential": Residential,
    "home_visits": MonthlyLimit,
    "home_family": HomeFamily,
    "remote_cash": Daily,
    "daily_allowance": Daily,
    "home_package_copay": HomePackageCopay,
    "device": Device,
    "community": DailyWithRatio,
    "prevention": MonthlyLimit,
}


if TYPE_CHECKING:
    CareFormCode = str
else:
    CareFormCode = Literal[tuple(CARE_FORMS)]


class CombinedForms(Value):
    """The care forms a decision of the key's form also pays on its days (SPEC 5.1(4)); a form without a record
    is held alone (Xuzhou's 择一享受)."""

    forms: list[CareFormCode] = Field(title=_("同时享受的其他护理形式"))


@dataclass(frozen=True)
class Kind:
    """A policy kind: its title, the keys it accepts and the schema of its value."""

    code: str
    title: str
    key_pattern: str  # full-match regular expression for the record key
    key_help: str
    models: tuple[type[Value], ...]

    def model_for(self, key: str, value: dict | None = None) -> type[Value]:
        if self.code == "payment_standard":
            return CARE_FORMS[key.split(":", 1)[0]]
        if self.code == "contribution_standard":
            form = value.get("form") if isinstance(value, dict) else None
            return RateContribution if form == "rate" else FixedContribution
        return self.models[0]

    def key_ok(self, key: str) -> bool:
        return re.fullmatch(self.key_pattern, key) is not None


_TYPES = "|".join(INSURANCE_TYPES)
_CLASSES = "|".join(BENEFIT_CLASSES)
_STANDARD_KEY = (
    rf"(residential:({_CLASSES}):(life|medical))|"
    rf"(({'|'.join(f for f in CARE_FORMS if f != 'residential')})(:({_CLASSES}))?)"
)
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("coverage", _("参保范围"), _TYPES, "employee|resident|special", (Coverage,)),
        Kind(
            "contribution_standard",
            _("筹资标准"),
            rf"({_TYPES})(:({'|'.join(CATEGORIES)}))?",
            "employee|resident|special[:category]",
            (FixedContribution, RateContribution),
        ),
        Kind("fiscal_split", _("财政分担"), r"\d{6}", _("6位行政区划代码"), (FiscalSplit,)),
        Kind("subsidised_categories", _("财政补助个人缴费的人员"), r"\*", "*", (SubsidisedCategories,)),
        Kind("collection", _("缴费征收"), r"\*", "*", (Collection,)),
        Kind("waiting_period", _("等待期"), r"\*", "*", (WaitingPeriod,)),
        Kind("partial_year", _("不足一年的筹资"), r"\*", "*", (PartialYear,)),
        Kind("waiting_exemption", _("等待期豁免"), r"\*", "*", (WaitingExemption,)),
        Kind("collective_subsidy", _("集体参保补助"), "resident", "resident", (CollectiveSubsidy,)),
        Kind("family_payment", _("个人账户代缴亲属"), r"\*", "*", (FamilyPayment,)),
        Kind("assessment", _("评估程序"), r"\*", "*", (Assessment,)),
        Kind(
            "assessment_fee",
            _("评估费"),
            "first|office_ordered|review",
            "first|office_ordered|review",
            (AssessmentFee,),
        ),
        Kind("home_sickbed", _("家庭病床"), r"\*", "*", (HomeSickbed,)),
        Kind("quality_deposit", _("质量保证金"), r"\*", "*", (QualityDeposit,)),
        Kind("deposit_release", _("保证金返还"), r"\*", "*", (DepositRelease,)),
        Kind("covered_classes", _("享受待遇的失能等级"), r"\*", "*", (CoveredClasses,)),
        Kind(
            "payment_standard",
            _("待遇支付标准"),
            _STANDARD_KEY,
            _("照护形式[:失能等级][:life|medical]"),
            tuple(dict.fromkeys(CARE_FORMS.values())),
        ),
        Kind(
            "combined_forms",
            _("可同时享受的护理形式"),
            "|".join(CARE_FORMS),
            _("核定的护理形式"),
            (CombinedForms,),
        ),
        Kind("fund_ratio_bonus", _("特殊人群支付比例提高"), r"\*", "*", (FundRatioBonus,)),
        Kind("relief", _("困难失能对象临时救助（一事一议）"), r"\*", "*", (Relief,)),
        Kind("prevention_budget", _("失能预防干预年度预算"), r"\*", "*", (PreventionBudget,)),
        Kind("claim_deadline", _("申报截止日"), r"\*", "*", (ClaimDeadline,)),
        Kind("fund_warning", _("基金预警"), r"\*", "*", (FundWarning,)),
        Kind("record_checks", _("服务记录录入校验"), r"\*", "*", (RecordChecks,)),
        Kind("agreement_checks", _("协议录入校验"), r"\*", "*", (AgreementChecks,)),
    )
}


@dataclass(frozen=True)
class FieldError:
    """One problem of a record: the field (dotted path, "" for the whole value) and the reason."""

    field: str
    reason: str
    value: object = None

    def __str__(self):
        shown = f" = {self.value!r}" if self.value is not None else ""
        return f"{self.field or 'value'}{shown}: {self.reason}"


def _reason(err: ErrorDetails, model: type[Value]) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "missing":
        return gettext("缺少此字段")
    if kind == "extra_forbidden":
        return gettext("未知字段（可用字段：%(fields)s）") % {"fields": ", ".join(model.model_fields)}
    if kind in ("greater_than_equal", "greater_than"):
        return gettext("不能小于 %(limit)s") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return gettext("不能大于 %(limit)s") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "decimal_max_places":
        return gettext("最多 %(n)s 位小数") % {"n": ctx.get("decimal_places")}
    if kind.startswith("decimal") or kind in ("finite_number",):
        return gettext("须为数字")
    if kind.startswith("int"):
        return gettext("须为整数")
    if kind.startswith("bool"):
        return gettext("须为 true 或 false")
    if kind.startswith("date"):
        return gettext("须为 ISO 日期（YYYY-MM-DD）")
    if kind == "literal_error":
        return gettext("须为以下之一：%(expected)s") % {"expected": ctx.get("expected")}
    if kind == "list_type":
        return gettext("须为列表")
    if kind == "too_short":
        return gettext("至少需要一项")
    if kind == "string_pattern_mismatch":
        return gettext("格式不符")
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def validate_value(kind: str, key: str, value) -> tuple[Value | None, list[FieldError]]:
    """Validate one record's key and value against its kind's schema; (model or None, errors).

    A null value is valid (a standard left for staff).
    """
    declared = KINDS.get(kind)
    if declared is None:
        return None, [
            FieldError("kind", gettext("未知类别（可用类别：%(kinds)s）") % {"kinds": ", ".join(KINDS)}, kind)
        ]
    if not declared.key_ok(key):
        return None, [
            FieldError("key", gettext("本类别的键须为 %(pattern)s") % {"pattern": declared.key_help}, key)
        ]
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [FieldError("value", gettext("须为字段表（或 null：留待经办人员录入）"), value)]
    model = declared.model_for(key, value)
    try:
        return model.model_validate(value), []
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            shown = (
                err.get("input")
                if err["type"] != "missing" and not isinstance(err.get("input"), dict)
                else None
            )
            errors.append(FieldError(path, _reason(err, model), shown))
        return None, errors


def canonical(model: Value | None):
    """The JSON stored for a validated value: amounts as strings with two decimals, dates ISO."""
    return None if model is None else model.model_dump(mode="json")
