"""Field shortcuts shared by the apps."""

from django.db import models

from .money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class MoneyField(models.DecimalField):
    """A money column: numeric(14, 2) whose form field is ltci.core.money.AmountField (issue 13: plain notation,
    two decimals, the column's capacity). Negative values are the services' business (corrections, adjustments);
    a form that must refuse them uses AmountField itself. Migrations see a plain DecimalField."""

    def formfield(self, **kwargs):
        from .money import AmountField

        return super().formfield(**{"form_class": AmountField, "allow_negative": True, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def money_field(verbose_name, **kwargs):
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    return MoneyField(verbose_name, **kwargs)
