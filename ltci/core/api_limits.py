"""One capped pagination and the per-user throttles of every /api/v1/ endpoint; their numbers are settings in
REST_FRAMEWORK (ltci/settings/base.py).

A module of its own that never imports rest_framework.views: DRF reads these classes from the settings while
rest_framework.views itself is being imported, so a module importing it here would import itself half-made.
"""

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class ApiPagination(LimitOffsetPagination):
    """limit/offset for every list endpoint; `limit` defaults to PAGE_SIZE and is capped at MAX_PAGE_SIZE.

    A limit that is not a positive integer means the default and one above the cap means the cap; an
    offset that is not a non-negative integer means 0 and one past the end gives an empty page (DRF's
    rules), so no value reaches the database as an out-of-range LIMIT/OFFSET.
    """

    max_limit = 500
    limit_query_description = "每页条数（默认100，最大500）"
    offset_query_description = "从第几条开始（0起）"


class _LiveRate:
    """Read the rate from the current settings (DRF's classes keep the rates of import time)."""

    scope: str | None  # set by the throttle class this is mixed into

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) if self.scope else None


class UserThrottle(_LiveRate, UserRateThrottle):
    """Requests per user: every token of a user shares the user's budget (scope `user`); anonymous
    requests are counted by address (scope `anon`, AnonThrottle)."""


class AnonThrottle(_LiveRate, AnonRateThrottle):
    pass


class ScopedThrottle(_LiveRate, ScopedRateThrottle):
    """A view's own budget per user (`throttle_scope = "service_records"`), besides the general one."""
