"""Valid region codes (6-digit administrative division codes) known to the office (SPEC 11.10).

The list is a data file (data/region_codes.csv) that staff can extend; a roster row with a code not in it
is rejected as "unknown region" (docs/decisions.md).
"""

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from ltci.core.formatting import coded

DATA = Path(__file__).resolve().parent / "data" / "region_codes.csv"
XUZHOU_REGIONS = [
    "320302",
    "320303",
    "320305",
    "320311",
    "320312",
    "320321",
    "320322",
    "320324",
    "320381",
    "320382",
]


@cache
def region_names() -> dict[str, str]:
    with DATA.open(encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def parse_region(text: str) -> str:
    code = text.strip()
    if len(code) != 6 or not code.isdigit():
        raise ValueError(_("%(code)s 不是 6 位行政区划代码") % {"code": code})
    if code not in region_names():
        raise ValueError(_("未知的行政区划代码 %(code)s") % {"code": code})
    return code


def region_label(code: str) -> str:
    """A region by name with its code, as the office reads it: 鼓楼区（320302）."""
    return coded(code, region_names().get(code, ""))
