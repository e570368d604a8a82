"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1"]),
)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me-ltci-0000000000000000000000000000")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:54329/ltci")}
# Persistent connections: a worker keeps its connection. No health check (it would cost a query on every request): after a
# database restart each worker fails one request and then reconnects (Django drops a broken connection).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:63799/0")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from our static files: nothing loads from the internet
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "axes",
    "ltci.core",
    "institutions",
    "enrollment",
    "assessment",
    "benefits",
    "settlement",
    "insured",  # the insured person's site (/me/): above every domain app
    "office",  # staff case pages over every app (top of the house: nothing imports it)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ltci.core.sessions.SessionIdleTimeoutMiddleware",  # idle logins end before authentication
    "ltci.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ltci.core.middleware.RejectNulQueryMiddleware",  # after authentication: the 400 page knows staff
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ltci.urls"
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "ltci.wsgi.application"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "insured.backends.ActivationCodeBackend",  # the insured site's one-time codes, counted by axes
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "ltci.core.hashers.ActivationCodeHasher",  # one-time codes only (never the default)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["ltci.formats"]
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/portal/login/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# The deploy's identifier (e.g. the git commit) in the insured page cache's keys (insured.cache.release).
LTCI_RELEASE = env("LTCI_RELEASE", default="")

# Mail for the fund's early warnings and the claim reminders: EMAIL_URL (smtp://user:password@host:587,
# smtp+tls://..., consolemail://); without it mail is printed to the log (development).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ltci@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task a dead worker held comes back to the queue once its visibility timeout has passed: longer than the
# longest chunk of a job (docs/operations.md, "Scaling beyond one machine").
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_RESTORE_THROTTLE", default=10),
}
# The yearly contribution run and the monthly settlement started from a page or by beat are fanned out in
# chunks to every worker (ltci.core.fanout); off: one task runs the whole job (a small office, one worker).
JOBS_FAN_OUT = env.bool("JOBS_FAN_OUT", default=True)
# A fanned-out run none of whose chunks was sent, taken or finished for this long, with no worker holding
# one, has lost its tasks: beat (ltci.core.tasks.fanout_sweep) sends its unfinished chunks again, and gives
# the run up (failed, its year or month free again) once it has done so LTCI_FANOUT_REDISPATCH_MAX times. A run
# queued by a staff page and not started for this long, no worker running its start, has its start task sent
# again the same way (its start message lost).
LTCI_FANOUT_STALE_MINUTES = env.int("LTCI_FANOUT_STALE_MINUTES", default=30)
LTCI_FANOUT_REDISPATCH_MAX = env.int("LTCI_FANOUT_REDISPATCH_MAX", default=3)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ltci.core.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "ltci.core.schema.ApiSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # One pagination for every list endpoint: limit/offset, PAGE_SIZE by default, at most 500 a page.
    "DEFAULT_PAGINATION_CLASS": "ltci.core.api_limits.ApiPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ltci.core.api.exception_handler",
    # Throttling (counts in the Redis cache): per user, all of a user's tokens together; anonymous requests
    # per address; service-record uploads (up to LTCI_API_MAX_RECORDS records each) have their own budget.
    "DEFAULT_THROTTLE_CLASSES": [
        "ltci.core.api_limits.UserThrottle",
        "ltci.core.api_limits.AnonThrottle",
        "ltci.core.api_limits.ScopedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute", "anon": "60/minute", "service_records": "60/minute"},
}
# Records one POST /api/v1/service-records/ may carry (a bigger batch is a 400 naming this number).
LTCI_API_MAX_RECORDS = 1000
SPECTACULAR_SETTINGS = {
    "TITLE": "ltci API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema documents JSON bodies (the API also parses forms, for the browsable API)
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI's default validator badge is an image from validator.swagger.io: off (offline, issue 16).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

# --- Credentials and hardening (security review findings 3, 13, 15; docs/decisions.md "Credentials and
# hardening"). Kept together; the REST_FRAMEWORK block above belongs to the API throttling work.
# One-time activation codes: failures per code from all addresses together before the code is void.
LTCI_ACTIVATION_CODE_MAX_FAILURES = env.int("LTCI_ACTIVATION_CODE_MAX_FAILURES", default=10)
# axes' lockout answer (429) in the users' language (axes has no Chinese catalogue).
AXES_COOLOFF_MESSAGE = _("尝试次数过多，已暂时锁定，请一小时后再试；如需帮助请联系经办机构。")
# Never store a code, a password or an ID number in axes' attempt log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "password2", "code", "national_id"]
# Reverse proxies in front of the app (0: none, the default). Only then are X-Forwarded-For (client
# address for lockouts and throttles, ltci.core.clientip) and X-Forwarded-Proto (HTTPS) believed.
LTCI_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = LTCI_TRUSTED_PROXY_COUNT  # DRF's throttles key on the same client address
AXES_CLIENT_IP_CALLABLE = "ltci.core.clientip.client_ip"
# Failed API token authentications per client address; at the limit the client is refused for a while.
LTCI_TOKEN_FAILURE_LIMIT = env.int("LTCI_TOKEN_FAILURE_LIMIT", default=20)
LTCI_TOKEN_LOCKOUT_SECONDS = env.int("LTCI_TOKEN_LOCKOUT_SECONDS", default=15 * 60)
# Sessions: every login (staff, portal, insured person) ends 8 hours after it began and after 30 minutes
# without a request (ltci.core.sessions); Django's default was 14 days.
LTCI_SESSION_MAX_AGE = env.int("LTCI_SESSION_MAX_AGE", default=8 * 3600)
LTCI_SESSION_IDLE_SECONDS = env.int("LTCI_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = LTCI_SESSION_MAX_AGE
# Content-Security-Policy (django-csp): everything from the site itself, no remote host, no inline script.
# Inline styles stay allowed: the templates use <style> blocks and style attributes (bars of the fund
# reports); scripts are the admin's and Swagger UI's files, served by the site (drf-spectacular-sidecar).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# --- end of credentials and hardening

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# How many days ahead the office warns of an expiry: liability insurance (daily check), and the provider
# portal's to-dos for agreements, liability insurance and caregiver certificates (docs/decisions.md).
LTCI_EXPIRY_WARNING_DAYS = env.int("LTCI_EXPIRY_WARNING_DAYS", default=30)
# --- The office that issues the documents (issue 16): its name, address and seal on every PDF ---------------
# The defaults are Xuzhou's (the demo's policy pack); a deployment sets its own through the environment. The seal
# is an image file (SVG or PNG); the default one is a drawn placeholder marked 示例, never a real seal.
LTCI_OFFICE = {
    "authority": env("LTCI_OFFICE_AUTHORITY", default="徐州市医疗保障局"),
    "name": env("LTCI_OFFICE_NAME", default="徐州市长期护理保险经办机构"),
    "address": env("LTCI_OFFICE_ADDRESS", default="江苏省徐州市云龙区（示例地址）"),
    "phone": env("LTCI_OFFICE_PHONE", default="0516-12345"),
    "seal": env(
        "LTCI_OFFICE_SEAL",
        default=str(BASE_DIR / "ltci" / "core" / "static" / "ltci" / "seal-placeholder.svg"),
    ),
}

# --- Notifications (issue 19, ltci.core.channels) -----------------------------------------------------------
# SMS go to the HTTP gateway when LTCI_SMS_GATEWAY_URL is set; otherwise (development) each message is a file of
# LTCI_SMS_OUTBOX. E-mail uses EMAIL_URL above; letters are printed in a daily PDF batch (media "letters/").
LTCI_SMS_GATEWAY_URL = env("LTCI_SMS_GATEWAY_URL", default="")
LTCI_SMS_GATEWAY_TOKEN = env("LTCI_SMS_GATEWAY_TOKEN", default="")
LTCI_SMS_OUTBOX = env("LTCI_SMS_OUTBOX", default=str(BASE_DIR / ".local" / "sms-outbox"))

# The policy scheme calculations use when several packs are loaded (see docs/decisions.md).
LTCI_DEFAULT_POLICY_PACK = env("LTCI_POLICY_PACK", default="xuzhou-2022")

# --- Upload and import limits (issue 13; read by ltci.core.importing and ltci.core.uploads) ------------------
# Files of the SPEC 11 imports: bytes as sent, bytes once an XLSX is unzipped (and its compression ratio: a zip
# bomb is refused before openpyxl opens it), data rows. The command line (and a service called directly) may
# read a whole city's roster (1,000,000 rows, about 70 MB of CSV or 450 MB of unzipped XLSX); a web upload is
# smaller, and one over IMPORT_WEB_SYNC_* runs as a Celery job instead of holding a web worker.
IMPORT_MAX_BYTES = env.int("LTCI_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("LTCI_IMPORT_MAX_UNCOMPRESSED_BYTES", default=1024 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("LTCI_IMPORT_MAX_ROWS", default=1_000_000)
IMPORT_MAX_COMPRESSION_RATIO = 100  # legitimate XLSX sheets compress 10-25 times
IMPORT_WEB_MAX_BYTES = env.int("LTCI_IMPORT_WEB_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_WEB_MAX_UNCOMPRESSED_BYTES = env.int(
    "LTCI_IMPORT_WEB_MAX_UNCOMPRESSED_BYTES", default=300 * 1024 * 1024
)
IMPORT_WEB_MAX_ROWS = env.int("LTCI_IMPORT_WEB_MAX_ROWS", default=200_000)
IMPORT_WEB_SYNC_MAX_BYTES = 2 * 1024 * 1024  # larger (unzipped) uploads run as a job
IMPORT_WEB_SYNC_MAX_ROWS = 5_000  # so do files of more lines
# Staff list exports (XLSX/CSV, ltci.core.admin_exports) run in the web request: at most this many rows; a larger
# list is refused with a message asking to narrow the filters (docs/decisions.md, "Staff list exports").
EXPORT_SYNC_MAX_ROWS = env.int("LTCI_EXPORT_SYNC_MAX_ROWS", default=5_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # request bodies other than files (API batches of records)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploaded files are spooled to a temporary file
FILE_UPLOAD_HANDLERS = [
    "ltci.core.uploads.LimitedUploadHandler",  # skips the files of a request over IMPORT_WEB_MAX_BYTES
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ltci": {"level": "INFO"}},
}

# Bank files of payment batches (docs/operations.md "Bank files"): the layout of the bank that executes the
# office's payments. Each layout: columns (codes of settlement.services.payments.BANK_FILE_FIELDS, in file
# order), header (a first row of column names: "codes", "labels" or "none"), delimiter, encoding.
LTCI_BANK_FILE_LAYOUTS = {
    "default": {"columns": None, "header": "codes", "delimiter": ",", "encoding": "utf-8-sig"},
    # An example of a bank wanting GBK text, no header and its own column order.
    "ICBC": {
        "columns": ["reference", "account_no", "holder_name", "amount", "bank_code", "memo"],
        "header": "none",
        "delimiter": "|",
        "encoding": "gb18030",
    },
}
LTCI_BANK_FILE_LAYOUT = env("LTCI_BANK_FILE_LAYOUT", default="default")
