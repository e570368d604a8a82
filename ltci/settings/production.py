from .base import *  # noqa: F401,F403
from .base import LTCI_TRUSTED_PROXY_COUNT, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Believe the proxy's X-Forwarded-Proto only when the app runs behind a proxy (TRUSTED_PROXY_COUNT > 0);
# exposed directly, anyone could send the header and pass for HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if LTCI_TRUSTED_PROXY_COUNT > 0 else None
# LTCI_HTTPS (default true): the site is served over HTTPS, so redirect plain HTTP, send HSTS and mark the
# cookies secure. false only until TLS is configured (docker-compose.yml's default, docs/operations.md): the
# pages then work over plain HTTP, and `check --deploy` warns about each of these settings.
LTCI_HTTPS = env.bool("LTCI_HTTPS", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=LTCI_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if LTCI_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = LTCI_HTTPS
SECURE_HSTS_PRELOAD = LTCI_HTTPS
SESSION_COOKIE_SECURE = LTCI_HTTPS
CSRF_COOKIE_SECURE = LTCI_HTTPS
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))  # the office's mail relay
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
