"""Money helpers: the one place that rounds (SPEC 7.2: half-up to the fen at line level) and the one place that
reads a typed or imported amount (issue 13, finding 5: every door uses parse_amount or AmountField)."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext as _

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_MAX_DIGITS = 14  # the money columns (ltci.core.fields.money_field): numeric(14, 2)
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - FEN

# Plain decimal notation: ASCII digits, optional '-', optional comma thousands groups, optional fraction.
# No exponent, underscore, NaN/Infinity, full-width digits or currency signs (docs/decisions.md).
_AMOUNT = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?", re.ASCII)
_LONGEST = 40  # longer text is no amount of a money column, whatever it holds


def fen(value) -> Decimal:
    """Round a Decimal (or int/str) half-up to 0.01 yuan."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class AmountError(ValueError):
    """An amount that cannot be accepted; ``str()`` is the translated reason (the field is named by the caller)."""


def _shown(text: str) -> str:
    return text if len(text) <= 30 else text[:30] + "…"


def parse_amount(text, *, allow_negative: bool = False, max_value: Decimal | None = None) -> Decimal:
    """Read a yuan amount typed by a person or found in a file; return it with two decimals.

    Accepts plain decimal notation only (``1234.5``, ``1,234.50``), at most two decimals, no sign unless
    ``allow_negative``, and at most ``max_value`` (never more than a money column holds). Anything else raises
    AmountError with the reason in the user's language.
    """
    raw = ("" if text is None else str(text)).strip()
    if not raw:
        raise AmountError(_("金额为空"))
    match = _AMOUNT.fullmatch(raw) if len(raw) <= _LONGEST else None
    if match is None:
        raise AmountError(
            _("“%(text)s”不是金额：只能写数字，可带小数点（如 1234.50），不能用科学计数法、下划线或其他符号")
            % {"text": _shown(raw)}
        )
    sign, whole, fraction = match.groups()
    if fraction and len(fraction) > MONEY_DECIMAL_PLACES:
        raise AmountError(_("“%(text)s”的小数超过两位（金额以元为单位，精确到分）") % {"text": raw})
    value = Decimal(f"{whole.replace(',', '')}.{fraction or '0'}").quantize(FEN)
    if sign and value:
        if not allow_negative:
            raise AmountError(_("“%(text)s”不能为负数") % {"text": raw})
        value = -value
    limit = MONEY_MAX if max_value is None else min(fen(max_value), MONEY_MAX)
    if abs(value) > limit:
        raise AmountError(_("“%(text)s”超过上限 %(max)s") % {"text": raw, "max": f"{limit:.2f}"})
    return value


class AmountField(forms.Field):
    """A form field for an amount in yuan, read by parse_amount (the same rules as the file imports).

    Model forms of money columns get it through ltci.core.fields.MoneyField (``max_digits`` bounds it to the
    column); ``min_value=0`` (Django's DecimalField argument) means no negative amounts.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(
        self,
        *,
        allow_negative: bool = False,
        max_value=None,
        max_digits=None,
        decimal_places=None,
        min_value=None,
        **kwargs,
    ):
        kwargs.pop("localize", None)
        super().__init__(**kwargs)
        self.allow_negative = allow_negative and (min_value is None or min_value < 0)
        self.max_value = max_value
        if max_digits is not None:
            places = MONEY_DECIMAL_PLACES if decimal_places is None else decimal_places
            capacity = Decimal(10 ** (max_digits - places)) - FEN
            self.max_value = capacity if max_value is None else min(Decimal(max_value), capacity)

    def prepare_value(self, value):
        return f"{value:.2f}" if isinstance(value, Decimal) and value.is_finite() else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            value = f"{value:f}"
        try:
            return parse_amount(str(value), allow_negative=self.allow_negative, max_value=self.max_value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="amount") from None
