from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("结算与基金")

    def ready(self):
        from benefits.status_selectors import register_monthly_services_provider

        from .selectors import person_months

        register_monthly_services_provider(person_months)
