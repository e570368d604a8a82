"""The client's address, for lockouts and throttles (django-axes, failed API tokens).

Behind N trusted reverse proxies (setting LTCI_TRUSTED_PROXY_COUNT, environment TRUSTED_PROXY_COUNT), each
proxy appends the address it received the request from to X-Forwarded-For, so the client is the N-th entry
from the right; entries further left were sent by the client and prove nothing. Not behind a proxy (0, the
default), the header is ignored and REMOTE_ADDR is the client. A header with fewer entries than proxies, or
an entry that is not an address, falls back to REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.LTCI_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
