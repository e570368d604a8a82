"""Admin behaviour shared by the apps."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin


class KeepRowsMixin:
    """No delete in the admin (issue 16): money rows and the history of who did what are corrected by a new
    row or a state change, never removed (superusers included; the database still protects what it must)."""

    def has_delete_permission(self, request, obj=None):
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
