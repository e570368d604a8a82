"""Workflow buttons on the admin change pages: a small form, then the service (states.py audits it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution

from .. import services
from ..models import Application, Conclusion, Objection
from ..services.conclusions import AssessmentError
from ..services.review import application_conclude, application_publish_notice
from ..states import TransitionError

A = Application.State


class DateForm(forms.Form):
    on = forms.DateField(label=_("办理日期"), initial=timezone.localdate)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("评估机构"),
        queryset=Institution.objects.filter(type="assessment_agency").exclude(
            status__in=["suspended", "terminated"]
        ),
    )
    seed = forms.IntegerField(
        label=_("随机种子（可空）"), required=False, help_text=_("留空则按申请编号生成，可复现。")
    )


class CommitteeForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("评定等级"), coerce=int, choices=[(g, str(g)) for g in range(6)])
    decided_on = forms.DateField(label=_("评定日期"), initial=timezone.localdate)
    members = forms.CharField(label=_("参加专家"), max_length=300)
    reasoning = forms.CharField(label=_("评定意见"), widget=forms.Textarea(attrs={"rows": 4}))


class ObjectionForm(forms.Form):
    raised_on = forms.DateField(label=_("提出日期"), initial=timezone.localdate)
    raised_by = forms.CharField(label=_("异议人"), max_length=100)
    reason = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))
    reassess = forms.BooleanField(
        label=_("异议人为参保人本人或其代办人：立即重新评估"),
        required=False,
        help_text=_("其他人提出的异议由经办人员认定成立或不成立。"),
    )


class ResolveForm(forms.Form):
    on = forms.DateField(label=_("处理日期"), initial=timezone.localdate)
    resolution = forms.CharField(label=_("处理说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    requested_on = forms.DateField(label=_("申请日期"), initial=timezone.localdate)
    reason = forms.CharField(label=_("复核理由"), widget=forms.Textarea(attrs={"rows": 3}))


def _open_objection(app):
    objection = app.objections.filter(outcome=Objection.Outcome.OPEN).first()
    if objection is None:
        raise AssessmentError(gettext("没有待处理的异议。"))
    return objection


# action -> (label, states it applies to, form, call(application, data, user))
APPLICATION_ACTIONS = {
    "accept": (
        _("受理"),
        {A.SUBMITTED},
        DateForm,
        lambda app, d, u: services.application_accept(application=app, on=d["on"], actor=u),
    ),
    "return": (
        _("退回"),
        {A.SUBMITTED},
        ReasonForm,
        lambda app, d, u: services.application_return(application=app, reason=d["reason"], actor=u),
    ),
    "assign": (
        _("派单（随机两名评估员）"),
        {A.ACCEPTED},
        AssignForm,
        lambda app, d, u: services.application_assign(
            application=app, agency=d["agency"], seed=d["seed"], actor=u
        ),
    ),
    "publish": (
        _("公示"),
        {A.ASSESSED},
        DateForm,
        lambda app, d, u: application_publish_notice(application=app, on=d["on"], actor=u),
    ),
    "objection": (
        _("登记异议"),
        {A.NOTICE},
        ObjectionForm,
        lambda app, d, u: services.objection_raise(
            application=app,
            raised_on=d["raised_on"],
            raised_by=d["raised_by"],
            reason=d["reason"],
            reassess=d["reassess"],
            actor=u,
        ),
    ),
    "uphold": (
        _("异议成立，重新评估"),
        {A.NOTICE},
        ResolveForm,
        lambda app, d, u: services.objection_resolve(
            objection=_open_objection(app), upheld=True, resolution=d["resolution"], on=d["on"], actor=u
        ),
    ),
    "dismiss": (
        _("异议不成立"),
        {A.NOTICE},
        ResolveForm,
        lambda app, d, u: services.objection_resolve(
            objection=_open_objection(app), upheld=False, resolution=d["resolution"], on=d["on"], actor=u
        ),
    ),
    "conclude": (
        _("公示期满，结论生效"),
        {A.NOTICE},
        DateForm,
        lambda app, d, u: application_conclude(application=app, on=d["on"], actor=u),
    ),
    "committee": (
        _("录入专家委员会评定"),
        {A.COMMITTEE},
        CommitteeForm,
        lambda app, d, u: services.committee_decide(application=app, actor=u, **d),
    ),
    "withdraw": (
        _("撤回"),
        {A.SUBMITTED, A.ACCEPTED, A.ASSIGNED},
        ReasonForm,
        lambda app, d, u: services.application_withdraw(application=app, reason=d["reason"], actor=u),
    ),
}


def application_actions(application: Application) -> list[tuple[str, str]]:
    return [(name, spec[0]) for name, spec in APPLICATION_ACTIONS.items() if application.state in spec[1]]


def application_action_view(model_admin, request, object_id, action):
    if action not in APPLICATION_ACTIONS:
        raise PermissionDenied
    application = get_object_or_404(Application.objects.select_related("person"), pk=object_id)
    if not model_admin.has_change_permission(request, application):
        raise PermissionDenied
    label, allowed, form_class, call = APPLICATION_ACTIONS[action]
    form = form_class(request.POST or None)
    if application.state not in allowed:
        messages.error(
            request,
            gettext("当前状态“%(state)s”不能%(label)s。")
            % {"state": application.get_state_display(), "label": label},
        )
        return redirect(reverse("admin:assessment_application_change", args=[application.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            call(application, form.cleaned_data, request.user)
        except (AssessmentError, TransitionError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("%(number)s：%(action)s") % {"number": application.number, "action": label}
            )
            return redirect(reverse("admin:assessment_application_change", args=[application.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("%(action)s：%(number)s %(person)s")
        % {"action": label, "number": application.number, "person": application.person},
        "form": form,
        "original": application,
        "action_label": label,
        "state": application.get_state_display(),
    }
    return TemplateResponse(request, "admin/assessment/action_form.html", context)


def review_request_view(model_admin, request, object_id):
    conclusion = get_object_or_404(Conclusion.objects.select_related("person"), pk=object_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_request(
                conclusion=conclusion,
                requested_on=form.cleaned_data["requested_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("已登记复核申请%(number)s，请派单。") % {"number": review.number}
            )
            return redirect(reverse("admin:assessment_application_change", args=[review.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("申请复核：%(document_no)s %(person)s")
        % {"document_no": conclusion.document_no, "person": conclusion.person},
        "form": form,
        "original": conclusion,
        "action_label": gettext("申请复核"),
        "state": conclusion.get_state_display(),
    }
    return TemplateResponse(request, "admin/assessment/action_form.html", context)
