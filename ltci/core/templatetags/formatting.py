"""`{% load formatting %}`: ltci.core.formatting as template filters (money, amount, percent, month, day, count, shown)."""

from django import template

from ltci.core import formatting

register = template.Library()

register.filter("money", formatting.money, is_safe=True)
register.filter("amount", formatting.amount, is_safe=True)
register.filter("percent", formatting.percent, is_safe=True)
register.filter("month", formatting.month, is_safe=True)
register.filter("day", formatting.day, is_safe=True)
register.filter("count", formatting.count, is_safe=True)
register.filter("shown", formatting.shown, is_safe=True)
