"""Enrollment's work queues on the staff dashboard (ltci.core.workqueues)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import Contribution

ARREARS = Contribution.Status.ARREARS

register(
    WorkQueue(
        key="enrollment.arrears",
        label=_("欠费"),
        capability="enrollment.arrears",
        # Counted on the partial index contribution_arrears.
        count=lambda today: Contribution.objects.filter(status=ARREARS).count(),
        url=lambda today: reverse("admin:enrollment_contribution_changelist") + f"?status__exact={ARREARS}",
        order=10,
    ),
)
