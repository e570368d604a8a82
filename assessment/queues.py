"""Assessment's work queues on the staff dashboard (ltci.core.workqueues): applications by the step that waits
for the coordinator, reviews under way, conclusions due for reassessment, objections to handle and the
reassessments after an objection past their deadline (复核超期)."""

from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import Application, Conclusion, Objection
from .selectors import objections_overdue_lookups

State = Application.State
OPEN_REVIEW = [State.SUBMITTED, State.ACCEPTED, State.ASSIGNED, State.ASSESSED, State.NOTICE, State.COMMITTEE]


def _applications(key, label, order, **filters):
    return WorkQueue(
        key=key,
        label=label,
        capability="assessment.workflow",
        model=Application,
        filters=filters,
        order=order,
    )


register(
    _applications("assessment.submitted", _("待受理"), 20, state__exact=State.SUBMITTED),
    _applications("assessment.accepted", _("待派单"), 21, state__exact=State.ACCEPTED),
    _applications("assessment.to_conclude", _("待结论"), 22, state__in=[State.ASSESSED, State.COMMITTEE]),
    _applications("assessment.notice", _("公示中"), 23, state__exact=State.NOTICE),
    _applications(
        "assessment.review", _("复核中"), 24, kind__exact=Application.Kind.REVIEW, state__in=OPEN_REVIEW
    ),
    WorkQueue(
        key="assessment.expiring",
        label=_("到期复评"),
        capability="assessment.workflow",
        model=Conclusion,
        # Conclusions the daily job has reminded about (its window is a policy parameter) and still in force.
        filters=lambda today: {
            "state__exact": Conclusion.State.FINAL,
            "valid_until__gte": today,
            "reminder__isnull": False,
        },
        order=25,
    ),
    WorkQueue(
        key="assessment.objections",
        label=_("公示异议待处理"),
        capability="assessment.workflow",
        model=Objection,
        filters={"outcome__exact": Objection.Outcome.OPEN},
        order=26,
    ),
    WorkQueue(
        key="assessment.objections_overdue",
        label=_("复核超期"),
        capability="assessment.workflow",
        model=Objection,
        # The reassessment after an objection is due in N working days (policy); not done by then.
        filters=objections_overdue_lookups,
        warning=True,
        order=27,
    ),
)
