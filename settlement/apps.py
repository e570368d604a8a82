from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("结算与基金")

    def ready(self):
        from benefits.status_cache import register_provider_parts
        from benefits.status_selectors import register_monthly_services_provider

        from .selectors import person_months

        register_monthly_services_provider(person_months)
        # What the monthly services on the status page read, for the page's fingerprint (status_cache).
        register_provider_parts(
            person_months,
            [
                ("settlement.SettlementRun", "TRUE"),
                ("settlement.SettlementLine", "t.person_id = {v}"),
                (
                    "institutions.Institution",
                    "t.id IN (SELECT l.institution_id FROM {settlement.SettlementLine} l "
                    "WHERE l.person_id = {v})",
                ),
            ],
        )
