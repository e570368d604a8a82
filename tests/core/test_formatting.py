"""ltci.core.formatting: amounts, percentages, months and coded labels as an office reads them (issue 16)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from ltci.core import formatting


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("114467.1"), "¥114,467.10"),
        (Decimal("0"), "¥0.00"),
        (Decimal("-1234.5"), "-¥1,234.50"),
        (Decimal("999.995"), "¥1,000.00"),  # display rounds half-up like the money rules
        ("1302", "¥1,302.00"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_money(value, shown):
    assert formatting.money(value) == shown


def test_amount_has_no_sign_and_keeps_text_it_cannot_read():
    assert formatting.amount(Decimal("1234567.891")) == "1,234,567.89"
    assert formatting.amount("n/a") == "n/a"
    assert formatting.money("n/a") == "n/a"
    assert formatting.amount(Decimal("-0.001")) == "0.00"  # never "-0.00"


def test_percent():
    assert formatting.percent(Decimal("0.7256")) == "72.56%"
    assert formatting.percent(Decimal("1")) == "100.00%"
    assert formatting.percent(Decimal("0.07256"), places=1) == "7.3%"
    assert formatting.percent(None) == "—"


def test_month_in_both_languages():
    assert formatting.month(dt.date(2026, 11, 1)) == "2026年11月"
    assert formatting.month("2026-01") == "2026年1月"
    with translation.override("en"):
        assert formatting.month(dt.date(2026, 11, 30)) == "Nov 2026"
    assert formatting.month("not a month") == "not a month"


def test_day_and_coded():
    assert formatting.day(dt.date(2026, 1, 5)) == "2026-01-05"
    assert formatting.coded("320302", "鼓楼区") == "鼓楼区（320302）"
    assert formatting.coded("999999", "") == "999999"
    assert formatting.coded("", "鼓楼区") == "—"
    with translation.override("en"):
        assert formatting.coded("320302", "Gulou") == "Gulou (320302)"


def test_template_filters_escape_what_they_show():
    template = Template("{% load formatting %}{{ a|money }} {{ r|percent }} {{ m|month }} {{ bad|amount }}")
    shown = template.render(
        Context({"a": Decimal("114467.1"), "r": Decimal("0.7256"), "m": dt.date(2026, 11, 1), "bad": "<b>"})
    )
    assert shown == "¥114,467.10 72.56% 2026年11月 &lt;b&gt;"


def test_region_label():
    from enrollment.regions import region_label

    assert region_label("320302") == "鼓楼区（320302）"
    assert region_label("000000") == "000000"


def test_subsidy_category_label():
    from enrollment.models import subsidy_category_label

    assert subsidy_category_label("resident_age_70") == "70周岁以上城乡居民"
    assert subsidy_category_label("medical_aid") == "医疗救助对象"
    assert subsidy_category_label("") == ""
    with translation.override("en"):
        assert subsidy_category_label("resident_age_70") == "Residents aged 70 or over"
