"""Field shortcuts shared by the apps."""
from django.db import models


def money_field(verbose_name, **kwargs):
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)
