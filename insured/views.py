"""The insured person's site under /me/ (SPEC 8): login, activation, the page, agents' switch, applying,
requesting a review and objecting to a conclusion on notice; and the public notice list (公示, no login).
Mobile-first, Chinese by default, own or principal's records only."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from assessment.models import Application, Conclusion
from assessment.selectors import conclusions_on_notice, notice_regions, notice_rows
from assessment.services.applications import application_submit
from assessment.services.conclusions import AssessmentError
from assessment.services.review import objection_raise, review_request
from benefits.services.accounts import AccountError, account_activate, username_for
from ltci.core.idnumber import mask_id

from .cache import cached_page
from .forms import ActivateForm, ApplyForm, LoginForm, ObjectionForm
from .selectors import (
    account_and_viewable,
    account_of,
    notifications_of,
    page_state,
    status_of,
    viewable_persons,
)

SESSION_KEY = "me_person_id"
LARGE_TEXT_COOKIE = "me_large_text"  # 适老化: the large-text mode persists on the device (one year)
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 (a dotted path)
NOTICE_PER_PAGE = 50


def _display(request) -> dict:
    return {"large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"}


@require_POST
def text_size(request):
    """Turn the large-text mode on or off; kept in a cookie (no login needed: the login page has it too)."""
    target = request.POST.get("next", "/me/")
    response = redirect(target if target.startswith("/me/") and "//" not in target else "/me/")
    if request.POST.get("large") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


def insured_required(view):
    """Anonymous -> the login; logged-in users without an activated account (staff, portal) -> 403.

    Sets request.account, request.viewable (persons it may see) and request.viewed (the one shown).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/me/login/?next={request.path}")
        account = account_of(request.user)
        if account is None:
            raise PermissionDenied("not an insured-person account")
        request.account = account
        request.viewable = viewable_persons(account=account, on=timezone.localdate())
        by_id = {p.pk: p for p in request.viewable}
        chosen = request.session.get(SESSION_KEY)
        request.viewed = by_id.get(chosen) or (request.viewable[0] if request.viewable else None)
        return view(request, *args, **kwargs)

    return wrapper


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["national_id"].strip().upper()
        user = authenticate(request, username=username_for(number), password=form.cleaned_data["password"])
        if user is not None and account_of(user) is not None:
            login(request, user)
            request.session.pop(SESSION_KEY, None)
            target = request.GET.get("next", "/me/")
            return redirect(target if target.startswith("/me/") else "/me/")
        form.add_error(None, _("身份号码或密码不正确（首次使用请先激活账户）"))
    return render(request, "insured/login.html", {"form": form, **_display(request)})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/me/login/")


def activate_view(request):
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        number = data["national_id"].strip().upper()
        # Django's authenticate: django-axes counts the failures and refuses a locked-out ID (429).
        user = authenticate(request, username=username_for(number), activation_secret=data["code"])
        try:
            if user is None:
                raise AccountError(_("身份号码或激活码不正确，或激活码已失效"))
            account = account_activate(national_id=number, code=data["code"], password=data["password"])
        except AccountError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, account.user, backend=PASSWORD_BACKEND)
            messages.success(request, _("账户已激活"))
            return redirect("/me/")
    return render(request, "insured/activate.html", {"form": form, **_display(request)})


def home(request):
    """The page, served from the version-keyed cache (insured.cache) while nothing on it changed."""
    if not request.user.is_authenticated:
        return redirect(f"/me/login/?next={request.path}")
    on = timezone.localdate()
    state = page_state(user_id=request.user.pk, chosen=request.session.get(SESSION_KEY), on=on)
    if state is None:
        raise PermissionDenied("not an insured-person account")

    display = _display(request)

    def render_page(csrf_token):
        context = {**_home_context(state, on), **display}
        if csrf_token is not None:
            context["csrf_token"] = csrf_token
        return render_to_string("insured/home.html", context, request=request)

    return cached_page(request, state, on, render_page, variant=display["large_text"])


def _home_context(state, on) -> dict:
    account, viewable = account_and_viewable(account_id=state.account_id, on=on)
    viewed = next((p for p in viewable if p.pk == state.viewed_id), None)
    context = {"account": account, "viewable": viewable, "viewed": viewed, "apply_form": ApplyForm()}
    if viewed is not None:
        context.update(status_of(person=viewed, on=on, policy_stamp=state.shared_version))
        context["masked_id"] = mask_id(viewed.national_id)
        context["acting_for"] = viewed.pk != account.person_id
    return context


@insured_required
def notifications(request):
    """我的通知 (issue 19): the notices about the person shown (to them, or to this agent about them)."""
    person = request.viewed
    found = notifications_of(account=request.account, person=person) if person is not None else []
    context = {"account": request.account, "viewed": person, "notifications": found, **_display(request)}
    return render(request, "insured/notifications.html", context)


@require_POST
@insured_required
def switch(request, person_id):
    if person_id not in {p.pk for p in request.viewable}:
        raise Http404("no such person")
    request.session[SESSION_KEY] = person_id
    return redirect("/me/")


def _acting(request, person_id) -> dict:
    acting_for = person_id != request.account.person_id
    return {
        "applied_by": Application.AppliedBy.AGENT if acting_for else Application.AppliedBy.SELF,
        "agent_name": request.account.name if acting_for else "",
    }


def _flash_errors(request, form) -> None:
    """A refused form of the page: its errors as messages above the page (the forms are on the page)."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@insured_required
def apply(request):
    if request.viewed is None:
        raise Http404("no insured person")
    form = ApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("/me/")
    try:
        application_submit(
            person=request.viewed,
            applied_on=timezone.localdate(),
            channel=Application.Channel.ONLINE,
            reason=form.cleaned_data["reason"],
            disability_since=form.cleaned_data["disability_since"],
            documents=form.cleaned_data["documents"],
            actor=request.user,
            **_acting(request, request.viewed.pk),
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("评估申请已提交，请等待经办机构受理"))
    return redirect("/me/")


@require_POST
@insured_required
def review(request, pk):
    """Request a review (复核) of one's own (or the principal's) final conclusion within the deadline."""
    conclusion = Conclusion.objects.filter(pk=pk, person__in=request.viewable).first()
    if conclusion is None:
        raise Http404("no such conclusion")
    try:
        review_request(
            conclusion=conclusion,
            requested_on=timezone.localdate(),
            reason=request.POST.get("reason", ""),
            channel=Application.Channel.ONLINE,
            actor=request.user,
            **_acting(request, conclusion.person_id),
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("复核申请已提交"))
    return redirect("/me/")


@require_POST
@insured_required
def objection(request, pk):
    """Object (异议) to one's own (or the principal's) conclusion during its public notice: the same objection
    record staff enter, and the reassessment starts with its working-day deadline (SPEC 4.3)."""
    conclusion = (
        Conclusion.objects.filter(pk=pk, person__in=request.viewable).select_related("application").first()
    )
    if conclusion is None:
        raise Http404("no such conclusion")
    form = ObjectionForm(request.POST, request.FILES)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("/me/")
    acting_for = conclusion.person_id != request.account.person_id
    try:
        if conclusion.application is None or conclusion.state != Conclusion.State.NOTICE:
            raise AssessmentError(_("该结论不在公示期内，不能提出异议；对最终结论可在复核期限内申请复核。"))
        objection_raise(
            application=conclusion.application,
            raised_on=timezone.localdate(),
            raised_by=(_("%(name)s（代办人）") if acting_for else _("%(name)s（本人）"))
            % {"name": request.account.name},
            reason=form.cleaned_data["reason"],
            channel=Application.Channel.ONLINE,
            reassess=True,
            documents=form.cleaned_data["documents"],
            actor=request.user,
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("异议已提交，将安排重新评估"))
    return redirect("/me/")


@require_GET
def public_notice(request):
    """The public notice (公示) of conclusions, open to everyone: masked name, district, grade, period."""
    on = timezone.localdate()
    regions = notice_regions(on=on)
    region = request.GET.get("region", "")
    if region not in {code for code, _name in regions}:
        region = ""
    rows = conclusions_on_notice(on=on, region_code=region)
    page = Paginator(rows, NOTICE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "rows": notice_rows(page.object_list),
        "page": page,
        "regions": regions,
        "region": region,
        "today": on,
        **_display(request),
    }
    return render(request, "insured/notice.html", context)
