"""Token authentication with hashed keys (the key is shown once, only its SHA-256 is stored).

Failed token authentications are counted per client address (ltci.core.clientip, proxy-aware) in the cache;
at LTCI_TOKEN_FAILURE_LIMIT within the lockout period the client is refused (429, Retry-After) until the
period ends, valid tokens included, as django-axes does for passwords.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .clientip import client_ip
from .models import ApiToken

# Status-page logins of insured persons are "ins-<national ID>" (benefits.services.accounts); no other login
# (portal users) may take a name of that form, whatever its case.
INSURED_USERNAME_PREFIX = "ins-"


def is_reserved_username(username: str) -> bool:
    return (username or "").strip().lower().startswith(INSURED_USERNAME_PREFIX)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for user; return (token, plain key). The plain key is never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key))
    return token, key


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        failures_key = "ltci:token-failures:" + client_ip(request)
        if (cache.get(failures_key) or 0) >= settings.LTCI_TOKEN_FAILURE_LIMIT:
            raise exceptions.Throttled(
                wait=settings.LTCI_TOKEN_LOCKOUT_SECONDS,  # at most that long
                detail=str(_("令牌认证失败次数过多，请稍后再试")),
            )
        if len(header) != 2:
            self._failed(failures_key)
            raise exceptions.AuthenticationFailed(_("令牌格式错误"))
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            self._failed(failures_key)
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销"))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    @staticmethod
    def _failed(key: str) -> None:
        """Count a failure of this client; reaching the limit refuses it for LTCI_TOKEN_LOCKOUT_SECONDS."""
        lockout = settings.LTCI_TOKEN_LOCKOUT_SECONDS
        cache.add(key, 0, timeout=lockout)
        if cache.incr(key) >= settings.LTCI_TOKEN_FAILURE_LIMIT:
            cache.touch(key, lockout)

    def authenticate_header(self, request):
        return self.keyword
