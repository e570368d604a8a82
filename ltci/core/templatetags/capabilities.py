"""`{% load capabilities %}{% if request.user|can:"settlement.run" %}`: a button only for who may use it."""

from django import template

from ltci.core.permissions import can as user_can

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    return user_can(user, capability)
