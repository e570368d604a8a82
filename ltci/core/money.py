"""Money helpers: the one place that rounds (SPEC 7.2: half-up to the fen at line level)."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def fen(value) -> Decimal:
    """Round a Decimal (or int/str) half-up to 0.01 yuan."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """Parse a yuan amount with at most two decimals; raise ValueError with a readable reason."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError("amount is empty")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"'{raw}' is not a number") from None
    if not value.is_finite():
        raise ValueError(f"'{raw}' is not a number")
    if value.as_tuple().exponent < -2:
        raise ValueError(f"'{raw}' has more than two decimals (amounts are in yuan to the fen)")
    return value.quantize(FEN)
