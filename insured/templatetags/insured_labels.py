"""Codes shown to the insured person as words (SPEC 7.2 reason texts), in the page's language."""

from django import template

from settlement.rules import reason_text

register = template.Library()


@register.filter
def reasons(codes) -> list[str]:
    """The reason texts of a settlement line's codes ("当日住院", ...), never the bare codes."""
    return [str(reason_text(code)) for code in codes or ()]
