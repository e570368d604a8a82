"""Admin lifecycle buttons and actions: a reason form, then the service (states.transition audits it)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services, states
from ..errors import InstitutionError
from ..forms import ReasonForm, SignForm
from ..models import Institution
from ..selectors import current_agreement

S = Institution.Status

# action -> (label, service, statuses it applies to, form class)
LIFECYCLE = {
    "submit_review": (
        gettext_lazy("提交资格审核"),
        services.institution_submit_review,
        {S.APPLIED},
        ReasonForm,
    ),
    "pass_review": (
        gettext_lazy("审核通过，进入现场评估"),
        services.institution_pass_review,
        {S.QUALIFICATION_REVIEW},
        ReasonForm,
    ),
    "sign": (gettext_lazy("签订服务协议"), None, {S.ONSITE_EVALUATION}, SignForm),
    "renew": (gettext_lazy("续签服务协议"), None, {S.ACTIVE}, SignForm),
    "suspend": (gettext_lazy("暂停定点"), services.institution_suspend, {S.ACTIVE}, ReasonForm),
    "reinstate": (gettext_lazy("恢复定点"), services.institution_reinstate, {S.SUSPENDED}, ReasonForm),
    "terminate": (
        gettext_lazy("解除协议"),
        services.institution_terminate,
        {S.ACTIVE, S.SUSPENDED},
        ReasonForm,
    ),
    "reject": (
        gettext_lazy("不予准入"),
        services.institution_reject,
        {S.APPLIED, S.QUALIFICATION_REVIEW, S.ONSITE_EVALUATION},
        ReasonForm,
    ),
}
BULK = ["submit_review", "pass_review", "suspend", "reinstate", "terminate", "reject"]


def available_actions(institution: Institution) -> list[tuple[str, str]]:
    return [(name, spec[0]) for name, spec in LIFECYCLE.items() if institution.status in spec[2]]


def _apply(request, institution: Institution, action: str, data: dict) -> None:
    label, service, _statuses, _form = LIFECYCLE[action]
    common = {"actor": request.user, "reason": data["reason"], "on": data["effective_on"]}
    if action == "sign":
        services.agreement_sign(
            institution=institution,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            care_forms=data["care_forms"],
            price_life=data["price_life"],
            price_medical=data["price_medical"],
            insurance_expires_on=data["insurance_expires_on"],
            **common,
        )
    elif action == "renew":
        agreement = current_agreement(institution=institution)
        if agreement is None:
            raise InstitutionError(_("没有可续签的协议"))
        services.agreement_renew(
            agreement=agreement,
            valid_to=data["valid_to"],
            care_forms=data["care_forms"],
            price_life=data["price_life"],
            price_medical=data["price_medical"],
            insurance_expires_on=data["insurance_expires_on"],
            **common,
        )
    else:
        service(institution=institution, **common)


def lifecycle_view(model_admin, request, object_id, action):
    """The page behind a lifecycle button on the institution's change form."""
    if action not in LIFECYCLE:
        raise PermissionDenied
    institution = get_object_or_404(Institution, pk=object_id)
    if not model_admin.has_change_permission(request, institution):
        raise PermissionDenied
    label, _service, _statuses, form_class = LIFECYCLE[action]
    initial = {}
    if action == "renew" and (agreement := current_agreement(institution=institution)):
        initial = {
            "valid_from": agreement.valid_to,
            "care_forms": agreement.care_forms,
            "price_life": agreement.price_life,
            "price_medical": agreement.price_medical,
            "insurance_expires_on": agreement.insurance_expires_on,
        }
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(request, institution, action, form.cleaned_data)
        except InstitutionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(code)s %(name)s：%(action)s")
                % {"code": institution.code, "name": institution.name, "action": label},
            )
            return redirect(reverse("admin:institutions_institution_change", args=[institution.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("%(action)s：%(institution)s") % {"action": label, "institution": institution},
        "form": form,
        "institution": institution,
        "action_label": label,
        "original": institution,
    }
    return TemplateResponse(request, "admin/institutions/lifecycle_form.html", context)


def create_user_view(model_admin, request, object_id):
    """Staff create an institution's portal login (normally its first administrator)."""
    from ..forms import PortalUserForm

    institution = get_object_or_404(Institution, pk=object_id)
    if not model_admin.has_change_permission(request, institution):
        raise PermissionDenied
    form = PortalUserForm(request.POST or None, initial={"role": "admin"})
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_user_create(institution=institution, actor=request.user, **form.cleaned_data)
        except InstitutionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已为%(institution)s创建用户 %(username)s")
                % {"institution": institution.name, "username": form.cleaned_data["username"]},
            )
            return redirect(reverse("admin:institutions_institution_change", args=[institution.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("新建机构用户：%(institution)s") % {"institution": institution},
        "form": form,
        "institution": institution,
        "action_label": _("新建用户"),
        "original": institution,
    }
    return TemplateResponse(request, "admin/institutions/lifecycle_form.html", context)


def make_bulk_action(action: str):
    label = LIFECYCLE[action][0]

    def bulk(model_admin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for institution in queryset:
                try:
                    _apply(request, institution, action, form.cleaned_data)
                    done += 1
                except InstitutionError as exc:
                    messages.error(
                        request, _("%(code)s：%(error)s") % {"code": institution.code, "error": exc.message}
                    )
            if done:
                messages.success(request, _("%(action)s：%(count)s家机构") % {"action": label, "count": done})
            return None
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": label,
            "form": form,
            "queryset": queryset,
            "action": f"lifecycle_{action}",
            "action_label": label,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/institutions/lifecycle_bulk.html", context)

    bulk.__name__ = f"lifecycle_{action}"
    return admin.action(description=label, permissions=["institutions_lifecycle"])(bulk)


def transition_allowed_label(institution: Institution, action: str) -> bool:
    return institution.status in LIFECYCLE[action][2] and any(
        states.allowed(institution.status, to) for to in states.TRANSITIONS.get(institution.status, ())
    )
