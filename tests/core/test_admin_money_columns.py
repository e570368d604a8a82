"""Money columns of every staff list read ¥1,234.56 (issue 16: numbers as an office reads them)."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from ltci.core.admin_mixins import money_column
from ltci.core.fields import MoneyField

pytestmark = pytest.mark.django_db


def _money_fields(model) -> set[str]:
    return {f.name for f in model._meta.fields if isinstance(f, MoneyField)}


def test_no_list_shows_a_money_field_unformatted():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)
    bare = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        shown = model_admin.get_list_display(request)
        bare += [f"{model.__name__}.{c}" for c in shown if isinstance(c, str) and c in _money_fields(model)]
    assert not bare, bare


def test_a_money_column_groups_thousands_and_sorts_by_its_field():
    from settlement.models import LedgerEntry

    column = money_column(LedgerEntry, "amount")
    entry = LedgerEntry(amount=Decimal("114467.10"))
    assert column(entry) == "¥114,467.10"
    assert column.admin_order_field == "amount"
    assert money_column(LedgerEntry, "account") == "account"  # not money: the field as it is
