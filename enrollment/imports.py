"""File formats of SPEC 11.1 and 11.2: roster, account events, payments.

Each importer parses and validates rows (field by field, RowError naming the field) and hands the valid
rows to a service in one transaction; cross-record checks happen in the service.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter, mul

from django.db import transaction
from django.utils.translation import gettext as _

from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import CHECK_CHARS, PROVINCES, parse_id_number
from ltci.core.import_fields import RowCheck, bool_parser, choice_parser, codes_parser, text_parser
from ltci.core.import_templates import EXAMPLE_PERSON, ImportFormat
from ltci.core.importing import ImportReport, run_import
from ltci.core.money import parse_amount

from .models import AccountEvent, Category, EndReason, InsuranceType
from .regions import parse_region, region_names
from .selectors import person_reference

ROSTER_COLUMNS = [
    "national_id",
    "name",
    "insurance_type",
    "region_code",
    "enrolled_on",
    "categories",
    "has_personal_account",
    "ended_on",
    "end_reason",
    "village_code",
]
ROSTER_OPTIONAL = ["village_code"]  # issue 18: Jinjiang collects by village/community (村/社区)
ACCOUNT_EVENT_COLUMNS = ["national_id", "event", "amount", "occurred_on"]
RELATION_COLUMNS = ["payer_national_id", "national_id", "relation"]
RELATION_LABELS = {
    "payer_national_id": "账户持有人公民身份号码",
    "national_id": "公民身份号码",
    "relation": "亲属关系",
}
PAYMENT_COLUMNS = ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"]
# seed 004 五: the payroll system's wage bases and the collection system's employer payment records
WAGE_BASE_COLUMNS = ["national_id", "year", "employer_code", "wage_base"]
WAGE_BASE_LABELS = {
    "national_id": "公民身份号码",
    "year": "年度",
    "employer_code": "用人单位统一社会信用代码",
    "wage_base": "年缴费基数",
}
EMPLOYER_PAYMENT_COLUMNS = ["employer_code", "year", "amount", "paid_on", "reference"]
EMPLOYER_PAYMENT_LABELS = {
    "employer_code": "用人单位统一社会信用代码",
    "year": "缴费年度",
    "amount": "金额",
    "paid_on": "缴费日期",
    "reference": "缴费凭证号",
}
# The Chinese column names a header may use instead of the codes (issue 14); the templates' header.
ROSTER_LABELS = {
    "national_id": "公民身份号码",
    "name": "姓名",
    "insurance_type": "险种",
    "region_code": "参保地",
    "enrolled_on": "参保日期",
    "categories": "人员类别",
    "has_personal_account": "有个人账户",
    "ended_on": "终止日期",
    "end_reason": "终止原因",
    "village_code": "村/社区代码",
}
ACCOUNT_EVENT_LABELS = {
    "national_id": "公民身份号码",
    "event": "账户事件",
    "amount": "金额",
    "occurred_on": "发生日期",
}
PAYMENT_LABELS = {
    "national_id": "公民身份号码",
    "year": "缴费年度",
    "amount": "缴费金额",
    "paid_on": "缴费日期",
    "channel": "缴费渠道",
    "payer_national_id": "代缴人公民身份号码",
}
ROSTER_FORMAT = ImportFormat(
    "import_roster",
    ROSTER_COLUMNS,
    ROSTER_LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "name": "张三",
        "insurance_type": "employee",
        "region_code": "320302",
        "enrolled_on": "2024-01-01",
        "has_personal_account": "true",
    },
)
ACCOUNT_EVENT_FORMAT = ImportFormat(
    "import_account_events",
    ACCOUNT_EVENT_COLUMNS,
    ACCOUNT_EVENT_LABELS,
    {"national_id": EXAMPLE_PERSON, "event": "balance", "amount": "500.00", "occurred_on": "2025-01-01"},
)
PAYMENT_FORMAT = ImportFormat(
    "import_payments",
    PAYMENT_COLUMNS,
    PAYMENT_LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "year": "2025",
        "amount": "20.00",
        "paid_on": "2025-01-15",
        "channel": "cash",
    },
)
RELATION_FORMAT = ImportFormat(
    "import_family_relations",
    RELATION_COLUMNS,
    RELATION_LABELS,
    {"payer_national_id": EXAMPLE_PERSON, "national_id": EXAMPLE_PERSON, "relation": "parent"},
)
WAGE_BASE_FORMAT = ImportFormat(
    "import_wage_bases",
    WAGE_BASE_COLUMNS,
    WAGE_BASE_LABELS,
    {
        "national_id": EXAMPLE_PERSON,
        "year": "2025",
        "employer_code": "91320302000000001X",
        "wage_base": "60000.00",
    },
)
EMPLOYER_PAYMENT_FORMAT = ImportFormat(
    "import_employer_payments",
    EMPLOYER_PAYMENT_COLUMNS,
    EMPLOYER_PAYMENT_LABELS,
    {
        "employer_code": "91320302000000001X",
        "year": "2025",
        "amount": "1200.00",
        "paid_on": "2025-01-20",
        "reference": "DW2025000001",
    },
)
# The person a row names (parsed as an IdNumber): unknown ones are reported even when the row fails parsing.
PERSON = person_reference(key=attrgetter("number"))
PAYMENT_CHANNELS = ("resident_premium", "large_medical", "cash", "family_account")


@dataclass(frozen=True)
class RosterRow:
    national_id: str
    name: str
    birth_date: dt.date
    sex: str
    insurance_type: str
    region_code: str
    enrolled_on: dt.date
    categories: tuple[str, ...]
    has_personal_account: bool
    ended_on: dt.date | None
    end_reason: str
    village_code: str = ""  # empty: the person's village is left as it is


@dataclass(frozen=True)
class AccountEventRow:
    national_id: str
    event: str
    amount: Decimal
    occurred_on: dt.date


@dataclass(frozen=True)
class PaymentRow:
    national_id: str
    year: int
    amount: Decimal
    paid_on: dt.date
    channel: str
    payer_national_id: str


@dataclass(frozen=True)
class WageBaseRow:
    national_id: str
    year: int
    employer_code: str
    wage_base: Decimal


@dataclass(frozen=True)
class EmployerPaymentRow:
    employer_code: str
    year: int
    amount: Decimal
    paid_on: dt.date
    reference: str


@dataclass(frozen=True)
class RelationRow:
    payer_national_id: str
    national_id: str
    relation: str


PAYMENT_CHANNEL_CHOICES = [
    ("resident_premium", _("随居民医保缴费")),
    ("large_medical", _("随大额医疗缴费")),
    ("cash", _("现金")),
    ("family_account", _("家庭共济账户")),
]
parse_bool = bool_parser()
_category_codes = codes_parser(Category.choices)


def parse_categories(text: str) -> tuple[str, ...]:
    return tuple(sorted(_category_codes(text)))


def parse_positive_amount(text: str) -> Decimal:
    value = parse_amount(text)
    if value <= 0:
        raise ValueError(_("%(text)s 必须大于 0") % {"text": text})
    return value


def parse_year(text: str) -> int:
    if len(text) != 4 or not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValueError(_("%(text)s 不是年份（YYYY）") % {"text": text})
    return int(text)


def parse_national_id(text: str):
    return parse_id_number(text)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_TYPES = {c.value for c in InsuranceType}
_BOOLS = {"true": True, "false": False, "TRUE": True, "FALSE": False, "True": True, "False": False}


def _fast_roster_row(values: dict[str, str]) -> RosterRow | None:
    """Parse a plain, valid row quickly; return None for anything unusual (the full parser then explains)."""
    number = values["national_id"]
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in PROVINCES:
        return None
    if CHECK_CHARS[sum(map(mul, map(int, number[:17]), _WEIGHTS)) % 11] != number[17]:
        return None
    name, itype, region = values["name"], values["insurance_type"], values["region_code"]
    account = _BOOLS.get(values["has_personal_account"])
    enrolled = values["enrolled_on"]
    if (
        not name
        or len(name) > 100
        or itype not in _TYPES
        or region not in region_names()
        or account is None
        or len(enrolled) != 10
        or values["ended_on"]
        or values["end_reason"]
        or values["categories"]
        or values.get("village_code")
        or itype == "special"
    ):
        return None
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        enrolled_on = dt.date.fromisoformat(enrolled)
    except ValueError:
        return None
    if birth.year < 1880 or birth > enrolled_on or enrolled_on > dt.date.today():  # noqa: DTZ011
        return None
    return RosterRow(
        number,
        name,
        birth,
        "M" if int(number[16]) % 2 else "F",
        itype,
        region,
        enrolled_on,
        (),
        account,
        None,
        "",
    )


def parse_roster_row(row: int, values: dict[str, str]) -> RosterRow:
    fast = _fast_roster_row(values)
    if fast is not None:
        return fast
    check = RowCheck(row, values)
    info = check.get("national_id", parse_national_id)
    name = check.get("name", text_parser(100))
    insurance_type = check.get("insurance_type", choice_parser(InsuranceType.choices))
    region = check.get("region_code", parse_region)
    enrolled_on = check.get("enrolled_on", parse_iso_date)
    categories = check.get("categories", parse_categories, required=False) or ()
    has_account = check.get("has_personal_account", parse_bool)
    ended_on = check.get("ended_on", parse_iso_date, required=False)
    end_reason = check.get("end_reason", choice_parser(EndReason.choices), required=False) or ""
    village = check.get("village_code", parse_village, required=False) or ""
    if village and region and not village.startswith(region):
        check.error(
            "village_code",
            _("%(village)s 不属于参保地 %(region)s（村/社区代码的前 6 位须为参保地代码）")
            % {"village": village, "region": region},
        )
    if insurance_type == "special" and not {"retired_cadre", "disabled_veteran"} & set(categories):
        check.error(
            "insurance_type",
            _("special（离休干部、一至六级残疾军人）须在人员类别中填写 retired_cadre 或 disabled_veteran"),
        )
    if ended_on and not end_reason and not check.failed("end_reason"):
        check.error("end_reason", _("填写了终止日期时必须填写（died 死亡, moved_out 转出, stopped 停保）"))
    if end_reason and not ended_on and not check.failed("ended_on"):
        check.error("ended_on", _("填写了终止原因时必须填写"))
    if ended_on and enrolled_on and ended_on < enrolled_on:
        check.error(
            "ended_on",
            _("%(end)s 早于参保日期 %(start)s")
            % {"end": ended_on.isoformat(), "start": enrolled_on.isoformat()},
        )
    if enrolled_on and info and enrolled_on < info.birth_date:
        check.error("enrolled_on", _("%(date)s 早于身份证号中的出生日期") % {"date": enrolled_on.isoformat()})
    check.done()
    return RosterRow(
        info.number,
        name,
        info.birth_date,
        info.sex,
        insurance_type,
        region,
        enrolled_on,
        categories,
        has_account,
        ended_on,
        end_reason,
        village,
    )


def parse_village(text: str) -> str:
    """A 12-digit village/community code (统计用区划代码: county 6 + town 3 + village 3)."""
    if len(text) != 12 or not text.isdigit():
        raise ValueError(_("%(text)s 不是 12 位村/社区代码") % {"text": text})
    return text


def parse_account_event_row(row: int, values: dict[str, str]) -> AccountEventRow:
    check = RowCheck(row, values)
    info = check.get("national_id", parse_national_id)
    event = check.get("event", choice_parser(AccountEvent.Event.choices))
    parser = parse_amount if event == "balance" else parse_positive_amount
    amount = check.get("amount", parser)
    occurred_on = check.get("occurred_on", parse_iso_date)
    check.done()
    return AccountEventRow(info.number, event, amount, occurred_on)


def parse_payment_row(row: int, values: dict[str, str]) -> PaymentRow:
    check = RowCheck(row, values)
    info = check.get("national_id", parse_national_id)
    year = check.get("year", parse_year)
    amount = check.get("amount", parse_positive_amount)
    paid_on = check.get("paid_on", parse_iso_date)
    channel = check.get("channel", choice_parser(PAYMENT_CHANNEL_CHOICES))
    payer = check.get("payer_national_id", parse_national_id, required=False)
    if channel == "family_account" and payer is None and not check.failed("payer_national_id"):
        check.error("payer_national_id", _("缴费渠道为 family_account（家庭共济账户）时必须填写"))
    if channel and channel != "family_account" and payer is not None:
        check.error(
            "payer_national_id",
            _("缴费渠道为 %(channel)s 时必须为空（只有 family_account 家庭共济账户填写代缴人）")
            % {"channel": channel},
        )
    if paid_on and year and paid_on.year < year - 1:
        check.error(
            "paid_on",
            _("%(date)s 对 %(year)s 年度的缴费来说太早") % {"date": paid_on.isoformat(), "year": year},
        )
    check.done()
    return PaymentRow(info.number, year, amount, paid_on, channel, payer.number if payer else "")


def parse_relation_row(row: int, values: dict[str, str]) -> RelationRow:
    from .models import FamilyRelation

    check = RowCheck(row, values)
    payer = check.get("payer_national_id", parse_national_id)
    info = check.get("national_id", parse_national_id)
    relation = check.get("relation", choice_parser(FamilyRelation.Relation.choices))
    if payer and info and payer.number == info.number:
        check.error("national_id", _("与账户持有人是同一人"))
    check.done()
    return RelationRow(payer.number, info.number, relation)


def parse_employer_code(text: str) -> str:
    """An employer by its unified social credit code (统一社会信用代码): 18 digits or capital letters (the code
    is a key matching wage bases to payments; its check character is the register's business)."""
    code = text.strip().upper()
    if len(code) != 18 or not code.isalnum() or not code.isascii():
        raise ValueError(_("%(code)s 不是18位统一社会信用代码") % {"code": text})
    return code


def parse_wage_base_row(row: int, values: dict[str, str]) -> WageBaseRow:
    check = RowCheck(row, values)
    info = check.get("national_id", parse_national_id)
    year = check.get("year", parse_year)
    employer = check.get("employer_code", parse_employer_code)
    wage = check.get("wage_base", parse_positive_amount)
    check.done()
    return WageBaseRow(info.number, year, employer, wage)


def parse_employer_payment_row(row: int, values: dict[str, str]) -> EmployerPaymentRow:
    check = RowCheck(row, values)
    employer = check.get("employer_code", parse_employer_code)
    year = check.get("year", parse_year)
    amount = check.get("amount", parse_positive_amount)
    paid_on = check.get("paid_on", parse_iso_date)
    reference = check.get("reference", text_parser(40))
    if paid_on and year and paid_on.year < year - 1:
        check.error(
            "paid_on",
            _("%(date)s 对 %(year)s 年度的缴费来说太早") % {"date": paid_on.isoformat(), "year": year},
        )
    check.done()
    return EmployerPaymentRow(employer, year, amount, paid_on, reference)


def _atomic(apply, **kwargs):
    def wrapped(parsed):
        with transaction.atomic():
            return apply(parsed, **kwargs)

    return wrapped


def import_roster(*, content: bytes, filename: str, actor=None) -> ImportReport:
    from .services.roster import roster_apply

    return run_import(
        kind="roster",
        content=content,
        filename=filename,
        columns=ROSTER_COLUMNS,
        labels=ROSTER_LABELS,
        optional=ROSTER_OPTIONAL,
        parse_row=parse_roster_row,
        apply_rows=_atomic(roster_apply, actor=actor, reason=f"roster {filename}"[:100]),
        actor=actor,
    )


def import_account_events(*, content: bytes, filename: str, actor=None) -> ImportReport:
    from .services.accounts import account_events_apply

    return run_import(
        kind="account_events",
        content=content,
        filename=filename,
        columns=ACCOUNT_EVENT_COLUMNS,
        labels=ACCOUNT_EVENT_LABELS,
        parse_row=parse_account_event_row,
        apply_rows=_atomic(account_events_apply),
        references=[PERSON],
        actor=actor,
    )


def import_payments(*, content: bytes, filename: str, actor=None) -> ImportReport:
    from .services.payments import payments_apply

    return run_import(
        kind="payments",
        content=content,
        filename=filename,
        columns=PAYMENT_COLUMNS,
        labels=PAYMENT_LABELS,
        parse_row=parse_payment_row,
        apply_rows=_atomic(payments_apply, actor=actor),
        references=[PERSON],
        actor=actor,
    )


def import_family_relations(*, content: bytes, filename: str, actor=None) -> ImportReport:
    """The relations register of the roster system (seed 000: family payment from an employee account)."""
    from .services.family import relations_apply

    return run_import(
        kind="family_relations",
        content=content,
        filename=filename,
        columns=RELATION_COLUMNS,
        labels=RELATION_LABELS,
        parse_row=parse_relation_row,
        apply_rows=_atomic(relations_apply),
        references=[PERSON, person_reference("payer_national_id", key=attrgetter("number"))],
        actor=actor,
    )


def import_wage_bases(*, content: bytes, filename: str, actor=None) -> ImportReport:
    """Wage bases per person and year (seed 004 五: 个人缴费基数为本人工资收入)."""
    from .services.wages import wage_bases_apply

    return run_import(
        kind="wage_bases",
        content=content,
        filename=filename,
        columns=WAGE_BASE_COLUMNS,
        labels=WAGE_BASE_LABELS,
        parse_row=parse_wage_base_row,
        apply_rows=_atomic(wage_bases_apply),
        references=[PERSON],
        actor=actor,
    )


def import_employer_payments(*, content: bytes, filename: str, actor=None) -> ImportReport:
    """Employers' payments of their part (seed 004 五: 单位缴费), booked as the fund's employer income."""
    from .services.wages import employer_payments_apply

    return run_import(
        kind="employer_payments",
        content=content,
        filename=filename,
        columns=EMPLOYER_PAYMENT_COLUMNS,
        labels=EMPLOYER_PAYMENT_LABELS,
        parse_row=parse_employer_payment_row,
        apply_rows=_atomic(employer_payments_apply),
        actor=actor,
    )
