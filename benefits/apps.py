from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("待遇")

    def ready(self):
        from institutions.selectors import register_occupancy_provider

        from .services.admissions import occupied_bed_counts

        register_occupancy_provider(occupied_bed_counts)
