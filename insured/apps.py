from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuredConfig(AppConfig):
    """The insured person's site under /me/ (SPEC 8): above every domain app, imported by none of them."""

    name = "insured"
    verbose_name = _("参保人网上服务")
