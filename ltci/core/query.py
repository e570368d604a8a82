"""Query-string parameters read through Django forms (issue 16): a bad value (``abc``, ``2026-13``, ``-1``, a
number past the database's integer range) is a 400 page that names the parameter and the reason, never a
server error.

    from ltci.core.query import MonthField, IdField, query_params

    class ResultsQuery(forms.Form):
        month = MonthField(label=_("月份"), required=False)

    month = query_params(ResultsQuery, request.GET)["month"]      # raises QueryError (400) when bad
    month = query_params(MonthQuery, request.GET)["month"]        # the common ?month=YYYY-MM
"""

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext_lazy as _

from .dates import parse_month

MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id is no row, and an error in the database
MIN_YEAR, MAX_YEAR = 2000, 2100  # the years the office's records and reports span (as the fund reports' form)


class QueryError(BadRequest):
    """A bad query parameter: the 400 page lists ``reasons`` ("月份：abc 不是 YYYY-MM 格式的月份")."""

    def __init__(self, form: forms.Form):
        self.reasons = [
            f"{form.fields[name].label if name in form.fields else name}：{message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        super().__init__("; ".join(self.reasons))


class MonthField(forms.Field):
    """YYYY-MM to the month's first day, within MIN_YEAR..MAX_YEAR."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            month = parse_month(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
        if not MIN_YEAR <= month.year <= MAX_YEAR:
            raise ValidationError(
                _("月份应在 %(lo)s 年至 %(hi)s 年之间"), code="range", params={"lo": MIN_YEAR, "hi": MAX_YEAR}
            )
        return month


class IdField(forms.IntegerField):
    """A record's id in a query string: a positive integer the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class MonthQuery(forms.Form):
    """``?month=YYYY-MM`` (optional: the page chooses its default month)."""

    month = MonthField(label=_("月份"), required=False)


def query_params(form_class: type[forms.Form], data) -> dict:
    """The form's cleaned data, or QueryError (answered 400 by ltci.core.errors.bad_request)."""
    form = form_class(data)
    if not form.is_valid():
        raise QueryError(form)
    return form.cleaned_data
