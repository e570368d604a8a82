"""File formats of SPEC 11.1 and 11.2: roster, account events, payments.

Each importer parses and validates rows (field by field, RowError naming the field) and hands the valid
rows to a service in one transaction; cross-record checks happen in the service.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from operator import mul

from django.db import transaction

from ltci.core.dates import parse_iso_date
from ltci.core.idnumber import CHECK_CHARS, PROVINCES, parse_id_number
from ltci.core.importing import ImportReport, RowError, field_value, run_import
from ltci.core.money import parse_amount

from .models import Category, EndReason, InsuranceType
from .regions import parse_region, region_names

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
]
ACCOUNT_EVENT_COLUMNS = ["national_id", "event", "amount", "occurred_on"]
PAYMENT_COLUMNS = ["national_id", "year", "amount", "paid_on", "channel", "payer_national_id"]
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
PAYMENT_CHANNELS = ("resident_premium", "large_medical", "cash", "family_account")
CATEGORY_CODES = {c.value for c in Category}


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


def parse_choice(choices):
    def parse(text: str) -> str:
        value = text.strip()
        if value not in choices:
            raise ValueError(f"'{value}' is not one of {'|'.join(choices)}")
        return value

    return parse


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"'{text}' is not true or false")
    return value == "true"


def parse_categories(text: str) -> tuple[str, ...]:
    codes = [c.strip() for c in text.split(";") if c.strip()]
    unknown = [c for c in codes if c not in CATEGORY_CODES]
    if unknown:
        raise ValueError(f"unknown category code(s): {', '.join(unknown)}")
    return tuple(sorted(set(codes)))


def parse_positive_amount(text: str) -> Decimal:
    value = parse_amount(text)
    if value <= 0:
        raise ValueError(f"'{text}' must be greater than 0")
    return value


def parse_year(text: str) -> int:
    if len(text) != 4 or not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValueError(f"'{text}' is not a year (YYYY)")
    return int(text)


def _id(row: int, values: dict, name: str = "national_id", required: bool = True):
    return field_value(row, values, name, lambda t: parse_id_number(t), required=required)


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
    info = _id(row, values)
    name = field_value(row, values, "name", str)
    insurance_type = field_value(
        row, values, "insurance_type", parse_choice([c.value for c in InsuranceType])
    )
    region = field_value(row, values, "region_code", parse_region)
    enrolled_on = field_value(row, values, "enrolled_on", parse_iso_date)
    categories = field_value(row, values, "categories", parse_categories, required=False) or ()
    has_account = field_value(row, values, "has_personal_account", parse_bool)
    ended_on = field_value(row, values, "ended_on", parse_iso_date, required=False)
    end_reason = (
        field_value(row, values, "end_reason", parse_choice([c.value for c in EndReason]), required=False)
        or ""
    )
    if ended_on and not end_reason:
        raise RowError(row, "end_reason", "is required when ended_on is given (died|moved_out|stopped)")
    if end_reason and not ended_on:
        raise RowError(row, "ended_on", "is required when end_reason is given")
    if ended_on and ended_on < enrolled_on:
        raise RowError(
            row, "ended_on", f"{ended_on.isoformat()} is before enrolled_on {enrolled_on.isoformat()}"
        )
    if enrolled_on < info.birth_date:
        raise RowError(
            row, "enrolled_on", f"{enrolled_on.isoformat()} is before the birth date in the ID number"
        )
    if len(name) > 100:
        raise RowError(row, "name", "is longer than 100 characters")
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
    )


def parse_account_event_row(row: int, values: dict[str, str]) -> AccountEventRow:
    info = _id(row, values)
    event = field_value(row, values, "event", parse_choice(["balance", "credit"]))
    parser = parse_amount if event == "balance" else parse_positive_amount
    amount = field_value(row, values, "amount", parser)
    occurred_on = field_value(row, values, "occurred_on", parse_iso_date)
    return AccountEventRow(info.number, event, amount, occurred_on)


def parse_payment_row(row: int, values: dict[str, str]) -> PaymentRow:
    info = _id(row, values)
    year = field_value(row, values, "year", parse_year)
    amount = field_value(row, values, "amount", parse_positive_amount)
    paid_on = field_value(row, values, "paid_on", parse_iso_date)
    channel = field_value(row, values, "channel", parse_choice(PAYMENT_CHANNELS))
    payer = _id(row, values, "payer_national_id", required=False)
    if channel == "family_account" and payer is None:
        raise RowError(row, "payer_national_id", "is required for channel family_account")
    if channel != "family_account" and payer is not None:
        raise RowError(row, "payer_national_id", f"must be empty for channel {channel} (only family_account)")
    if paid_on.year < year - 1:
        raise RowError(row, "paid_on", f"{paid_on.isoformat()} is too early for contribution year {year}")
    return PaymentRow(info.number, year, amount, paid_on, channel, payer.number if payer else "")


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
        actor=actor,
    )
