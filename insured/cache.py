"""Server-side cache of the rendered page /me/ (SPEC 8; SPEC 12 performance).

Every request runs one query (``selectors.page_state``): the activated account of ``request.user``, the
person it views, and three versions the database keeps current (insured.models; bumped by triggers on every
table the page shows, whoever writes). The page is cached under (release, database, language, day, account,
viewed person, the three versions): a cached page is served only while nothing on it changed, and there is
no invalidation to forget. The day is in the key because the page shows date-dependent things (waiting
period, review deadlines, decisions and links in force, reminders).

The CSRF token is not cached: the page is rendered with a random placeholder, stored (compressed) with it,
and the placeholder is replaced with the request's token. Requests with flash messages or a query string are
rendered without the cache. ``STATS`` counts hits, misses and uncached renders (per process). ``variant``: a display setting of the
device in the key (the large-text mode).
"""

import hashlib
import secrets
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from .selectors import PageState

TIMEOUT = 600  # seconds; the versions, not the timeout, keep the page current (this only bounds memory)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    uncached: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, what: str) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    def snapshot(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "uncached": self.uncached}


STATS = CacheStats()


_release: str | None = None


def release() -> str:
    """LTCI_RELEASE (the deploy's identifier) or, without it, a digest of the site's own templates, code
    and catalogues: a deploy never serves pages rendered by older templates."""
    global _release
    if _release is None:
        configured = getattr(settings, "LTCI_RELEASE", "")
        if configured:
            _release = configured
        else:
            base = Path(settings.BASE_DIR)
            files = sorted(
                [*(base / "insured").glob("*.py"), *(base / "templates" / "insured").rglob("*.html")]
                + list((base / "locale").rglob("*.mo"))
            )
            digest = hashlib.sha256()
            for path in files:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
            _release = digest.hexdigest()[:16]
    return _release


def cache_key(state: PageState, on, variant="") -> str:
    raw = "|".join(
        str(x)
        for x in (
            release(),
            settings.DATABASES["default"]["NAME"],
            get_language(),
            on,
            state.account_id,
            state.viewed_id,
            state.account_version,
            state.person_version,
            state.shared_version,
            variant,
        )
    )
    return "ltci:me:" + hashlib.sha256(raw.encode()).hexdigest()


def cacheable(request) -> bool:
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and len(messages.get_messages(request)) == 0
    )


def cached_page(request, state: PageState, on, render, *, variant="") -> HttpResponse:
    """The page from the cache, or ``render(csrf_token)`` (HTML) cached; uncacheable requests render as is."""
    if not cacheable(request):
        STATS.count("uncached")
        return HttpResponse(render(None))
    key = cache_key(state, on, variant)
    entry = cache.get(key)
    if entry is None:
        STATS.count("misses")
        placeholder = secrets.token_hex(16)
        html = render(placeholder)
        # Compressed: the entries share Redis with the sessions (production), a page is ~5x smaller so.
        entry = (placeholder, zlib.compress(html.encode(), 1))
        cache.set(key, entry, TIMEOUT)
    else:
        STATS.count("hits")
        placeholder, compressed = entry
        html = zlib.decompress(compressed).decode()
    return HttpResponse(html.replace(placeholder, get_token(request)))
