"""Admin behaviour shared by the apps."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist

from . import formatting
from .fields import MoneyField


def money_column(model, name):
    """A list column of a money field shown as an office reads it (¥1,234.56), sorted by the field; any other
    column as it is."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not isinstance(field, MoneyField):
        return name

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        return formatting.money(getattr(obj, name))

    column.__name__ = name  # the column's CSS class (field-<name>), as for the field itself
    column.money_field = name  # type: ignore[attr-defined]  # exports write the field's number
    return column


class MoneyColumnsMixin:
    """Money columns of a list with ¥ and thousands separators (issue 16), like every page, PDF and export."""

    def get_list_display(self, request):
        columns = super().get_list_display(request)  # type: ignore[misc]
        return [money_column(self.model, name) for name in columns]  # type: ignore[attr-defined]


class KeepRowsMixin(MoneyColumnsMixin):
    """No delete in the admin (issue 16): money rows and the history of who did what are corrected by a new
    row or a state change, never removed (superusers included; the database still protects what it must)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(KeepRowsMixin):
    """A list and pages to read only: rows made by the services (money movements, runs, batches), never
    added or changed in the admin; also for inlines (Django passes them the parent object)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def labelled_filter(field: str, title, lookups: Callable[[], Iterable[tuple[str, Any]]]):
    """A list filter on a code field that offers each code by its label (a field without declared choices,
    or whose codes come from a data file): ``list_filter = [labelled_filter("action", _("操作"), ...)]``."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(lookups())

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    return LabelledFilter


def contact_inline(contact_model):
    """The inline that edits the contact data (ltci.core.models.ContactDetails) of a person, an agent or an
    institution on its own admin page (issue 19)."""

    class ContactInline(admin.StackedInline):
        model = contact_model
        extra = 1
        max_num = 1
        can_delete = False
        fields = ["mobile", "email", "postal_address", "consent_on", "preferred_channel"]

    return ContactInline
