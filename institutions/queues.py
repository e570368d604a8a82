"""Institutions' entries on the staff dashboard (ltci.core.workqueues): liability-insurance notices not yet
handled are among the day's warnings."""

from django.utils.translation import gettext_lazy as _

from ltci.core.workqueues import WorkQueue, register

from .models import InsuranceNotice

register(
    WorkQueue(
        key="institutions.insurance_notices",
        label=_("责任险到期提醒"),
        capability="institutions.insurance_check",
        model=InsuranceNotice,
        filters={"acknowledged__exact": False},
        warning=True,
        order=91,
    ),
)
