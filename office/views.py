"""The staff case page of one insured person (issue 16): every app's records of the person on one page, the
eligibility explanation for a chosen date and care form, and links to act for who may."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from enrollment.models import Person
from ltci.core.idnumber import mask_id
from ltci.core.permissions import can
from ltci.core.policy import PolicyError

from . import selectors
from .forms import EligibilityForm


def person_case(request, person_id):
    if not can(request.user, "office.case"):
        raise PermissionDenied
    person = get_object_or_404(Person, pk=person_id)
    form = EligibilityForm(request.GET or None)
    status = 200
    explanation = policy_error = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        on, care_form, kind = form.query()
        try:
            explanation = selectors.eligibility(person, on=on, care_form=care_form, kind=kind)
        except PolicyError as exc:
            policy_error = str(exc)
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": _("个案：%(name)s") % {"name": person.name},
        "person": person,
        "masked_id": mask_id(person.national_id),
        "sections": selectors.case_sections(person, user),
        "history": selectors.history(person),
        "form": form,
        "explanation": explanation,
        "policy_error": policy_error,
        "may": {
            "change_person": user.has_perm("enrollment.change_person"),
            "new_application": user.has_perm("assessment.add_application"),
            "decide": can(user, "benefits.decide"),
            "letters": can(user, "benefits.letters"),
            "notice": can(user, "assessment.notice"),
            "documents": can(user, "assessment.documents"),
            "correct": user.has_perm("settlement.add_correction"),
        },
    }
    return TemplateResponse(request, "office/person_case.html", context, status=status)
