"""Pure rules for agreement institutions (SPEC 6): codes, prices, insurance, beds, appraisal.

No ORM and no I/O: inputs and outputs are plain values, so each rule is table-tested.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from ltci.core.money import fen

# GB 32100-2015: 18 characters from this 31-character set (no I, O, S, V, Z); the last one is a
# check character computed MOD 31 over the first 17 with these weights.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """Return the normalised unified social credit code (统一社会信用代码) or raise ValueError."""
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise ValueError(_("统一社会信用代码应为18位，实为%(length)s位") % {"length": len(code)})
    bad = [c for c in code if c not in CREDIT_CHARS]
    if bad:
        raise ValueError(_("统一社会信用代码含非法字符“%(char)s”（不使用 I、O、S、V、Z）") % {"char": bad[0]})
    if not code[2:8].isdigit():
        raise ValueError(_("统一社会信用代码第3-8位应为行政区划代码（数字）"))
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(
            _("统一社会信用代码校验位错误：为%(found)s，应为%(expected)s")
            % {"found": code[17], "expected": expected}
        )
    return code


def make_credit_code(region: str, serial: int, *, dept: str = "5", kind: str = "2") -> str:
    """Build a valid credit code (demo data and tests)."""
    body = f"{dept}{kind}{region}{serial:09d}"
    return body + credit_check_char(body)


def price_error(
    price: Decimal | None, standard: Decimal | None, label: str, ceiling: Decimal | None = None
) -> str | None:
    """Return why an agreed daily price is not acceptable, or None (SPEC 6: never above the standard).

    A missing price means "the standard" and is always acceptable. A price is refused when negative,
    above the policy's ceiling (``agreement_checks.max_daily_price``, a typing error) or above the
    standard; without a standard in force only the sign and the ceiling are checked.
    """
    if price is None:
        return None
    if price < 0:
        return _("%(label)s不能为负数") % {"label": label}
    if ceiling is not None and price > ceiling:
        return _("%(label)s%(price)s元超过政策规定的约定日价上限%(ceiling)s元") % {
            "label": label,
            "price": fen(price),
            "ceiling": fen(ceiling),
        }
    if standard is not None and price > standard:
        return _("%(label)s%(price)s元超过现行支付标准%(standard)s元") % {
            "label": label,
            "price": fen(price),
            "standard": fen(standard),
        }
    return None


def deposit_rate_error(rate: Decimal | None) -> str | None:
    """Why an agreement's own quality-deposit rate is not acceptable (a share from 0 to 1), or None."""
    if rate is not None and not (0 <= rate <= 1):
        return _("质量保证金比例%(rate)s应在0至1之间（例如0.05表示5%%）") % {"rate": rate}
    return None


# Care forms whose visits an institution delivers at home under a "home visits" agreement: option B1
# (home_visits) and the institutional visits of option B2 (home_family) are both home visits (SPEC 5.2 B).
HOME_VISIT_FORMS = frozenset({"home_visits", "home_family"})


def agreement_covers(care_forms: Iterable[str] | None, care_form: str) -> bool:
    """True when an agreement listing ``care_forms`` covers ``care_form`` (SPEC 5.1 item 6, SPEC 6).

    The visits of option B2 are institutional home visits (SPEC 5.2 B), so an agreement covering either
    home_visits or home_family serves both. The one definition: eligibility, benefit decisions and the
    settlement run all ask it.
    """
    forms = set(care_forms or ())
    if care_form in forms:
        return True
    return care_form in HOME_VISIT_FORMS and bool(forms & HOME_VISIT_FORMS)


def insurance_valid(expires_on: dt.date | None, on: dt.date) -> bool:
    """Liability insurance covers its expiry day itself; without an expiry date there is no insurance."""
    return expires_on is not None and expires_on >= on


def bed_labels(count: int, *, start: int = 1) -> list[str]:
    """Labels of `count` beds numbered from `start`: 001, 002 ... (at least three digits)."""
    width = max(3, len(str(start + count - 1)))
    return [f"{n:0{width}d}" for n in range(start, start + count)]


def appraisal_total(scores: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Sum indicator points [(points, max_points)]; the maxima must add up to at most 100."""
    scores = list(scores)
    for points, maximum in scores:
        if points < 0 or points > maximum:
            raise ValueError(
                _("得分%(points)s超出该指标分值范围0-%(maximum)s") % {"points": points, "maximum": maximum}
            )
    if sum((m for __, m in scores), Decimal(0)) > 100:
        raise ValueError(_("各项指标分值合计超过100分"))
    return sum((p for p, __ in scores), Decimal(0))


def deposit_release_rate(total: Decimal, bands: list[dict[str, Any]]) -> Decimal:
    """Release rate of the quality deposit for an appraisal total (SPEC 6, policy `deposit_release`).

    bands: [{"min": 90, "rate": "1.00"}, {"min": 80, "rate": "0.80"}, ...]; the highest band whose
    minimum the total reaches applies; below every band nothing is released.
    """
    if total < 0 or total > 100:
        raise ValueError(_("考核总分%(total)s不在0-100之间") % {"total": total})
    for band in sorted(bands, key=lambda b: Decimal(str(b["min"])), reverse=True):
        if total >= Decimal(str(band["min"])):
            return Decimal(str(band["rate"]))
    return Decimal(0)


EVIDENCE_EXTENSIONS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def evidence_error(filename: str, size: int, head: bytes) -> str | None:
    """Return why an evidence upload is refused (type by extension and content, size), or None."""
    ext = PurePath(filename or "").suffix.lower()
    magic = EVIDENCE_EXTENSIONS.get(ext)
    if magic is None:
        return _("文件“%(filename)s”类型不支持：仅接受 PDF、JPG、PNG") % {"filename": filename}
    if size > EVIDENCE_MAX_BYTES:
        return _("文件“%(filename)s”超过10MB") % {"filename": filename}
    if not head.startswith(magic):
        return _("文件“%(filename)s”的内容与扩展名%(ext)s不符") % {"filename": filename, "ext": ext}
    return None


def periods_minus(
    start: dt.date, end: dt.date, holes: Iterable[tuple[dt.date, dt.date | None]]
) -> list[tuple[dt.date, dt.date]]:
    """Return [start, end] (inclusive) minus the inclusive hole periods (open end = until forever)."""
    parts = [(start, end)]
    for h_from, h_to in sorted(holes, key=lambda h: h[0]):
        h_to = h_to or dt.date.max
        nxt = []
        for a, b in parts:
            if h_to < a or h_from > b:
                nxt.append((a, b))
                continue
            if h_from > a:
                nxt.append((a, h_from - dt.timedelta(days=1)))
            if h_to < b:
                nxt.append((h_to + dt.timedelta(days=1), b))
        parts = nxt
    return parts
