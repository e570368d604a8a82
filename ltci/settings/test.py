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
# The tests call the jobs' tasks in the test process (one task does the whole job); the fanned-out runs are
# tested with real worker processes (tests/core/test_workers.py), whose settings fan out.
JOBS_FAN_OUT = False
# Tests serve static files from the apps' folders (no collectstatic run before the suite).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# pytest-xdist: each worker (gw0, gw1, ...) has its own test database (pytest-django adds the suffix) and its own
# Redis database, so cached pages, throttle counters and lockouts of one worker never meet another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    from .base import CACHES

    _url = urlsplit(CACHES["default"]["LOCATION"])
    _db = (int(_url.path.strip("/") or 0) + 1 + int(_worker[2:])) % 16
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{_db}"))
    CELERY_BROKER_URL = CACHES["default"]["LOCATION"]
