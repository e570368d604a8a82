"""The insured person's status page under /me/ (SPEC 8): mobile-first, Chinese, own or principal's records only."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from assessment.forms import MultipleFileField
from ltci.core.backends import PATH as BACKEND
from ltci.core.backends import user_prefetched
from ltci.core.downloads import attachment, stored_file
from ltci.core.idnumber import mask_id

from .services.accounts import AccountError, account_activate, username_for
from .status_cache import cached_page, page_state
from .status_selectors import account_and_viewable, account_of, status_of, viewable_persons

SESSION_KEY = "me_person_id"


class LoginForm(forms.Form):
    national_id = forms.CharField(label=_("公民身份号码"), max_length=18)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class ActivateForm(forms.Form):
    national_id = forms.CharField(label=_("公民身份号码"), max_length=18)
    code = forms.CharField(label=_("激活码"), max_length=8)
    password = forms.CharField(label=_("设置密码"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            raise ValidationError(_("两次输入的密码不一致"))
        if data.get("password"):
            validate_password(data["password"])
        return data


class ApplyForm(forms.Form):
    disability_since = forms.DateField(
        label=_("失能开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("申请说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    documents = MultipleFileField(label=_("诊断证明等材料（PDF/JPG/PNG，每个不超过10 MB）"))

    def clean_documents(self):
        """SPEC 4.1: medical documents of the standard treatment are attached to every application."""
        if not self.cleaned_data["documents"]:
            raise ValidationError(_("请上传至少一份诊断证明等医疗材料。"))
        return self.cleaned_data["documents"]


def insured_required(view):
    """Anonymous -> the status login; logged-in users without an activated account (staff, portal) -> 403.

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
            login(request, user, backend=BACKEND)
            request.session.pop(SESSION_KEY, None)
            target = request.GET.get("next", "/me/")
            return redirect(target if target.startswith("/me/") else "/me/")
        form.add_error(None, _("身份号码或密码不正确（首次使用请先激活账户）"))
    return render(request, "status/login.html", {"form": form})


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
            login(request, account.user, backend=BACKEND)
            messages.success(request, _("账户已激活"))
            return redirect("/me/")
    return render(request, "status/activate.html", {"form": form})


def _session_user_id(request):
    """The user id the session names (not yet verified: Django's own parsing of it), or None."""
    from django.contrib.auth import _get_user_session_key

    try:
        return _get_user_session_key(request)
    except (KeyError, ValidationError):
        return None


def home(request):
    """The status page; served from the fingerprint-validated cache (status_cache) when nothing changed.

    The state query runs first for the user the session names and also returns that user's row, which
    Django's authentication then checks as always (backend path, active, session hash) without reading it
    again (ltci.core.backends.user_prefetched). Nothing of the state is used unless that check passes.
    """
    on = timezone.localdate()
    chosen = request.session.get(SESSION_KEY)
    user_id = _session_user_id(request)
    state = page_state(user_id=user_id, chosen=chosen, on=on) if user_id is not None else None
    with user_prefetched(user_id, state.user_row if state is not None else None):
        authenticated = request.user.is_authenticated
    if not authenticated:
        return redirect(f"/me/login/?next={request.path}")
    if state is None:  # authenticated (Django read the same session key), but no activated account
        raise PermissionDenied("not an insured-person account")

    def render_page(csrf_token):
        context = _home_context(state, on)
        if csrf_token is not None:
            context["csrf_token"] = csrf_token
        return render_to_string("status/home.html", context, request=request)

    return cached_page(request, state, on, render_page)


_apply_forms: dict[str, str] = {}


def _apply_form_html() -> str:
    """The (unbound, request-independent) application form's fields, rendered once per language."""
    language = get_language()
    if language not in _apply_forms:
        _apply_forms[language] = render_to_string("status/_apply_fields.html", {"apply_form": ApplyForm()})
    return mark_safe(_apply_forms[language])  # noqa: S308 (our own template's output)


def _home_context(state, on) -> dict:
    account, viewable = account_and_viewable(account_id=state.account_id, viewable_ids=state.viewable_ids)
    viewed = next((p for p in viewable if p.pk == state.viewed_id), None)
    context = {
        "account": account,
        "viewable": viewable,
        "viewed": viewed,
        "apply_form_html": _apply_form_html(),
    }
    if viewed is not None:
        context.update(status_of(person=viewed, on=on, policy_stamp=state.policy_stamp))
        context["masked_id"] = mask_id(viewed.national_id)
        context["acting_for"] = viewed.pk != account.person_id
    return context


@require_POST
@insured_required
def switch(request, person_id):
    if person_id not in {p.pk for p in request.viewable}:
        raise Http404("no such person")
    request.session[SESSION_KEY] = person_id
    return redirect("/me/")


@insured_required
def decision_letter(request, pk):
    from .documents import decision_document_no, decision_letter_pdf
    from .models import BenefitDecision

    decision = (
        BenefitDecision.objects.filter(pk=pk, person__in=request.viewable)
        .select_related("person", "conclusion", "institution")
        .first()
    )
    if decision is None:
        raise Http404("no such decision")
    return attachment(decision_letter_pdf(decision), f"{decision_document_no(decision)}.pdf")


@insured_required
def contribution_certificate(request, year):
    """The contribution certificate (参保缴费证明) of the person being viewed, for one year (no code on it)."""
    from enrollment.models import Contribution

    from .documents import certificate_document_no, certificate_pdf

    contribution = None
    if request.viewed is not None:
        contribution = (
            Contribution.objects.filter(person=request.viewed, year=year).select_related("person").first()
        )
    if contribution is None:
        raise Http404("no such contribution")
    return attachment(certificate_pdf(contribution), f"{certificate_document_no(contribution)}.pdf")


@insured_required
def conclusion_notice(request, pk):
    from assessment.documents import conclusion_notice_pdf
    from assessment.models import Conclusion

    conclusion = Conclusion.objects.filter(
        pk=pk, person__in=request.viewable, state=Conclusion.State.FINAL
    ).first()
    if conclusion is None:
        raise Http404("no such conclusion")
    return attachment(conclusion_notice_pdf(conclusion), f"{conclusion.document_no}.pdf")


@insured_required
def application_document(request, pk):
    """A supporting document of an assessment application of a person this account may view."""
    from assessment.models import ApplicationDocument

    document = ApplicationDocument.objects.filter(pk=pk, application__person__in=request.viewable).first()
    if document is None:
        raise Http404("no such document")
    return stored_file(document.file, document.display_name)


@require_POST
@insured_required
def apply(request):
    from assessment.models import Application
    from assessment.services.applications import application_submit
    from assessment.services.conclusions import AssessmentError

    if request.viewed is None:
        raise Http404("no insured person")
    form = ApplyForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("/me/")
    acting_for = request.viewed.pk != request.account.person_id
    try:
        application_submit(
            person=request.viewed,
            applied_on=timezone.localdate(),
            channel=Application.Channel.ONLINE,
            applied_by=Application.AppliedBy.AGENT if acting_for else Application.AppliedBy.SELF,
            agent_name=request.account.name if acting_for else "",
            reason=form.cleaned_data["reason"],
            disability_since=form.cleaned_data["disability_since"],
            documents=form.cleaned_data["documents"],
            actor=request.user,
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
    from assessment.models import Application, Conclusion
    from assessment.services.conclusions import AssessmentError
    from assessment.services.review import review_request

    conclusion = Conclusion.objects.filter(pk=pk, person__in=request.viewable).first()
    if conclusion is None:
        raise Http404("no such conclusion")
    acting_for = conclusion.person_id != request.account.person_id
    try:
        review_request(
            conclusion=conclusion,
            requested_on=timezone.localdate(),
            reason=request.POST.get("reason", ""),
            channel=Application.Channel.ONLINE,
            applied_by=Application.AppliedBy.AGENT if acting_for else Application.AppliedBy.SELF,
            agent_name=request.account.name if acting_for else "",
            actor=request.user,
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("复核申请已提交"))
    return redirect("/me/")
