"""Celery application: Redis broker, schedules from django-celery-beat (editable in the admin)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ltci.settings.local")

app = Celery("ltci")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
