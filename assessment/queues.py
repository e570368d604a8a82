"""Assessment's work queues on the staff dashboard (ltci.core.workqueues): applications by the step that waits
for the coordinator, reviews under way, and conclusions due for reassessment."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import Application, Conclusion

State = Application.State
OPEN_REVIEW = [State.SUBMITTED, State.ACCEPTED, State.ASSIGNED, State.ASSESSED, State.NOTICE, State.COMMITTEE]


def _applications(**filters):
    return Application.objects.filter(**filters).count()


def _list(query: str) -> str:
    return reverse("admin:assessment_application_changelist") + "?" + query


def _in(states) -> str:
    return ",".join(str(s) for s in states)


def _expiring(today):
    # Conclusions the daily job has reminded about (its window is a policy parameter) and still in force.
    return Conclusion.objects.filter(
        state=Conclusion.State.FINAL, valid_until__gte=today, reminder__isnull=False
    )


register(
    WorkQueue(
        key="assessment.submitted",
        label=_("待受理"),
        capability="assessment.workflow",
        count=lambda today: _applications(state=State.SUBMITTED),
        url=lambda today: _list(f"state__exact={State.SUBMITTED}"),
        order=20,
    ),
    WorkQueue(
        key="assessment.accepted",
        label=_("待派单"),
        capability="assessment.workflow",
        count=lambda today: _applications(state=State.ACCEPTED),
        url=lambda today: _list(f"state__exact={State.ACCEPTED}"),
        order=21,
    ),
    WorkQueue(
        key="assessment.to_conclude",
        label=_("待结论"),
        capability="assessment.workflow",
        count=lambda today: _applications(state__in=[State.ASSESSED, State.COMMITTEE]),
        url=lambda today: _list(f"state__in={_in([State.ASSESSED, State.COMMITTEE])}"),
        order=22,
    ),
    WorkQueue(
        key="assessment.notice",
        label=_("公示中"),
        capability="assessment.workflow",
        count=lambda today: _applications(state=State.NOTICE),
        url=lambda today: _list(f"state__exact={State.NOTICE}"),
        order=23,
    ),
    WorkQueue(
        key="assessment.review",
        label=_("复核中"),
        capability="assessment.workflow",
        count=lambda today: _applications(kind=Application.Kind.REVIEW, state__in=OPEN_REVIEW),
        url=lambda today: _list(f"kind__exact={Application.Kind.REVIEW}&state__in={_in(OPEN_REVIEW)}"),
        order=24,
    ),
    WorkQueue(
        key="assessment.expiring",
        label=_("到期复评"),
        capability="assessment.workflow",
        count=lambda today: _expiring(today).count(),
        url=lambda today: (
            reverse("admin:assessment_conclusion_changelist")
            + f"?state__exact={Conclusion.State.FINAL}&valid_until__gte={today:%Y-%m-%d}&reminder__isnull=False"
        ),
        order=25,
    ),
)
