"""API error format: every error has a stable `code` and a Chinese `message` (STYLE.md)."""
from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
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
