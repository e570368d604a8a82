"""Benefits' work queue on the staff dashboard (ltci.core.workqueues): 待核定待遇, the final conclusions in force
today whose grade the policy covers and on which no benefit decision was made yet (SPEC 5.4): the benefit
auditor's daily work. Conclusions belong to assessment, below benefits; the filtered list is assessment's
conclusion list, filtered through the reverse relation of BenefitDecision.conclusion."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessment.models import Conclusion
from assessment.scales import benefit_class
from ltci.core.policy import NoPolicyInForce
from ltci.core.workqueues import WorkQueue, register

from .eligibility import covered_classes_on

GRADES = range(6)  # the grades of SPEC 4.4 (0-5), checked by the conclusions' constraint


def _covered_grades(today) -> list[int]:
    try:
        covered = covered_classes_on(today)
    except NoPolicyInForce:
        return []
    return [grade for grade in GRADES if benefit_class(grade) in covered]


def _count(today) -> int:
    return Conclusion.objects.filter(
        state=Conclusion.State.FINAL,
        concluded_on__lte=today,
        valid_until__gte=today,
        grade__in=_covered_grades(today),
        decisions__isnull=True,
    ).count()


def _url(today) -> str:
    """The same filter as _count, as the conclusion list's query string."""
    grades = ",".join(str(g) for g in _covered_grades(today)) or "-1"
    return reverse("admin:assessment_conclusion_changelist") + (
        f"?state__exact={Conclusion.State.FINAL}&concluded_on__lte={today:%Y-%m-%d}"
        f"&valid_until__gte={today:%Y-%m-%d}&grade__in={grades}&decisions__isnull=True"
    )


register(
    WorkQueue(
        key="benefits.awaiting_decision",
        label=_("待核定待遇"),
        capability="benefits.decide",
        count=_count,
        url=_url,
        order=30,
    ),
)
