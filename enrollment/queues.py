"""Enrollment's work queues on the staff dashboard (ltci.core.workqueues)."""

from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import Contribution

register(
    WorkQueue(
        key="enrollment.arrears",
        label=_("欠费"),
        capability="enrollment.arrears",
        model=Contribution,
        filters={
            "status__exact": Contribution.Status.ARREARS
        },  # counted on the partial index contribution_arrears
        order=10,
    ),
)
