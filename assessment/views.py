"""Assessors' portal pages under /portal/assessments/ (SPEC 4.2): tasks, on-site form, confirm, decline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from institutions.permissions import ADMIN, portal_required
from ltci.core.downloads import stored_file
from ltci.core.idnumber import mask_id

from . import selectors, services
from .forms import DeclineForm, InstitutionApplyForm, VisitForm
from .models import Application, ApplicationDocument, Assessor, Assignment, Conclusion, Visit, VisitPhoto
from .services.conclusions import AssessmentError

AGENCY = ("assessment_agency",)
CARE = ("elderly_care", "medical", "community", "home_care")


def _assessor(request) -> Assessor:
    """Return the request user's assessor record in the request's agency, or refuse."""
    assessor = Assessor.objects.filter(user=request.user, agency=request.institution, active=True).first()
    if assessor is None:
        raise PermissionDenied("no assessor record for this user in this agency")
    return assessor


def _own_assignment(request, pk) -> Assignment:
    assignment = selectors.assignment_for_assessor(assessor=_assessor(request), assignment_id=pk)
    if assignment is None:
        raise Http404
    return assignment


@portal_required(capability="portal.assessment_agency", institution_types=AGENCY)
def task_list(request):
    """The assessor's own tasks; an agency administrator sees the agency's applications."""
    assessor = Assessor.objects.filter(user=request.user, agency=request.institution, active=True).first()
    if request.institution_role == ADMIN and assessor is None:
        applications = selectors.applications_for_agency(agency=request.institution).order_by("-applied_on")[
            :200
        ]
        return render(request, "portal/assessment/agency_list.html", {"applications": applications})
    if assessor is None:
        raise PermissionDenied("no assessor record for this user in this agency")
    tasks = selectors.tasks_for_assessor(assessor=assessor).exclude(state=Assignment.State.CANCELLED)[:200]
    return render(request, "portal/assessment/task_list.html", {"tasks": tasks, "assessor": assessor})


@portal_required(capability="portal.assessment_tasks", institution_types=AGENCY)
def task_detail(request, pk):
    """The on-site form with every item; saving records the scores, the grade is computed."""
    assignment = _own_assignment(request, pk)
    application = assignment.application
    visit = Visit.objects.filter(application=application, round=assignment.round).first()
    editable = (
        assignment.state in (Assignment.State.ASSIGNED, Assignment.State.CONFIRMED)
        and application.state == Application.State.ASSIGNED
    )
    initial = {}
    if visit:
        initial = {
            "visited_on": visit.visited_on,
            "present": visit.present,
            "notes": visit.notes,
            **{f"item_{k}": v for k, v in visit.items.items()},
        }
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("该任务已不能修改。"))
            return redirect("assessment_portal:task", pk=pk)
        if form.is_valid():
            try:
                services.visit_record(
                    assignment=assignment,
                    items=form.items(),
                    visited_on=form.cleaned_data["visited_on"],
                    notes=form.cleaned_data["notes"],
                    present=form.cleaned_data["present"],
                    photos=form.cleaned_data["photos"],
                )
            except AssessmentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("评估结果已保存，请两名评估员分别确认。"))
                return redirect("assessment_portal:task", pk=pk)
    partners = Assignment.objects.filter(
        application=application,
        round=assignment.round,
        state__in=[Assignment.State.ASSIGNED, Assignment.State.CONFIRMED],
    ).select_related("assessor")
    return render(
        request,
        "portal/assessment/task_detail.html",
        {
            "assignment": assignment,
            "application": application,
            "visit": visit,
            "form": form,
            "editable": editable,
            "partners": partners,
            "decline_form": DeclineForm(),
            "grade_name": form.scale.grade_names.get(visit.grade) if visit else None,
        },
    )


@require_POST
@portal_required(capability="portal.assessment_tasks", institution_types=AGENCY)
def task_confirm(request, pk):
    assignment = _own_assignment(request, pk)
    try:
        services.visit_confirm(assignment=assignment, actor=request.user)
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认评估结果。"))
    return redirect("assessment_portal:task", pk=pk)


@require_POST
@portal_required(capability="portal.assessment_tasks", institution_types=AGENCY)
def task_decline(request, pk):
    assignment = _own_assignment(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写拒绝原因。"))
        return redirect("assessment_portal:task", pk=pk)
    try:
        services.assignment_decline(
            assignment=assignment, reason=form.cleaned_data["reason"], actor=request.user
        )
    except AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("assessment_portal:task", pk=pk)
    messages.success(request, _("已拒绝该任务，系统已重新派员。"))
    return redirect("assessment_portal:tasks")


@portal_required(capability="portal.assessment_apply", institution_types=CARE)
def institution_applications(request):
    """A care institution's applications on behalf of persons in its care, its reminders, and a new one."""
    institution = request.institution
    form = InstitutionApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = selectors.person_by_id_and_name(national_id=data["national_id"], name=data["name"])
        if person is None:
            form.add_error(None, _("未找到身份号码与姓名相符的参保人，请核对。"))
        else:
            try:
                application = services.application_submit(
                    person=person,
                    applied_on=timezone.localdate(),
                    applied_by=Application.AppliedBy.INSTITUTION,
                    channel=Application.Channel.PORTAL,
                    applying_institution=institution,
                    care_institution=institution,
                    disability_since=data["disability_since"],
                    reason=data["reason"],
                    documents=data["documents"],
                    actor=request.user,
                )
            except AssessmentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已代为提交评估申请%(number)s，请等待经办机构受理。") % {"number": application.number},
                )
                return redirect("assessment_portal:applications")
    rows = []
    for application in selectors.applications_by_institution(institution=institution)[:200]:
        final = next((c for c in application.conclusions.all() if c.state == Conclusion.State.FINAL), None)
        rows.append(
            {
                "application": application,
                "masked_id": mask_id(application.person.national_id),
                "conclusion": final,
            }
        )
    reminders = [
        {"reminder": r, "masked_id": mask_id(r.conclusion.person.national_id)}
        for r in selectors.reminders_for_institution(institution=institution)[:200]
    ]
    return render(
        request,
        "portal/assessment/institution_applications.html",
        {"form": form, "rows": rows, "reminders": reminders},
    )


@portal_required(capability="portal.application_documents")
def application_document(request, pk):
    """A supporting document, to the assessing agency (its administrator, the assigned assessors) and to the
    care institution that applied (administrator, clerks); 404 for everyone else."""
    applications = selectors.applications_seen_by_portal_user(
        institution=request.institution, role=request.institution_role, user=request.user
    )
    document = ApplicationDocument.objects.filter(pk=pk, application__in=applications).first()
    if document is None:
        raise Http404
    return stored_file(document.file, document.display_name)


@portal_required(capability="portal.visit_photos", institution_types=AGENCY)
def visit_photo(request, pk):
    """An on-site photo, to the assessing agency only (administrator, the assigned assessors)."""
    applications = selectors.applications_seen_by_portal_user(
        institution=request.institution, role=request.institution_role, user=request.user, applying=False
    )
    photo = VisitPhoto.objects.filter(pk=pk, visit__application__in=applications).first()
    if photo is None:
        raise Http404
    return stored_file(photo.file, photo.display_name)
