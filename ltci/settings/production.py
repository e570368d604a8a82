from .base import *  # noqa: F401,F403
from .base import LTCI_TRUSTED_PROXY_COUNT, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Believe the proxy's X-Forwarded-Proto only when the app runs behind a proxy (TRUSTED_PROXY_COUNT > 0);
# exposed directly, anyone could send the header and pass for HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if LTCI_TRUSTED_PROXY_COUNT > 0 else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))  # the office's mail relay
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
