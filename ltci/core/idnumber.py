"""Resident ID numbers (公民身份号码, GB 11643-1999): check character ISO 7064 MOD 11-2."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: province-level division codes (GB/T 2260).
PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-character ID number and derive birth date, sex and region.

    A lower-case x is accepted and normalised to X. Raise InvalidIdNumber with the reason.
    """
    number = (raw or "").strip().upper()
    if len(number) != 18:
        raise InvalidIdNumber(_("应为 18 位，填写的有 %(n)s 位") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("应为 17 位数字加一位数字或 X"))
    if number[:2] not in PROVINCES:
        raise InvalidIdNumber(_("地址码 %(code)s 不是有效的省份") % {"code": number[:6]})
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("出生日期 %(date)s 不是有效日期") % {"date": number[6:14]}) from None
    today = today or dt.date.today()  # noqa: DTZ011 (usable without Django settings)
    if birth > today or birth.year < 1880:
        raise InvalidIdNumber(_("出生日期 %(date)s 超出范围") % {"date": birth.isoformat()})
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            _("校验码是 %(got)s，应为 %(expected)s") % {"got": number[17], "expected": expected}
        )
    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6])


def mask_id(number: str) -> str:
    """Mask the middle of an ID number: 3203**********123X."""
    if not number or len(number) < 8:
        return "*" * len(number or "")
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """Mask a person's name for the public (公示): 张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def make_id_number(region: str, birth: dt.date, serial: int) -> str:
    """Build a valid ID number (demo data and tests). serial 0-999; odd = male."""
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + check_char(first17)
