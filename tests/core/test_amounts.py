"""Finding 5 (issue 13): one amount parser with limits behind every door (imports, forms, model forms)."""

from decimal import Decimal

import pytest
from django.utils import translation

from ltci.core.money import MONEY_MAX, AmountError, AmountField, parse_amount


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", "0.00"),
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        (" 7.05 ", "7.05"),
        ("1,000.00", "1000.00"),
        ("12,345,678.9", "12345678.90"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_plain_decimal_notation_is_accepted(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    [
        "1E+30",
        "1E+13",
        "1e3",
        "1_000",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "0x10",
        "1 000",
        "1,00",
        "1,0000.00",
        ",100",
        "12.",
        ".5",
        "+5",
        "１２",
        "5元",
        "--5",
        "1.2.3",
        "٣",
    ],
)
def test_anything_else_is_refused_with_a_reason(text):
    with pytest.raises(AmountError) as exc, translation.override("en"):
        parse_amount(text)
    assert "is not an amount" in str(exc.value) or "exceeds" in str(exc.value)


def test_reasons_are_chinese_by_default_and_english_on_request():
    with pytest.raises(AmountError) as exc:
        parse_amount("1E+30")
    assert "不是金额" in str(exc.value)
    with translation.override("en"), pytest.raises(AmountError) as exc:
        parse_amount("5.001")
    assert str(exc.value) == "'5.001' has more than two decimals (amounts are in yuan to the fen)"


def test_bounds_negative_column_capacity_and_field_maximum():
    with translation.override("en"):
        with pytest.raises(AmountError, match="must not be negative"):
            parse_amount("-12.50")
        assert parse_amount("-12.50", allow_negative=True) == Decimal("-12.50")
        with pytest.raises(AmountError, match="exceeds the maximum of 999999999999.99"):
            parse_amount("1000000000000")
        with pytest.raises(AmountError, match="exceeds the maximum of 100.00"):
            parse_amount("100.01", max_value=Decimal("100"))
        with pytest.raises(AmountError, match="is not an amount"):
            parse_amount("9" * 5000)
    assert parse_amount("-0.00") == Decimal("0.00") and not parse_amount("-0").is_signed()
    assert Decimal("999999999999.99") == MONEY_MAX


def test_amount_field_uses_the_same_parser():
    field = AmountField(max_value=Decimal("500"))
    assert field.clean("234.5") == Decimal("234.50")
    for bad in ("1E+3", "1_000", "NaN", "-1", "500.01"):
        with pytest.raises(Exception) as exc:
            field.clean(bad)
        assert exc.type.__name__ == "ValidationError", bad
    assert AmountField(required=False).clean("") is None


def test_model_forms_of_money_columns_use_the_amount_field():
    """Admin and portal ModelForms get AmountField for every money column (capacity of the column)."""
    from django import forms

    from enrollment.models import FundIncome

    form_class = forms.modelform_factory(FundIncome, fields=["amount"])
    field = form_class.base_fields["amount"]
    assert isinstance(field, AmountField)
    assert form_class(data={"amount": "1E+13"}).errors["amount"]
    assert form_class(data={"amount": "1_000"}).errors["amount"]
    assert form_class(data={"amount": "1000000000000.00"}).errors["amount"]


def test_money_columns_keep_their_migration_form():
    """MoneyField is a plain DecimalField for migrations (no migration churn)."""
    from enrollment.models import FundIncome

    name, path, args, kwargs = FundIncome._meta.get_field("amount").deconstruct()
    assert path == "django.db.models.DecimalField" and kwargs["max_digits"] == 14
