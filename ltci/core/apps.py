from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ltci.core"
    label = "core"
    verbose_name = _("系统与政策")

    def ready(self):
        from . import sessions  # noqa: F401 (connects the login receiver that limits a session's life)
        from .workqueues import autodiscover

        autodiscover()  # each app's queues.py declares its dashboard work queues (like admin.py)
