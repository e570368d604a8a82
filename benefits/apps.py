from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("待遇")

    def ready(self):
        from enrollment.signals import coverage_ended
        from institutions.selectors import register_occupancy_provider

        from .services.admissions import occupied_bed_counts
        from .services.housekeeping import end_after_roster

        register_occupancy_provider(occupied_bed_counts)
        coverage_ended.connect(end_after_roster, dispatch_uid="benefits.end_after_roster")
