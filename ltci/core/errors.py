"""Error pages in the site's layout (issue 16): staff pages under /admin/ answer in the admin's layout, the
API in its JSON error format (ltci.core.api), everything else in templates/base.html."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from .api import not_found as api_not_found
from .query import QueryError


def _page(request, status, exception=None):
    user = getattr(request, "user", None)
    # A bad query parameter names itself and its reason (our own messages only, never another exception's).
    reasons = exception.reasons if isinstance(exception, QueryError) else []
    if request.path.startswith("/admin/") and user is not None and user.is_staff:
        context = {**admin.site.each_context(request), "status": status, "reasons": reasons}
        response = TemplateResponse(request, f"admin/{status}.html", context, status=status)
    else:
        context = {"status": status, "reasons": reasons}
        response = TemplateResponse(request, f"{status}.html", context, status=status)
    return response.render()


@requires_csrf_token
def bad_request(request, exception=None):
    return _page(request, 400, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(request, 403, exception)


@requires_csrf_token
def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return _page(request, 404, exception)


@requires_csrf_token
def server_error(request):
    """Django's own handler (no context, no database): templates/500.html, which needs nothing to render."""
    return django_server_error(request)
