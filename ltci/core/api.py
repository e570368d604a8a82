"""API conventions of every /api/v1/ endpoint (STYLE.md): the error format, one capped pagination and the
per-user throttles. Their numbers are settings in REST_FRAMEWORK (ltci/settings/base.py)."""
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Every error has a stable `code` and a Chinese `message`; validation errors add `errors` by field."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        detail = data["detail"]
        response.data = {"code": getattr(detail, "code", code), "message": str(detail)}
    else:
        response.data = {"code": "invalid", "message": _("输入有误"), "errors": data}
    return response


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

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_LiveRate, UserRateThrottle):
    """Requests per user: every token of a user shares the user's budget (scope `user`); anonymous
    requests are counted by address (scope `anon`, AnonThrottle)."""


class AnonThrottle(_LiveRate, AnonRateThrottle):
    pass


class ScopedThrottle(_LiveRate, ScopedRateThrottle):
    """A view's own budget per user (`throttle_scope = "service_records"`), besides the general one."""


def not_found(request, exception=None):
    """handler404: a URL under /api/ that matches no route (e.g. /api/v1/beds/-1/end/) answers in the API's
    error format, as the schema documents; other URLs get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("未找到。")}, status=404)
    return page_not_found(request, exception)
