"""Who may use the provider portal and the API (CONTRACT: other apps import these names).

    from institutions.permissions import portal_required, IsInstitutionUser, current_institution

- `@portal_required(capability="portal.records")` on a portal view (or `PortalRequiredMixin` with
  `capability`): anonymous users go to the portal login; logged-in users without an active
  institution link (staff, insured persons) and users whose role lacks the capability get 403. The view then
  finds `request.institution` and `request.institution_role`; every query must be scoped to that institution.
  `institution_types=("assessment_agency",)` restricts a view to some institution types.
- `IsInstitutionUser` (DRF): the same for API views; a view sets `capability = "..."` (or `capabilities =
  {"GET": "...", "POST": "..."}` per method) and `institution_types = (...)`. Token (hashed, ltci.core.auth)
  and session authentication both work.
- `portal_can(request, "portal.users")`: the same check inside a view (a form shown only to some roles).

Which role holds which capability is declared once, in `ltci.core.permissions` (docs/decisions.md, "Who may
do what"); no view names roles itself.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from ltci.core import permissions

from .models import InstitutionUser

ADMIN = InstitutionUser.Role.ADMIN
CLERK = InstitutionUser.Role.CLERK
CAREGIVER = InstitutionUser.Role.CAREGIVER
ASSESSOR = InstitutionUser.Role.ASSESSOR
ALL_ROLES = (ADMIN, CLERK, CAREGIVER, ASSESSOR)


def _link(user) -> InstitutionUser | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_institution_link_cache", None)
    if cached is None:
        cached = InstitutionUser.objects.select_related("institution").filter(user=user).first() or False
        user._institution_link_cache = cached
    return cached or None


def current_institution(request):
    """The institution of the request's user (None for anonymous, staff and insured persons)."""
    link = _link(getattr(request, "user", None))
    return link.institution if link else None


def current_role(request) -> str | None:
    link = _link(getattr(request, "user", None))
    return link.role if link else None


def check_portal_access(request, institution_types=None, capability=None) -> bool:
    """Set request.institution / request.institution_role; False when the user has no access."""
    link = _link(request.user)
    if link is None:
        return False
    if capability is not None and not permissions.can(None, capability, portal_role=link.role):
        return False
    if institution_types is not None and link.institution.type not in institution_types:
        return False
    request.institution = link.institution
    request.institution_role = link.role
    return True


def portal_can(request, capability: str) -> bool:
    """Whether the request's portal role holds the capability (after portal_required set the role)."""
    return permissions.can(None, capability, portal_role=getattr(request, "institution_role", None))


def portal_required(view=None, *, institution_types=None, capability=None):
    """Decorator for portal views; usable bare (@portal_required) or with capability/institution_types."""
    if capability is not None:
        permissions.capability(capability)  # an unknown name fails at import time

    def decorate(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not check_portal_access(request, institution_types, capability):
                raise PermissionDenied("no access to this portal page")
            return func(request, *args, **kwargs)

        wrapper.capability = capability
        return wrapper

    return decorate(view) if view is not None else decorate


class PortalRequiredMixin:
    institution_types = None
    capability = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not check_portal_access(request, self.institution_types, self.capability):
            raise PermissionDenied("no access to this portal page")
        return super().dispatch(request, *args, **kwargs)


def view_capability(view, method: str) -> str | None:
    """The capability an API view requires for an HTTP method (`capabilities[method]`, else `capability`)."""
    per_method = getattr(view, "capabilities", None) or {}
    return per_method.get(method.upper(), getattr(view, "capability", None))


class IsInstitutionUser(BasePermission):
    """DRF: an active institution user whose role holds the view's capability for the request's method
    (`view.capability` or `view.capabilities`), optionally of `view.institution_types`."""

    message = gettext_lazy("仅限协议机构用户访问")

    def has_permission(self, request, view):
        return check_portal_access(
            request, getattr(view, "institution_types", None), view_capability(view, request.method)
        )
