import os

from .base import *  # noqa: F401,F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "ltci.core.hashers.ActivationCodeHasher"]
# Parallel developers/helpers each use their own test database (LTCI_TEST_DB).
DATABASES["default"]["TEST"] = {"NAME": "test_ltci_" + os.environ.get("LTCI_TEST_DB", "main")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
AXES_ENABLED = True
CELERY_TASK_ALWAYS_EAGER = False
# Tests serve static files from the apps' folders (no collectstatic run before the suite).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
