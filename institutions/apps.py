from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = _("协议机构")

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
