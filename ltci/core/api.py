"""API conventions of every /api/v1/ endpoint (STYLE.md): the error format and the JSON 404; the pagination
and the throttles are in ltci.core.api_limits."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
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


def not_found(request, exception=None):
    """handler404: a URL under /api/ that matches no route (e.g. /api/v1/beds/-1/end/) answers in the API's
    error format, as the schema documents; other URLs get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("未找到。")}, status=404)
    return page_not_found(request, exception)
