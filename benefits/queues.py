"""Benefits' work queue on the staff dashboard (ltci.core.workqueues): 待核定待遇, the final conclusions in force
today whose grade the policy covers and on which no benefit decision was made yet (SPEC 5.4): the benefit
auditor's daily work. Conclusions belong to assessment, below benefits; the filtered list is assessment's
conclusion list, filtered through the reverse relation of BenefitDecision.conclusion."""

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


def _awaiting(today) -> dict:
    return {
        "state__exact": Conclusion.State.FINAL,
        "concluded_on__lte": today,
        "valid_until__gte": today,
        "grade__in": _covered_grades(today) or [-1],  # no grade covered: an empty list, as the list reads it
        "decisions__isnull": True,
    }


register(
    WorkQueue(
        key="benefits.awaiting_decision",
        label=_("待核定待遇"),
        capability="benefits.decide",
        model=Conclusion,
        filters=_awaiting,
        order=30,
    ),
)
