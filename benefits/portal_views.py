"""Provider portal: residents and clients with today's eligibility; admissions, discharges, bed changes.

Every read is scoped to request.institution (institutions.permissions.portal_required).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from institutions.permissions import portal_can, portal_required
from ltci.core.idnumber import mask_id
from ltci.core.policy import PolicyError

from . import selectors
from .eligibility import month_verdicts
from .forms import AdmitForm, BedChangeForm, DischargeForm
from .services.admissions import (
    NO_DECISION_MESSAGE,
    AdmissionError,
    admission_admit_for_institution,
    admission_change_bed,
    admission_discharge,
)

REASON_TEXT = {
    None: gettext_lazy("符合"),
    "NOT_COVERED": gettext_lazy("未参保/已身故"),
    "ARREARS": gettext_lazy("欠费"),
    "WAITING": gettext_lazy("等待期内"),
    "NO_CONCLUSION": gettext_lazy("无有效评估结论"),
    "NO_DECISION": gettext_lazy("无待遇核定"),
    "HOSPITAL": gettext_lazy("住院中"),
}


def _rows(institution, today):
    residents = list(selectors.residents_for_institution(institution=institution, on=today))
    clients = list(selectors.clients_for_institution(institution=institution, on=today))
    ids = {a.person_id for a in residents} | {d.person_id for d in clients}
    try:
        verdicts = month_verdicts(person_ids=ids, start=today, end=today)
        policy_error = ""
    except PolicyError as exc:
        verdicts, policy_error = {}, str(exc)
    resident_of = {a.person_id: a for a in residents}

    def status(person_id):
        verdict = verdicts.get((person_id, today))
        if verdict is None:
            return "—", False
        ok = verdict.eligible and (verdict.institution_id == institution.pk)
        if verdict.eligible and not ok:
            return _("待遇核定不属于本机构"), False
        return REASON_TEXT.get(verdict.reason_code, verdict.reason_code), ok

    resident_rows = [
        {
            "admission": a,
            "person": a.person,
            "masked_id": mask_id(a.person.national_id),
            "status": status(a.person_id),
        }
        for a in residents
    ]
    client_rows = [
        {
            "decision": d,
            "person": d.person,
            "masked_id": mask_id(d.person.national_id),
            "admission": resident_of.get(d.person_id),
            "status": status(d.person_id),
        }
        for d in clients
    ]
    return resident_rows, client_rows, policy_error


@portal_required(capability="portal.residents")
def residents(request):
    institution = request.institution
    today = timezone.localdate()
    form = None
    if portal_can(request, "portal.admissions"):
        form = AdmitForm(request.POST or None, institution=institution)
        if request.method == "POST" and form.is_valid() and _admit(request, form, institution):
            return redirect("residents:list")
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    resident_rows, client_rows, policy_error = _rows(institution, today)
    return render(
        request,
        "portal/residents.html",
        {
            "institution": institution,
            "today": today,
            "resident_rows": resident_rows,
            "client_rows": client_rows,
            "form": form,
            "can_record": form is not None,
            "policy_error": policy_error,
            "beds": institution.beds.all(),
        },
    )


def _admit(request, form, institution) -> bool:
    data = form.cleaned_data
    try:
        admission = admission_admit_for_institution(
            institution=institution,
            national_id=data["national_id"],
            on=data["admitted_on"],
            bed=data["bed"],
            actor=request.user,
        )
    except AdmissionError as exc:
        form.add_error("national_id" if str(exc) == NO_DECISION_MESSAGE else None, str(exc))
        return False
    messages.success(request, _("已登记入住：%(name)s") % {"name": admission.person.name})
    return True


def _own_admission(request, pk):
    admission = selectors.admission_for_institution(institution=request.institution, pk=pk)
    if admission is None:
        raise Http404("no such resident")
    return admission


@require_POST
@portal_required(capability="portal.admissions")
def discharge(request, pk):
    admission = _own_admission(request, pk)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            admission_discharge(
                admission=admission, on=form.cleaned_data["discharged_on"], actor=request.user
            )
            messages.success(request, _("已登记退住：%(name)s") % {"name": admission.person.name})
        except AdmissionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请填写有效的退住日期"))
    return redirect("residents:list")


@require_POST
@portal_required(capability="portal.admissions")
def change_bed(request, pk):
    admission = _own_admission(request, pk)
    form = BedChangeForm(request.POST, institution=request.institution)
    if form.is_valid():
        try:
            admission_change_bed(
                admission=admission,
                bed=form.cleaned_data["bed"],
                on=form.cleaned_data["on"],
                actor=request.user,
            )
            messages.success(
                request,
                _("已换床：%(name)s → %(label)s")
                % {"name": admission.person.name, "label": form.cleaned_data["bed"].label},
            )
        except AdmissionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请选择本机构的床位和有效日期"))
    return redirect("residents:list")
