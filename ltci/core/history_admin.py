"""The 历史 pages of django-simple-history as an office reads them (issue 16).

simple-history lists each change as "field: old → new" with the stored values (codes, None, ISO timestamps,
"Deleted 机构 (pk=None)" for an empty foreign key). Its documented hook, ``get_historical_record_context_helper``,
returns the helper that prepares those values; ours shows them as the change page does: a choice by its label,
money as ¥1,234.50, a time in local time, yes/no, an empty value as "—".

Every admin with history uses ``HistoryAdmin`` instead of ``SimpleHistoryAdmin``
(tests/core/test_chinese_pages_zh2.py holds them to it).
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .admin_mixins import MoneyColumnsMixin
from .fields import MoneyField
from .formatting import EMPTY, amount, day, money


def _choices(field) -> dict:
    base = getattr(field, "base_field", None)  # an ArrayField of codes: its items' choices
    choices = field.flatchoices or (base.flatchoices if base is not None else [])
    return {code: label for code, label in choices}


def field_value(field: models.Field, value: Any) -> str:
    """A stored value of ``field`` as the office reads it (a history row, which keeps values, not objects)."""
    if isinstance(value, DeletedObject):
        return EMPTY if value.pk is None else _("已删除（编号 %(pk)s）") % {"pk": value.pk}
    if value is None or value == "" or value == []:
        return EMPTY
    labels = _choices(field)
    if isinstance(value, (list, tuple)):
        return "、".join(
            str(labels.get(item, item)) if labels else field_value(field, item) for item in value
        )
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(field, MoneyField):
        return money(value)
    if isinstance(value, Decimal):
        return amount(value, field.decimal_places if isinstance(field, models.DecimalField) else 2)
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


class LabelledChanges(HistoricalRecordContextHelper):
    """simple-history's change list helper, with each old and new value shown by ``field_value``."""

    def prepare_delta_change_value(self, change, value):
        prepared = super().prepare_delta_change_value(change, value)
        return field_value(self.model._meta.get_field(change.field), prepared)


class HistoryAdmin(MoneyColumnsMixin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose 历史 page shows field names and values with their labels."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledChanges(self.model, historical_record)
