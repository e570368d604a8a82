from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The staff pages that gather every app's records of one person (issue 16): the top of the house, it may
    import every domain app and none imports it."""

    name = "office"
    verbose_name = _("经办个案")
