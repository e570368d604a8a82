"""Provider portal pages (SPEC 6): thin views over selectors and services, scoped to request.institution."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ltci.core.workqueues import portal_todos_for

from . import services
from .errors import InstitutionError
from .forms import (
    BedDayForm,
    BedEndForm,
    BedForm,
    CaregiverEditForm,
    CaregiverForm,
    CertificateForm,
    EmploymentEndForm,
    PortalLoginForm,
    ProfileForm,
    TrainingForm,
)
from .models import Bed, Employment, InsuranceNotice
from .permissions import portal_can, portal_required
from .selectors import active_agreement, current_agreement, deposit_rate, registered_bed_count


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return "/portal/"


class PortalLogoutView(auth_views.LogoutView):
    next_page = "/portal/login/"


def _form_error(form, exc: InstitutionError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@portal_required(capability="portal.view")
def portal_home(request):
    institution = request.institution
    today = timezone.localdate()
    agreement = current_agreement(institution=institution)
    notices = InsuranceNotice.objects.filter(agreement__institution=institution, acknowledged=False)[:5]
    return render(
        request,
        "portal/home.html",
        {
            "institution": institution,
            "agreement": agreement,
            "in_force": active_agreement(institution=institution, on=today) is not None,
            "beds": registered_bed_count(institution=institution, on=today),
            "notices": notices,
            # Each app's to-dos for this institution (declared in its queues.py; this view knows none of them).
            "todos": portal_todos_for(institution, portal_role=request.institution_role, today=today),
        },
    )


@portal_required(capability="portal.view")
def profile(request):
    institution = request.institution
    form = None
    if portal_can(request, "portal.profile"):
        form = ProfileForm(request.POST or None, instance=institution)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("联系信息已保存"))
            return redirect("portal:profile")
    elif request.method == "POST":
        raise PermissionDenied("only the institution administrator edits the profile")
    return render(request, "portal/profile.html", {"institution": institution, "form": form})


@portal_required(capability="portal.view")
def agreement(request):
    institution = request.institution
    today = timezone.localdate()
    agreements = list(institution.agreements.exclude(state="draft").prefetch_related("pauses"))
    for a in agreements:
        rate = deposit_rate(a, on=min(max(today, a.valid_from), a.valid_to))
        a.deposit_percent = None if rate is None else f"{(rate * 100).normalize():f}%"
    events = institution.events.select_related("actor")[:20]
    return render(
        request,
        "portal/agreement.html",
        {
            "institution": institution,
            "agreements": agreements,
            "events": events,
            "in_force": active_agreement(institution=institution, on=today),
        },
    )


@portal_required(capability="portal.records")
def beds(request):
    institution = request.institution
    form = BedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bed = services.bed_add(institution=institution, actor=request.user, **form.cleaned_data)
        except InstitutionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("床位 %(label)s 已备案") % {"label": bed.label})
            return redirect("portal:beds")
    today = timezone.localdate()
    day_form = BedDayForm(request.GET or None)
    day = day_form.cleaned_data["on"] if day_form.is_valid() and day_form.cleaned_data.get("on") else today
    return render(
        request,
        "portal/beds.html",
        {
            "institution": institution,
            "form": form,
            "beds": institution.beds.all(),
            "today": today,
            "day": day,
            "day_form": day_form,
            "count": registered_bed_count(institution=institution, on=day),
            "end_form": BedEndForm(),
        },
    )


@require_POST
@portal_required(capability="portal.records")
def bed_end(request, pk):
    bed = get_object_or_404(Bed, pk=pk, institution=request.institution)
    form = BedEndForm(request.POST)
    if form.is_valid() and "confirm" not in request.POST:
        # A risky control: the first POST shows what will happen and asks to confirm (issue 16).
        return render(
            request,
            "portal/bed_end_confirm.html",
            {
                "institution": request.institution,
                "bed": bed,
                "registered_to": form.cleaned_data["registered_to"],
            },
        )
    if form.is_valid():
        try:
            services.bed_end(bed=bed, actor=request.user, **form.cleaned_data)
            messages.success(request, _("床位 %(label)s 已撤销备案") % {"label": bed.label})
        except InstitutionError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请填写有效的撤销日期"))
    return redirect("portal:beds")


@portal_required(capability="portal.records")
def caregivers(request):
    institution = request.institution
    form = CaregiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.caregiver_employ(institution=institution, actor=request.user, **form.cleaned_data)
        except InstitutionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("护理人员 %(name)s 已登记") % {"name": form.cleaned_data["name"]})
            return redirect("portal:caregivers")
    employments = (
        Employment.objects.filter(institution=institution)
        .select_related("caregiver")
        .order_by("employed_to", "caregiver__name")
    )
    return render(
        request,
        "portal/caregivers.html",
        {"institution": institution, "form": form, "employments": employments, "today": timezone.localdate()},
    )


# kind (the submit button's name) -> (form, prefix, service): certificates and training of a caregiver
RECORD_FORMS = {
    "certificate": (CertificateForm, "cert", services.caregiver_certificate_add),
    "training": (TrainingForm, "train", services.caregiver_training_add),
}


def _caregiver_record_post(request, kind, caregiver, employment, record_forms):
    form_class, prefix, service = RECORD_FORMS[kind]
    bound = record_forms[kind] = form_class(request.POST, prefix=prefix)
    if bound.is_valid():
        try:
            service(
                caregiver=caregiver, institution=request.institution, actor=request.user, **bound.cleaned_data
            )
        except InstitutionError as exc:
            _form_error(bound, exc)
        else:
            messages.success(request, _("已登记"))
            return redirect("portal:caregiver_edit", pk=employment.pk)
    return None


@portal_required(capability="portal.records")
def caregiver_edit(request, pk):
    employment = get_object_or_404(
        Employment.objects.select_related("caregiver"), pk=pk, institution=request.institution
    )
    caregiver = employment.caregiver
    initial = {"name": caregiver.name, "qualification": caregiver.qualification, "phone": caregiver.phone}
    form = CaregiverEditForm(request.POST or None, initial=initial)
    end_form = EmploymentEndForm(request.POST or None, prefix="end")
    record_forms = {"certificate": CertificateForm(prefix="cert"), "training": TrainingForm(prefix="train")}
    kind = next((k for k in RECORD_FORMS if request.method == "POST" and k in request.POST), None)
    if kind:
        form, end_form = CaregiverEditForm(initial=initial), EmploymentEndForm(prefix="end")
        response = _caregiver_record_post(request, kind, caregiver, employment, record_forms)
        if response:
            return response
    elif request.method == "POST" and "end" in request.POST:
        if end_form.is_valid():
            try:
                services.employment_end(employment=employment, actor=request.user, **end_form.cleaned_data)
                messages.success(request, _("已登记离职"))
                return redirect("portal:caregivers")
            except InstitutionError as exc:
                _form_error(end_form, exc)
        form = CaregiverEditForm(initial=initial)
    elif request.method == "POST":
        end_form = EmploymentEndForm(prefix="end")
        if form.is_valid():
            try:
                services.caregiver_update(
                    caregiver=caregiver,
                    institution=request.institution,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except InstitutionError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("护理人员信息已保存"))
                return redirect("portal:caregivers")
    return render(
        request,
        "portal/caregiver_edit.html",
        {
            "employment": employment,
            "caregiver": caregiver,
            "form": form,
            "end_form": end_form,
            "certificate_form": record_forms["certificate"],
            "training_form": record_forms["training"],
            "today": timezone.localdate(),
            "certificates": caregiver.certificates.all(),
            "trainings": caregiver.trainings.all(),
        },
    )


@portal_required(capability="portal.records")
def violations(request):
    rows = request.institution.violations.prefetch_related("evidence")
    return render(request, "portal/violations.html", {"violations": rows})


@portal_required(capability="portal.records")
def appraisals(request):
    rows = request.institution.appraisals.prefetch_related("scores")
    return render(request, "portal/appraisals.html", {"appraisals": rows})
