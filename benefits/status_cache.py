"""Server-side cache of the rendered status page /me/ (SPEC 8; SPEC 12 performance).

Every request runs ONE query (``page_state``) that finds the activated account of the user, the persons it
may view on the day (own person, then principals of links in force, by name), the one being viewed, and a
fingerprint of every row the page shows: ``id:xmin:cmin`` of each row of each table, per person where the
table has a person. Any insert, update or delete changes it, whoever writes -- the ORM, a set-based run
(yearly contributions, settlement), an import, plain SQL -- and whether it is committed or only visible in the
reader's own transaction (cmin). The page is cached under (code digest, database, language, date, user,
viewed person, fingerprint), so a cached page is only served while nothing on it has changed; there is no
invalidation to forget. The date is in the key because the page shows date-dependent things (waiting
period, review deadlines, decisions and links in force, reminders).

The CSRF token is not cached: the page is rendered with a random placeholder, stored (compressed) with it,
and the placeholder is replaced with the request's token. Requests with flash messages or a query string are
rendered without the cache.

Tables are named here through the models; ``tests/benefits/test_status_cache.py`` checks that every table
the page reads is covered, so a new read on the page without a fingerprint part fails the suite.
"""

import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from ltci.core.backends import user_columns
from ltci.core.queries import fetchone_prepared

TIMEOUT = 600  # seconds; the fingerprint, not the timeout, keeps the page current (this only bounds memory)

# (model label, condition on alias t). {v} is the viewed person's id, {acc} the account's id, {viewable} the
# ids of the persons the account may view. Tables without a person (policy, runs) are fingerprinted whole.
PARTS: list[tuple[str, str]] = [
    ("benefits.InsuredAccount", "t.id = {acc}"),
    ("benefits.AgentLink", "t.account_id = {acc}"),
    ("enrollment.Person", "t.id IN (SELECT id FROM viewable)"),
    ("enrollment.CoveragePeriod", "t.person_id = {v}"),
    ("enrollment.Contribution", "t.person_id = {v}"),
    ("assessment.Application", "t.person_id = {v}"),
    ("assessment.Conclusion", "t.person_id = {v}"),
    (
        "assessment.ExpiryReminder",
        "t.conclusion_id IN (SELECT c.id FROM {assessment.Conclusion} c WHERE c.person_id = {v})",
    ),
    ("benefits.BenefitDecision", "t.person_id = {v}"),
    ("benefits.HospitalStay", "t.person_id = {v}"),
    (
        "institutions.Institution",
        "t.id IN (SELECT d.institution_id FROM {benefits.BenefitDecision} d WHERE d.person_id = {v})",
    ),
]
# The policy tables, fingerprinted whole (and returned on their own too: the payment standards shown are
# reused across persons with the same policy stamp, see status_selectors.status_of).
POLICY = ["core.PolicyScheme", "core.PolicyRecord"]
# Global values the page depends on that are not rows of the viewed person (waiting period: first year).
EXTRA = ["(SELECT min(year)::text FROM {enrollment.Contribution})"]

# Parts of the readers registered by apps above benefits for the monthly services (see status_selectors).
# A provider without parts disables the cache (it would not know when that provider's data changes).
PROVIDER_PARTS: dict[str, list[tuple[str, str]]] = {}  # filled by the apps above (SettlementConfig.ready)


def register_provider_parts(provider, parts: list[tuple[str, str]]) -> None:
    PROVIDER_PARTS[f"{provider.__module__}.{provider.__qualname__}"] = list(parts)


def _all_parts() -> list[tuple[str, str]] | None:
    from .status_selectors import _monthly_providers

    parts = list(PARTS)
    for provider in _monthly_providers:
        extra = PROVIDER_PARTS.get(f"{provider.__module__}.{provider.__qualname__}")
        if extra is None:
            return None
        parts += extra
    return parts


def covered_tables() -> set[str]:
    """The tables whose rows are in the fingerprint (for the completeness test)."""
    labels = [label for label, _ in (_all_parts() or [])] + POLICY
    return {apps.get_model(label)._meta.db_table for label in labels}


def _table(label: str) -> str:
    return f'"{apps.get_model(label)._meta.db_table}"'


def _fill(text: str) -> str:
    text = text.replace("{v}", "(SELECT id FROM viewed)").replace("{acc}", "(SELECT id FROM acc)")
    return re.sub(r"\{(\w+\.\w+)\}", lambda m: _table(m.group(1)), text)


def _sql(parts) -> str:
    """The state query (S608: only table names from the models' metadata are formatted in, no input)."""
    stamp = "t.id::text || ':' || t.xmin::text || ':' || t.cmin::text"
    pieces = [
        f"coalesce((SELECT string_agg({stamp}, ',' ORDER BY t.id) FROM {_table(label)} t "  # noqa: S608
        f"WHERE {_fill(where)}), '-')"
        for label, where in parts
    ]
    pieces += [f"coalesce({_fill(expr)}, '-')" for expr in EXTRA]
    policy = [
        f"coalesce((SELECT string_agg({stamp}, ',' ORDER BY t.id) FROM {_table(label)} t), '-')"  # noqa: S608
        for label in POLICY
    ]
    account, link, person = (
        _table(m) for m in ("benefits.InsuredAccount", "benefits.AgentLink", "enrollment.Person")
    )
    return f"""
WITH acc AS (SELECT id, person_id, user_id FROM {account}
             WHERE user_id = %(user)s::bigint AND activated_at IS NOT NULL ORDER BY id LIMIT 1),
viewable AS (
    SELECT p.id, 0 AS ord, p.name FROM {person} p WHERE p.id = (SELECT person_id FROM acc)
    UNION ALL
    SELECT p.id, 1 AS ord, p.name FROM {person} p WHERE p.id IN (
        SELECT l.principal_id FROM {link} l WHERE l.account_id = (SELECT id FROM acc)
        AND l.valid_from <= %(on)s::date AND (l.valid_to IS NULL OR l.valid_to >= %(on)s::date))),
policy AS (SELECT md5(concat_ws('|', {", ".join(policy)})) AS stamp),
viewed AS (SELECT coalesce((SELECT id FROM viewable WHERE id = %(chosen)s::bigint LIMIT 1),
                           (SELECT id FROM viewable ORDER BY ord, name, id LIMIT 1)) AS id)
SELECT acc.id, acc.person_id, (SELECT id FROM viewed), ARRAY(SELECT id FROM viewable ORDER BY ord, name, id),
       md5(concat_ws('|', (SELECT stamp FROM policy), {", ".join(pieces)})), (SELECT stamp FROM policy),
       {user_columns("u")}
FROM acc JOIN {_table(settings.AUTH_USER_MODEL)} u ON u.id = acc.user_id"""  # noqa: S608


@dataclass(frozen=True)
class PageState:
    account_id: int
    person_id: int | None  # the account's own person
    viewed_id: int | None
    viewable_ids: tuple[int, ...]
    fingerprint: str | None  # None: the page cannot be cached (a monthly provider without parts)
    policy_stamp: str | None = None
    user_row: tuple | None = None  # the auth user's row, for ltci.core.backends.user_prefetched


_sql_cache: dict[tuple, str] = {}


def page_state(*, user_id: int, chosen, on) -> PageState | None:
    """The account, whom it may view and views, and the fingerprint of the viewed page; None: no account."""
    parts = _all_parts()
    key = tuple(parts or ())
    if key not in _sql_cache:
        _sql_cache[key] = _sql(parts or [])
    chosen = chosen if isinstance(chosen, int) else None
    # Prepared: planning this query costs twice its execution.
    row = fetchone_prepared(_sql_cache[key], {"user": user_id, "on": on, "chosen": chosen})
    if row is None:
        return None
    return PageState(
        account_id=row[0],
        person_id=row[1],
        viewed_id=row[2],
        viewable_ids=tuple(row[3]),
        fingerprint=row[4] if parts is not None else None,
        policy_stamp=row[5],
        user_row=row[6:],
    )


_digest: str | None = None


def code_digest() -> str:
    """Content hash of the code, templates and translations (a deploy never serves pages of older code)."""
    global _digest
    if _digest is None:
        import django

        base = Path(settings.BASE_DIR)
        h = hashlib.sha256(django.get_version().encode())
        files = [
            p
            for folder in ("ltci", "institutions", "enrollment", "assessment", "benefits", "settlement")
            for p in (base / folder).rglob("*.py")
            if "migrations" not in p.parts
        ]
        files += list((base / "templates").rglob("*.html")) + list((base / "locale").rglob("*.mo"))
        for path in sorted(files):
            h.update(str(path.relative_to(base)).encode())
            h.update(path.read_bytes())
        _digest = h.hexdigest()[:16]
    return _digest


def _cache_key(request, state: PageState, on) -> str:
    raw = "|".join(
        str(x)
        for x in (
            code_digest(),
            settings.DATABASES["default"]["NAME"],
            get_language(),
            on,
            request.user.pk,
            state.viewed_id,
            state.fingerprint,
        )
    )
    return "ltci:me:" + hashlib.sha256(raw.encode()).hexdigest()


def cacheable(request, state: PageState) -> bool:
    return (
        state.fingerprint is not None
        and request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and len(messages.get_messages(request)) == 0
    )


def cached_page(request, state: PageState, on, render) -> HttpResponse:
    """The page from the cache, or ``render(csrf_token)`` (HTML) cached; uncacheable requests render as is."""
    if not cacheable(request, state):
        return HttpResponse(render(None))
    key = _cache_key(request, state, on)
    entry = cache.get(key)
    if entry is None:
        placeholder = secrets.token_hex(16)
        html = render(placeholder)
        # Compressed: the entries share Redis with the sessions (production), a page is ~5x smaller so.
        entry = (placeholder, zlib.compress(html.encode(), 1))
        cache.set(key, entry, TIMEOUT)
    else:
        placeholder, compressed = entry
        html = zlib.decompress(compressed).decode()
    return HttpResponse(html.replace(placeholder, get_token(request)))
