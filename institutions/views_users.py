"""Portal: the institution administrator manages the institution's users and API tokens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ltci.core.auth import token_create, token_revoke
from ltci.core.models import ApiToken

from . import services
from .errors import InstitutionError
from .forms import PortalUserForm, RoleForm, TokenForm
from .models import InstitutionUser
from .permissions import portal_required


@portal_required(capability="portal.users")
def users(request):
    institution = request.institution
    form = PortalUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_user_create(institution=institution, actor=request.user, **form.cleaned_data)
        except InstitutionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("用户 %(u)s 已创建") % {"u": form.cleaned_data["username"]})
            return redirect("portal:users")
    links = (
        InstitutionUser.objects.filter(institution=institution)
        .select_related("user")
        .order_by("user__username")
    )
    return render(request, "portal/users.html", {"form": form, "links": links, "role_form": RoleForm()})


def _own_link(request, pk):
    return get_object_or_404(
        InstitutionUser.objects.select_related("user"), pk=pk, institution=request.institution
    )


@require_POST
@portal_required(capability="portal.users")
def user_role(request, pk):
    link = _own_link(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.institution_user_set_role(link=link, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, _("角色已更新"))
        except InstitutionError as exc:
            messages.error(request, exc.message)
    return redirect("portal:users")


@require_POST
@portal_required(capability="portal.users")
def user_deactivate(request, pk):
    link = _own_link(request, pk)
    try:
        services.institution_user_deactivate(link=link, actor=request.user)
        messages.success(request, _("用户 %(u)s 已停用") % {"u": link.user.username})
    except InstitutionError as exc:
        messages.error(request, exc.message)
    return redirect("portal:users")


def _institution_tokens(institution):
    return ApiToken.objects.filter(user__institution_link__institution=institution).select_related("user")


@portal_required(capability="portal.users")
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "portal/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": _institution_tokens(request.institution).order_by("-created_at"),
        },
    )


@require_POST
@portal_required(capability="portal.users")
def token_revoke_view(request, pk):
    token = get_object_or_404(_institution_tokens(request.institution), pk=pk)
    token_revoke(token=token)
    messages.success(request, _("令牌 %(p)s… 已吊销") % {"p": token.prefix})
    return redirect("portal:tokens")
